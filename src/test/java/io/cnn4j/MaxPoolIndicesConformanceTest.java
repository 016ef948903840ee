package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.model.Model;
import io.cnn4j.ops.MaxPool;
import io.cnn4j.ops.MaxPoolIndices;
import io.cnn4j.ops.PoolOptions;
import io.cnn4j.reference.NaivePooling;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The indices of max pooling as float32 integers ({@link MaxPoolIndices}, the format's MaxPoolIndicesNd): exactly the
 * float64 reference's argmax (per plane as PyTorch counts it, or across the tensor as ONNX's MaxPool does) and, in
 * 2-d, libtorch's max_pool2d_with_indices; random kernels, strides, padding up to half the kernel, dilation, ceil
 * mode, values from a few levels (ties: the first maximum wins) with NaN sometimes.
 */
class MaxPoolIndicesConformanceTest {
    @Test
    void randomPoolingsGiveTheArgmaxAsFloats() {
        Oracle.forEachSeed("max_pool indices", 300, (r, seed) -> {
            int dims = Oracle.between(r, 1, 3);
            int[] k = new int[dims];
            int[] s = new int[dims];
            int[] p = new int[dims];
            int[] d = new int[dims];
            long[] shape = new long[dims + 2];
            shape[0] = Oracle.between(r, 1, 3);
            shape[1] = Oracle.between(r, 1, 3);
            for (int i = 0; i < dims; i++) {
                k[i] = Oracle.between(r, 1, 3);
                s[i] = Oracle.between(r, 1, 3);
                p[i] = Oracle.between(r, 0, k[i] / 2);
                d[i] = r.nextInt(4) == 0 ? 2 : 1;
                shape[i + 2] = Oracle.between(r, d[i] * (k[i] - 1) + 1, dims == 3 ? 6 : 9);
            }
            boolean ceil = r.nextInt(3) == 0;
            boolean perTensor = r.nextBoolean();
            MaxPool pool = MaxPool.create(dims, new PoolOptions(k).stride(s).padding(p).dilation(d).ceilMode(ceil));
            MaxPoolIndices op = MaxPoolIndices.create(pool, perTensor);
            long[] pooled;
            try {
                pooled = pool.outputShape(shape);
            } catch (IllegalArgumentException e) {
                return; // an empty pooling output; PoolingConformanceTest covers the refusal
            }
            String context = dims + "d input " + Arrays.toString(shape) + " k " + Arrays.toString(k) + " s "
                    + Arrays.toString(s) + " p " + Arrays.toString(p) + " d " + Arrays.toString(d) + " ceil " + ceil
                    + (perTensor ? " across the tensor" : " per plane");
            float[] x = levels(r, Shapes.numel(shape));
            NaivePooling.Result ref = NaivePooling.maxPool(Oracle.widen(x), shape, dims, longs(k), longs(s),
                    longs(p), longs(d), ceil);
            long inPlane = Shapes.product(shape, 2, shape.length);
            long outPlane = Shapes.product(pooled, 2, pooled.length);
            float[] expected = new float[ref.indices().length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = ref.indices()[i] + (perTensor ? i / outPlane * inPlane : 0);
            }
            assertArrayEquals(pooled, op.outputShape(shape), context);
            try (Tensor in = Tensor.of(x, shape); Tensor y = Tensor.empty(pooled);
                    Tensor ws = Tensor.empty(op.workspaceSize(shape))) {
                if (r.nextBoolean()) {
                    op.run(in, y, ws.pointer());
                } else {
                    op.prepare(shape).run(in, y, ws.pointer());
                }
                assertArrayEquals(expected, y.toFloatArray(), context);
                if (dims == 2 && !perTensor) {
                    T_TensorTensor_T t = torch.max_pool2d_with_indices(LibTorch.tensor(x, shape), longs(k), longs(s),
                            longs(p), longs(d), ceil);
                    float[] libtorch = LibTorch.floats(t.get1().to(torch.ScalarType.Float));
                    assertArrayEquals(libtorch, y.toFloatArray(), context + " libtorch");
                }
            }
        });
    }

