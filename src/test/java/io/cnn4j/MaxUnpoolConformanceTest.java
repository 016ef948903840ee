package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.MaxPool;
import io.cnn4j.ops.MaxUnpool;
import io.cnn4j.ops.PoolOptions;
import io.cnn4j.reference.NaivePooling;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * max_unpool1d/2d/3d with the indices of max pooling ({@link MaxUnpool}): data movement, so cnn4j must equal the
 * reference exactly (the float64 max pooling's argmax, the values scattered into zeros) and, in 2-d, libtorch's
 * max_pool2d_with_indices + max_unpool2d; random kernels, strides, padding up to half the kernel, dilation, ceil
 * mode, values drawn from a few levels (ties: the first maximum wins) with NaN sometimes, unpool geometries equal to
 * the pool's or not, output_size given or not.
 */
class MaxUnpoolConformanceTest {
    @Test
    void randomUnpoolingsScatterToThePoolingsArgmax() {
        Oracle.forEachSeed("max_unpool", 300, (r, seed) -> {
            int dims = Oracle.between(r, 1, 3);
            int[] k = new int[dims];
            int[] s = new int[dims];
            int[] p = new int[dims];
            int[] d = new int[dims];
            long[] shape = new long[dims + 2];
            shape[0] = Oracle.between(r, 1, 2);
            shape[1] = Oracle.between(r, 1, 3);
            for (int i = 0; i < dims; i++) {
                k[i] = Oracle.between(r, 1, 3);
                s[i] = Oracle.between(r, 1, 3);
                p[i] = Oracle.between(r, 0, k[i] / 2);
                d[i] = r.nextInt(4) == 0 ? 2 : 1;
                shape[i + 2] = Oracle.between(r, d[i] * (k[i] - 1) + 1, dims == 3 ? 6 : 9);
            }
            boolean ceil = r.nextInt(3) == 0;
            MaxPool pool = MaxPool.create(dims, new PoolOptions(k).stride(s).padding(p).dilation(d).ceilMode(ceil));
            long[] pooled;
            try {
                pooled = pool.outputShape(shape);
            } catch (IllegalArgumentException e) {
                return; // an empty pooling output; PoolingConformanceTest covers the refusal
            }
            boolean same = r.nextBoolean(); // the unpool's geometry is the pool's (SegNet) or its own
            int[] uk = same ? k : new int[dims];
            int[] us = same ? s : new int[dims];
            for (int i = 0; i < dims && !same; i++) {
                uk[i] = Oracle.between(r, 1, 4);
                us[i] = Oracle.between(r, 1, 3);
            }
            int[] up = new int[dims];
            long[] natural = new long[dims];
            long[] outSpatial = new long[dims];
            boolean giveSize = r.nextBoolean();
            for (int i = 0; i < dims; i++) {
                natural[i] = (pooled[i + 2] - 1) * us[i] - 2L * up[i] + uk[i];
                outSpatial[i] = giveSize ? natural[i] + r.nextInt(us[i]) : natural[i];
            }
            long inPlane = Shapes.product(shape, 2, shape.length);
            if (Shapes.product(outSpatial, 0, dims) < inPlane) { // give the pool input's size, as SegNet does
                if (!giveSize) {
                    long[] sizes = outSpatial;
                    MaxUnpool op = MaxUnpool.create(dims, uk, us, up, null, pool);
                    assertThrows(IllegalArgumentException.class, () -> op.outputShape(pooled, shape),
                            Arrays.toString(sizes));
                }
                return;
            }
            MaxUnpool op = MaxUnpool.create(dims, uk, us, up, giveSize ? outSpatial : null, pool);
            String context = dims + "d input " + Arrays.toString(shape) + " pool k " + Arrays.toString(k) + " s "
                    + Arrays.toString(s) + " p " + Arrays.toString(p) + " d " + Arrays.toString(d) + " ceil " + ceil
                    + " unpool k " + Arrays.toString(uk) + " s " + Arrays.toString(us) + " out "
                    + Arrays.toString(outSpatial);
            float[] x = levels(r, Shapes.numel(shape));
            float[] v = Oracle.uniform(r, Shapes.numel(pooled));
            NaivePooling.Result ref = NaivePooling.maxPool(Oracle.widen(x), shape, dims, longs(k), longs(s),
                    longs(p), longs(d), ceil);
            long[] out = pooled.clone();
            System.arraycopy(outSpatial, 0, out, 2, dims);
            assertArrayEquals(out, op.outputShape(pooled, shape), context);
            long outPlane = Shapes.product(outSpatial, 0, dims);
            long planes = shape[0] * shape[1];
            long pooledPlane = Shapes.product(pooled, 2, pooled.length);
            float[] expected = new float[(int) (planes * outPlane)];
            for (long plane = 0; plane < planes; plane++) {
                for (long i = 0; i < pooledPlane; i++) {
                    expected[(int) (plane * outPlane + ref.indices()[(int) (plane * pooledPlane + i)])] =
                            v[(int) (plane * pooledPlane + i)];
                }
            }
            try (Tensor in = Tensor.of(x, shape); Tensor values = Tensor.of(v, pooled); Tensor y = Tensor.empty(out);
                    Tensor ws = Tensor.empty(op.workspaceSize(pooled, shape))) {
                if (r.nextBoolean()) {
                    op.run(values, in, y, ws.pointer());
                } else {
                    op.prepare(pooled, shape).run(values, in, y, ws.pointer());
                }
                assertArrayEquals(expected, y.toFloatArray(), context);
                if (dims == 2) {
                    T_TensorTensor_T t = torch.max_pool2d_with_indices(LibTorch.tensor(x, shape), longs(k), longs(s),
                            longs(p), longs(d), ceil);
                    float[] libtorch = LibTorch.floats(torch.max_unpool2d(LibTorch.tensor(v, pooled), t.get1(),
                            outSpatial));
                    assertArrayEquals(libtorch, y.toFloatArray(), context + " libtorch");
                }
            }
        });
    }

    /** Values from a few levels, so that windows hold ties, sometimes with a NaN. */
    private static float[] levels(Random r, long n) {
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(4) - 2;
        }
        if (r.nextInt(6) == 0) {
            x[r.nextInt(x.length)] = Float.NaN;
        }
        return x;
    }

    private static long[] longs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        MaxPool pool = MaxPool.create(2, new PoolOptions(2));
        assertMessage(() -> MaxUnpool.create(2, new int[] {0}, null, null, null, pool),
                "max_unpool2d: kernel_size must be positive");
        assertMessage(() -> MaxUnpool.create(2, new int[] {2}, null, new int[] {-1}, null, pool),
                "max_unpool2d: padding must be non-negative");
        assertMessage(() -> MaxUnpool.create(1, new int[] {2}, null, null, null, pool),
                "max_unpool1d: needs the max_pool1d whose indices it uses");
        assertMessage(() -> MaxUnpool.create(2, new int[] {2}, null, null, new long[] {4}, pool),
                "output_size must have 2 or 4 elements");
        MaxUnpool op = MaxUnpool.create(2, new int[] {2}, null, null, null, pool);
        assertMessage(() -> op.outputShape(new long[] {1, 3, 3, 3}, new long[] {1, 3, 8, 8}),
                "max_unpool2d: input of shape [1, 3, 3, 3] is not the shape [1, 3, 4, 4]");
        assertMessage(() -> op.outputShape(new long[] {1, 3, 3, 3}, new long[] {1, 3, 7, 7}),
                "the pooled tensor's planes [7, 7] are larger than the output's [6, 6]", "give output_size");
        assertMessage(() -> MaxUnpool.create(2, new int[] {2}, null, null, new long[] {8, 8}, pool)
                .outputShape(new long[] {1, 3, 3, 3}, new long[] {1, 3, 7, 7}),
                "invalid output_size [8, 8] (dim 0 must be between 6 and 7)");
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }
}
