package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.Tensor;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A depthwise convolution and the 1x1 convolution that reads it run as one fused layer (ConvPairLayer with
 * native/ops/depthwise_pointwise.cpp) and give bit for bit what the two layers give: randomized channels, maps (one
 * band of output rows or many), kernels, strides, padding, dilation, activations, biases and batches, on every ISA.
 * The reference is the same model with the depthwise output also returned, which keeps the two layers apart.
 */
class DepthwisePointwiseFusionTest {
    private static final String[] ACTIVATIONS = {"ReLU6", "ReLU", "SiLU", "Hardswish", null};

    @Test
    void theFusedPairEqualsTheSeparateLayersBitForBit() throws Exception {
        Random r = new Random(31);
        for (int i = 0; i < 24; i++) {
            int channels = 2 + r.nextInt(40), out = 1 + r.nextInt(40);
            int kernel = new int[] {3, 5, 1, 7}[r.nextInt(4)], stride = 1 + r.nextInt(2), dilation = 1 + r.nextInt(2);
            int padding = r.nextInt(kernel / 2 * dilation + 1);
            int extent = dilation * (kernel - 1) + 1;
            int h = Math.max(1 + r.nextInt(20), extent - 2 * padding);
            int w = Math.max(1 + r.nextInt(30), extent - 2 * padding);
            String act1 = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)], act2 = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
            check(r, "case " + i, channels, out, kernel, stride, padding, dilation, h, w, act1, act2, r.nextBoolean(),
                    r.nextBoolean(), 1 + r.nextInt(3));
        }
    }

    /** Maps cut into many bands of output rows (64 Ki floats per band): band edges inside the padding and not. */
    @Test
    void manyBandsEqualTheSeparateLayers() throws Exception {
        Random r = new Random(32);
        check(r, "MobileNetV2's first block, smaller", 32, 16, 3, 1, 1, 1, 60, 112, "ReLU6", null, true, true, 2);
        check(r, "stride 2, odd height", 24, 8, 3, 2, 1, 1, 97, 90, "ReLU", "ReLU6", false, true, 1);
        check(r, "5x5 dilation 2, partial padding", 40, 24, 5, 1, 3, 2, 70, 64, "SiLU", "Hardswish", true, false, 1);
        check(r, "one output row per band", 600, 8, 3, 1, 1, 1, 9, 120, null, "ReLU", true, true, 1);
    }

    private static void check(Random r, String label, int channels, int out, int kernel, int stride, int padding,
            int dilation, int h, int w, String act1, String act2, boolean bias1, boolean bias2, int batch)
            throws Exception {
        String layers = "{\"type\": \"Conv2d\", \"name\": \"dw\", \"in_channels\": " + channels + ", \"out_channels\": "
                + channels + ", \"groups\": " + channels + ", \"kernel_size\": " + kernel + ", \"stride\": " + stride
                + ", \"padding\": " + padding + ", \"dilation\": " + dilation + ", \"bias\": " + bias1
                + ", \"id\": \"d\"}," + (act1 == null ? "" : "{\"type\": \"" + act1 + "\", \"id\": \"d_act\"},")
                + "{\"type\": \"Conv2d\", \"name\": \"pw\", \"in_channels\": " + channels + ", \"out_channels\": " + out
                + ", \"kernel_size\": 1, \"bias\": " + bias2 + ", \"id\": \"p\"}"
                + (act2 == null ? "" : ",{\"type\": \"" + act2 + "\", \"id\": \"p_act\"}");
        String last = act2 == null ? "p" : "p_act", depthwise = act1 == null ? "d" : "d_act";
        String head = "{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, " + channels + ", " + h + ", " + w
                + "]}], \"layers\": [" + layers + "]";
        MapWeights weights = new MapWeights()
                .put("dw.weight", Oracle.uniform(r, channels * kernel * kernel), channels, 1, kernel, kernel)
                .put("pw.weight", Oracle.uniform(r, out * channels), out, channels, 1, 1);
        if (bias1) {
            weights.put("dw.bias", Oracle.uniform(r, channels), channels);
        }
        if (bias2) {
            weights.put("pw.bias", Oracle.uniform(r, out), out);
        }
        String config = label + ": " + channels + "->" + out + " @" + h + "x" + w + " k" + kernel + " s" + stride
                + " p" + padding + " d" + dilation + " " + act1 + "/" + act2 + " bias " + bias1 + "/" + bias2;
        try (Model fused = ModelGraphTest.build(head + "}", weights);
                Model apart = ModelGraphTest.build(head + ", \"outputs\": [\"" + last + "\", \"" + depthwise
                        + "\"]}", weights)) {
            int pointwise = act1 == null ? 1 : 2;
            assertEquals(pointwise, fused.layerFusedInto()[0], config + ": the depthwise runs in the pointwise layer");
            assertEquals(-1, apart.layerFusedInto()[0], config + ": a returned depthwise output is not fused away");
            float[] x = Oracle.uniform(r, (long) batch * channels * h * w);
            Isas.forEach(isa -> {
                try (Tensor input = Tensor.of(x, batch, channels, h, w); Tensor result = fused.run(input)) {
                    Map<String, Tensor> both = apart.run(Map.of("x", input));
                    try (Tensor expected = both.get(last); Tensor ignored = both.get(depthwise)) {
                        assertArrayEquals(expected.shape(), result.shape(), config);
                        assertArrayEquals(expected.toFloatArray(), result.toFloatArray(), isa + " " + config);
                    }
                }
            });
        }
    }
}