    /** A model returning a MaxPool's values and indices, and computing with the indices. */
    @Test
    void aModelReturnsTheValuesAndTheIndices() throws Exception {
        String json = """
                {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 1, 2, 4]}],
                 "layers": [
                   {"type": "MaxPool2d", "kernel_size": 2, "id": "values"},
                   {"type": "MaxPoolIndices2d", "kernel_size": 2, "inputs": ["x"], "id": "plane"},
                   {"type": "MaxPoolIndices2d", "kernel_size": 2, "indices": "tensor", "inputs": ["x"], "id": "all"},
                   {"type": "Add", "inputs": ["plane", "values"], "id": "sum"}
                 ],
                 "outputs": ["values", "plane", "all", "sum"]}""";
        float[] x = {1, 5, 2, 2, 3, 4, 2, 0, /* second sample */ 9, 0, 0, 0, 0, 0, 0, 7};
        try (Model model = Model.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
                Tensor in = Tensor.of(x, 2, 1, 2, 4)) {
            var out = model.run(java.util.Map.of("x", in));
            try (Tensor values = out.get("values"); Tensor plane = out.get("plane"); Tensor all = out.get("all");
                    Tensor sum = out.get("sum")) {
                // windows [[1, 5], [3, 4]] -> 5 at 1; [[2, 2], [2, 0]] -> the first 2, at 2; then 9 at 0, 7 at 7
                assertArrayEquals(new float[] {5, 2, 9, 7}, values.toFloatArray());
                assertArrayEquals(new float[] {1, 2, 0, 7}, plane.toFloatArray());
                assertArrayEquals(new float[] {1, 2, 8, 15}, all.toFloatArray());
                assertArrayEquals(new float[] {6, 4, 9, 14}, sum.toFloatArray());
            }
        }
    }

    /** Indices counted across the tensor number the samples before each: such a layer never runs on batch slices. */
    @Test
    void onlyPerPlaneIndicesAreSamplewise() {
        MaxPool pool = MaxPool.create(2, new PoolOptions(2));
        assertTrue(MaxPoolIndices.create(pool, false).samplewise());
        org.junit.jupiter.api.Assertions.assertFalse(MaxPoolIndices.create(pool, true).samplewise());
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
        assertMessage(() -> MaxPoolIndices.create(null, false), "max_pool indices: pool must not be null");
        MaxPoolIndices plane = MaxPoolIndices.create(MaxPool.create(2, new PoolOptions(2)), false);
        MaxPoolIndices tensor = MaxPoolIndices.create(MaxPool.create(2, new PoolOptions(2)), true);
        // 4096 x 4096 = 2^24 per plane: exact; one more row is not
        assertArrayEquals(new long[] {1, 1, 2048, 2048}, plane.outputShape(new long[] {1, 1, 4096, 4096}));
        assertMessage(() -> plane.outputShape(new long[] {1, 1, 4098, 4096}), "max_pool2d indices: the input "
                + "[1, 1, 4098, 4096] has 16785408 elements per plane to index, more than float32 holds exactly "
                + "(2^24 = 16777216)");
        assertMessage(() -> tensor.outputShape(new long[] {2, 1, 4096, 4096}), "has 33554432 elements to index");
        assertMessage(() -> plane.outputShape(new long[] {1, 1, 1, 1}), "max_pool2d");
        try (Tensor in = Tensor.zeros(1, 1, 4, 4); Tensor out = Tensor.empty(1, 1, 2, 2);
                Tensor wrong = Tensor.empty(1, 1, 3, 3)) {
            assertMessage(() -> plane.run(in, out, null), "max_pool2d indices", "workspace");
            Tensor ws = Tensor.empty(plane.workspaceSize(new long[] {1, 1, 4, 4}));
            try (ws) {
                assertMessage(() -> plane.run(in, wrong, ws.pointer()), "max_pool2d indices: output must have shape "
                        + "[1, 1, 2, 2], got [1, 1, 3, 3]");
            }
        }
        String bad = """
                {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 1, 4, 4]}],
                 "layers": [{"type": "MaxPoolIndices2d", "kernel_size": 2, "indices": "rows"}]}""";
        assertMessage(() -> {
            try {
                Model.load(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8))).close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "MaxPoolIndices2d", "indices must be one of [plane, tensor], got \"rows\"");
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }
}
