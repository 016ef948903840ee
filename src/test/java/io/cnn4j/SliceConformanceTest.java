package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Slice;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * slice: data movement, so cnn4j must equal the reference (Python's slice of the index range, element by element)
 * and libtorch exactly; random ranks 1 to 5, negative and out-of-range bounds, absent bounds, steps 1 to 4, negative
 * dims, in prepared and unprepared runs.
 */
class SliceConformanceTest {
    @Test
    void randomSlicesPickTheElementsPythonDoes() {
        Oracle.forEachSeed("slice", 400, (r, seed) -> {
            int rank = Oracle.between(r, 1, 5);
            long[] shape = DenseFixtures.shape(r, rank, 7);
            int dim = r.nextInt(rank);
            long size = shape[dim];
            Long start = r.nextInt(4) == 0 ? null : (long) Oracle.between(r, -9, 9);
            Long end = r.nextInt(4) == 0 ? null : (long) Oracle.between(r, -9, 9);
            int step = r.nextInt(2) == 0 ? 1 : Oracle.between(r, 1, 4);
            // The indices Python's slice picks.
            long first = clamp(start == null ? 0 : start, size);
            long last = clamp(end == null ? size : end, size);
            long[] picked = java.util.stream.LongStream.iterate(first, i -> i < last, i -> i + step).toArray();
            long given = r.nextBoolean() ? dim : dim - rank;
            Slice op = Slice.create(given, start, end, step);
            String context = Arrays.toString(shape) + " dim " + given + " [" + start + ":" + end + ":" + step + "]";
            if (picked.length == 0) {
                assertThrows(IllegalArgumentException.class, () -> op.outputShape(shape), context);
                return;
            }
            float[] x = Oracle.uniform(r, Shapes.numel(shape));
            long[] out = shape.clone();
            out[dim] = picked.length;
            float[] expected = new float[(int) Shapes.numel(out)];
            long inner = Shapes.product(shape, dim + 1, rank);
            for (int i = 0; i < expected.length; i++) {
                long outer = i / (inner * picked.length);
                long k = (i / inner) % picked.length;
                expected[i] = x[(int) ((outer * size + picked[(int) k]) * inner + i % inner)];
            }
            assertArrayEquals(out, op.outputShape(shape), context);
            try (Tensor in = Tensor.of(x, shape); Tensor y = Tensor.empty(out)) {
                if (r.nextBoolean()) {
                    op.run(in, y, null);
                } else {
                    op.prepare(shape).run(in, y, null);
                }
                assertArrayEquals(expected, y.toFloatArray(), context);
                LongOptional s = start == null ? new LongOptional() : new LongOptional(start);
                LongOptional e = end == null ? new LongOptional() : new LongOptional(end);
                assertArrayEquals(LibTorch.floats(torch.slice(LibTorch.tensor(x, shape), given, s, e, step)
                        .contiguous()), y.toFloatArray(), context + " libtorch");
            }
        });
    }

    private static long clamp(long index, long size) {
        long i = index < 0 ? index + size : index;
        return Math.max(0, Math.min(size, i));
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        assertMessage(() -> Slice.create(1, 0L, 2L, 0), "slice: slice step must be positive, got step=0",
                "torch.flip");
        assertMessage(() -> Slice.create(1, 0L, 2L, -1), "slice step must be positive");
        assertMessage(() -> Slice.create(3, null, null, 1).outputShape(new long[] {2, 3, 4}),
                "slice: dim must be in range [-3, 2]");
        assertMessage(() -> Slice.create(1, 2L, 1L, 1).outputShape(new long[] {2, 3, 4}), "[2:1:1] of dim 1",
                "is empty");
        try (Tensor x = Tensor.zeros(2, 3, 4); Tensor wrong = Tensor.zeros(2, 3, 4)) {
            assertMessage(() -> Slice.create(1, 1L, null, 1).run(x, wrong, null),
                    "slice: output must have shape [2, 2, 4]");
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
