package io.cnn4j;

import io.cnn4j.ops.PoolOptions;
import io.cnn4j.reference.NaivePooling;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pooling (native kernels/pool) on every instruction set this CPU supports: PoolingConformanceTest's random cases
 * on each, plus wide rows that reach the vector paths' full blocks (ResNet/VGG's 2x2 s2 and 3x3 s2 p1 and stride 1,
 * widths 1..48, NaN and tied inputs, global average pooling), each against the float64 naive reference. Max and
 * average pooling are bit-identical across variants (values and indices must equal the scalar reference's exactly
 * here, on top of the reference's tolerance); global average pooling is held to Oracle's 1e-5 of the output scale.
 */
class PoolingIsaConformanceTest {
    @Test
    void everyIsaPassesTheRandomPoolingCases() {
        Isas.forEach(isa -> {
            PoolingConformanceTest random = new PoolingConformanceTest();
            random.maxPool();
            random.avgPool();
            random.lpPool();
            random.adaptiveAvgPool();
            random.adaptiveMaxPool();
        });
    }

    @Test
    void wideRowsMatchTheReferenceAndTheScalarVariantExactly() {
        int[][] windows = {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {2, 1, 0}, {5, 2, 2}}; // kernel, stride, padding
        Random r = new Random(20261205L);
        for (int width = 1; width <= 48; width++) {
            for (int[] k : windows) {
                if (width + 2 * k[2] < k[0]) {
                    continue;
                }
                long[] shape = {Oracle.between(r, 1, 2), 3, Oracle.between(r, k[0], 5), width};
                float[] x = Oracle.uniform(r, Arrays.stream(shape).reduce(1, (a, b) -> a * b));
                for (int i = 0; i < x.length; i++) {
                    int roll = r.nextInt(40);
                    x[i] = roll == 0 ? Float.NaN : roll < 6 ? Math.round(x[i] * 2) / 2f : x[i]; // NaNs and ties
                }
                checkWindow(x, shape, k[0], k[1], k[2]);
            }
            long[] global = {2, 5, Oracle.between(r, 1, 9), width};
            float[] x = Oracle.uniform(r, Arrays.stream(global).reduce(1, (a, b) -> a * b));
            Isas.forEach(isa -> {
                try (Tensor in = Tensor.of(x, global); Tensor out = Functional.adaptiveAvgPool2d(in, 1, 1)) {
                    Oracle.assertClose("global avg pool on " + isa + " " + Arrays.toString(global),
                            NaivePooling.adaptive(Oracle.widen(x), global, 2, new long[] {1, 1}, false).values(),
                            out.toFloatArray());
                }
            });
        }
    }

    private static void checkWindow(float[] x, long[] shape, int kernel, int stride, int padding) {
        long[] k = {kernel, kernel}, s = {stride, stride}, p = {padding, padding}, d = {1, 1};
        NaivePooling.Result max = NaivePooling.maxPool(Oracle.widen(x), shape, 2, k, s, p, d, false);
        NaivePooling.Result avg = NaivePooling.avgPool(Oracle.widen(x), shape, 2, k, s, p, false, padding > 0, null);
        float[][] scalar = new float[2][];
        long[][] scalarIndices = new long[1][];
        String context = "input " + Arrays.toString(shape) + " kernel " + kernel + " stride " + stride + " padding "
                + padding;
        Isas.forEach(isa -> {
            PoolOptions options = new PoolOptions(kernel).stride(stride).padding(padding);
            try (Tensor in = Tensor.of(x, shape);
                    TensorWithIndices m = Functional.maxPool2dWithIndices(in, options);
                    Tensor plain = Functional.maxPool2d(in, options); // without indices: 2x2 stride 2 has its own path
                    Tensor a = Functional.avgPool2d(in, new PoolOptions(kernel).stride(stride).padding(padding)
                            .countIncludePad(padding > 0))) {
                float[] maxValues = m.values().toFloatArray(), avgValues = a.toFloatArray();
                long[] indices = m.indices().toLongArray();
                Oracle.assertClose("max pool on " + isa + ", " + context, max.values(), maxValues);
                org.junit.jupiter.api.Assertions.assertArrayEquals(maxValues, plain.toFloatArray(),
                        "max pool without indices on " + isa + ", " + context);
                org.junit.jupiter.api.Assertions.assertArrayEquals(max.indices(), indices, "indices on " + isa + ", "
                        + context);
                Oracle.assertClose("avg pool on " + isa + ", " + context, avg.values(), avgValues);
                if (isa.equals("scalar")) {
                    scalar[0] = maxValues;
                    scalar[1] = avgValues;
                    scalarIndices[0] = indices;
                } else {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(scalar[0], maxValues, "max, " + isa + " vs scalar, "
                            + context);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(scalar[1], avgValues, "avg, " + isa + " vs scalar, "
                            + context);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(scalarIndices[0], indices, "indices, " + isa
                            + " vs scalar, " + context);
                }
            }
        });
    }

}
