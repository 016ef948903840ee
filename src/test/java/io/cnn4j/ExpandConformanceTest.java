package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Expand;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * expand ({@link Expand}, the format's Expand): data movement, so cnn4j must equal the reference (each output element
 * read at its index, 0 in the repeated dims) and libtorch's expand(...).contiguous() exactly; random ranks 1 to 5, size-1
 * dims repeated or kept, sizes given as -1 or as the dim's own size.
 */
class ExpandConformanceTest {
    @Test
    void randomExpansionsRepeatTheSingletonDims() {
        Oracle.forEachSeed("expand", 300, (r, seed) -> {
            int rank = Oracle.between(r, 1, 5);
            long[] shape = new long[rank];
            long[] size = new long[rank];
            long[] out = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = r.nextBoolean() ? 1 : Oracle.between(r, 2, 4);
                out[d] = shape[d] == 1 && r.nextBoolean() ? Oracle.between(r, 1, 5) : shape[d];
                size[d] = out[d] == shape[d] && r.nextBoolean() ? -1 : out[d];
            }
            float[] x = Oracle.uniform(r, Shapes.numel(shape));
            Expand op = Expand.create(size);
            assertArrayEquals(out, op.outputShape(shape));
            float[] expected = new float[(int) Shapes.numel(out)];
            long[] index = new long[rank];
            for (int i = 0; i < expected.length; i++) {
                long rest = i;
                for (int d = rank - 1; d >= 0; d--) {
                    index[d] = rest % out[d];
                    rest /= out[d];
                }
                long offset = 0;
                for (int d = 0; d < rank; d++) {
                    offset = offset * shape[d] + (shape[d] == 1 ? 0 : index[d]);
                }
                expected[i] = x[(int) offset];
            }
            String context = Arrays.toString(shape) + " size " + Arrays.toString(size);
            try (Tensor in = Tensor.of(x, shape); Tensor y = Tensor.empty(out)) {
                op.run(in, y, null);
                assertArrayEquals(expected, y.toFloatArray(), context);
                assertArrayEquals(LibTorch.floats(LibTorch.tensor(x, shape).expand(size).contiguous()),
                        y.toFloatArray(), context + " libtorch");
            }
        });
    }

    @Test
    void invalidSizesAreRefusedWithClearMessages() {
        assertMessage(() -> Expand.create(), "expand: size must give one size (or -1) per input dim");
        assertMessage(() -> Expand.create(-1, 0), "sizes must be positive or -1 (keep the dim), got size=[-1, 0]");
        assertMessage(() -> Expand.create(-1, -2), "sizes must be positive or -1");
        assertMessage(() -> Expand.create(-1, 4).outputShape(new long[] {2, 3, 1}), "size=[-1, 4] has 2 entries for "
                + "an input of 3 dims [2, 3, 1]; give one per dim");
        assertMessage(() -> Expand.create(-1, 4, 5).outputShape(new long[] {2, 3, 1}), "the expanded size 4 must match "
                + "the existing size 3 at non-singleton dim 1");
        try (Tensor in = Tensor.zeros(2, 1); Tensor wrong = Tensor.empty(2, 2)) {
            assertMessage(() -> Expand.create(-1, 3).run(in, wrong, null), "expand: output must have shape [2, 3], "
                    + "got [2, 2]");
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
