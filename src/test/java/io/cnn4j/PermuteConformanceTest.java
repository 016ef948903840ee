package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Permute;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * permute: data movement, so cnn4j must equal the reference (each output element read at the permuted index) and
 * libtorch exactly; random ranks 1 to 6, negative dims, sizes down to 1.
 */
class PermuteConformanceTest {
    @Test
    void randomPermutationsMoveEveryElementWherePyTorchDoes() {
        Oracle.forEachSeed("permute", 300, (r, seed) -> {
            int rank = Oracle.between(r, 1, 6);
            long[] shape = DenseFixtures.shape(r, rank, 4);
            long[] dims = new long[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = d;
            }
            for (int d = rank - 1; d > 0; d--) {
                int k = r.nextInt(d + 1);
                long t = dims[d];
                dims[d] = dims[k];
                dims[k] = t;
            }
            long[] given = dims.clone();
            for (int d = 0; d < rank; d++) {
                if (r.nextInt(3) == 0) {
                    given[d] -= rank;
                }
            }
            float[] x = Oracle.uniform(r, Shapes.numel(shape));
            Permute op = Permute.create(given);
            long[] out = op.outputShape(shape);
            float[] expected = new float[x.length];
            long[] index = new long[rank];
            for (int i = 0; i < x.length; i++) {
                long rest = i;
                for (int d = rank - 1; d >= 0; d--) {
                    index[d] = rest % out[d];
                    rest /= out[d];
                }
                long[] source = new long[rank];
                for (int d = 0; d < rank; d++) {
                    source[(int) dims[d]] = index[d];
                }
                long offset = 0;
                for (int d = 0; d < rank; d++) {
                    offset = offset * shape[d] + source[d];
                }
                expected[i] = x[(int) offset];
            }
            String context = Arrays.toString(shape) + " dims " + Arrays.toString(given);
            try (Tensor in = Tensor.of(x, shape); Tensor y = Tensor.empty(out)) {
                op.run(in, y, null);
                assertArrayEquals(expected, y.toFloatArray(), context);
                assertArrayEquals(LibTorch.floats(torch.permute(LibTorch.tensor(x, shape), given).contiguous()),
                        y.toFloatArray(), context + " libtorch");
            }
        });
    }

    @Test
    void invalidDimsAreRefusedWithClearMessages() {
        assertMessage(() -> Permute.create(), "dims must list every dim");
        assertMessage(() -> Permute.create(0, 1).outputShape(new long[] {2, 3, 4}), "number of dims don't match");
        assertMessage(() -> Permute.create(0, 0, 1).outputShape(new long[] {2, 3, 4}), "repeated dim");
        assertMessage(() -> Permute.create(0, 3, 1).outputShape(new long[] {2, 3, 4}), "must be in range [-3, 2]");
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
