package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An inverted-residual block's 1x1 expansion and the depthwise convolution that reads it run as one fused layer
 * (ConvPairLayer) and give bit for bit what the two layers give: randomized channels (panel tails), maps,
 * kernels, strides, padding, dilation, activations, biases and batches, on every ISA, through both of the op's forms
 * (planar, channels last). The reference is the same model with the expansion's output also returned, which keeps the
 * two layers apart. (A depthwise convolution of one channel is an ordinary convolution, not fused: at least 2
 * channels.)
 */
class ExpandDepthwiseFusionTest {
    private static final String[] ACTIVATIONS = {"ReLU6", "ReLU", "SiLU", "Hardswish", null};

    @Test
    void theFusedBlockEqualsTheSeparateLayersBitForBit() throws Exception {
        Random r = new Random(21);
        for (int i = 0; i < 24; i++) {
            int in = 1 + r.nextInt(12), mid = 2 + r.nextInt(40);
            int kernel = new int[] {3, 5, 1, 7}[r.nextInt(4)], stride = 1 + r.nextInt(2), dilation = 1 + r.nextInt(2);
            int padding = r.nextInt(kernel / 2 * dilation + 1);
            int extent = dilation * (kernel - 1) + 1;
            int h = Math.max(1 + r.nextInt(20), extent - 2 * padding);
            int w = Math.max(1 + r.nextInt(30), extent - 2 * padding);
            String act1 = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)], act2 = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
            check(r, "case " + i, in, mid, kernel, stride, padding, dilation, h, w, act1, act2, r.nextBoolean(),
                    r.nextBoolean(), 1 + r.nextInt(3));
        }
    }

    /**
     * Both forms of the fused op (native/ops/expand_depthwise.cpp): planar for wide stride-1 maps, channels last for
     * 14- and 7-wide rows and for stride 2, with channel groups cut short (mid channels not a multiple of 8 or 16).
     */
    @Test
    void bothFormsEqualTheSeparateLayers() throws Exception {
        Random r = new Random(22);
        check(r, "planar, 3x3 at 30", 5, 21, 3, 1, 1, 1, 30, 30, "ReLU6", "ReLU6", true, true, 2);
        check(r, "channels last, 3x3 at 7", 6, 37, 3, 1, 1, 1, 7, 7, "ReLU6", "ReLU6", true, true, 2);
        check(r, "channels last, 5x5 at 14", 4, 19, 5, 1, 2, 1, 14, 14, "SiLU", "SiLU", true, false, 1);
        check(r, "channels last, stride 2 from 40x38", 3, 26, 3, 2, 1, 1, 40, 38, "ReLU", "Hardswish", false, true, 2);
        check(r, "channels last, dilation 2, no padding", 7, 17, 3, 1, 0, 2, 11, 9, null, "ReLU", true, true, 1);
    }

    /**
     * The planar form cuts each map into bands of output rows, one per thread, where a batch has fewer images than
     * threads and the bands can start on cache lines (native/ops/expand_depthwise.cpp): with 2 to 4 threads, at batch
     * 1 and 2, bands whose edges need the kernel's halo rows from both sides, strided and dilated windows, padding
     * inside a band only at the map's edges.
     */
    @Test
    void bandsOfRowsEqualTheSeparateLayers() throws Exception {
        Random r = new Random(23);
        int threadsBefore = Cnn4j.getNumThreads();
        try {
            for (int threads : new int[] {2, 3, 4}) {
                Cnn4j.setNumThreads(threads);
                String t = threads + " threads, ";
                check(r, t + "3x3 at 56", 5, 21, 3, 1, 1, 1, 56, 56, "ReLU6", "ReLU6", true, true, 1);
                check(r, t + "3x3 stride 2 from 112", 16, 24, 3, 2, 1, 1, 112, 112, "ReLU6", "ReLU6", true, true, 1);
                check(r, t + "5x5 at 32", 3, 9, 5, 1, 2, 1, 32, 32, "SiLU", null, false, true, 2);
                check(r, t + "3x3 dilation 2, no padding, 36 -> 32", 4, 10, 3, 1, 0, 2, 36, 36, null, "ReLU", true,
                        false, 1);
                check(r, t + "3x3 stride 2 from 63x64", 6, 17, 3, 2, 1, 1, 63, 64, "Hardswish", "ReLU6", true, true,
                        1);
            }
        } finally {
            Cnn4j.setNumThreads(threadsBefore);
        }
    }

    private static void check(Random r, String label, int in, int mid, int kernel, int stride, int padding,
            int dilation, int h, int w, String act1, String act2, boolean bias1, boolean bias2, int batch)
            throws Exception {
        String layers = "{\"type\": \"Conv2d\", \"name\": \"expand\", \"in_channels\": " + in + ", \"out_channels\": "
                + mid + ", \"kernel_size\": 1, \"bias\": " + bias1 + ", \"id\": \"e\"},"
                + (act1 == null ? "" : "{\"type\": \"" + act1 + "\", \"id\": \"e_act\"},")
                + "{\"type\": \"Conv2d\", \"name\": \"dw\", \"in_channels\": " + mid + ", \"out_channels\": " + mid
                + ", \"groups\": " + mid + ", \"kernel_size\": " + kernel + ", \"stride\": " + stride
                + ", \"padding\": " + padding + ", \"dilation\": " + dilation + ", \"bias\": " + bias2
                + ", \"id\": \"d\"}" + (act2 == null ? "" : ",{\"type\": \"" + act2 + "\", \"id\": \"d_act\"}");
        String last = act2 == null ? "d" : "d_act", expanded = act1 == null ? "e" : "e_act";
        String head = "{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, " + in + ", " + h + ", " + w
                + "]}], \"layers\": [" + layers + "]";
        MapWeights weights = new MapWeights().put("expand.weight", Oracle.uniform(r, mid * in), mid, in, 1, 1)
                .put("dw.weight", Oracle.uniform(r, mid * kernel * kernel), mid, 1, kernel, kernel);
        if (bias1) {
            weights.put("expand.bias", Oracle.uniform(r, mid), mid);
        }
        if (bias2) {
            weights.put("dw.bias", Oracle.uniform(r, mid), mid);
        }
        String config = label + ": " + in + "->" + mid + " @" + h + "x" + w + " k" + kernel + " s" + stride + " p"
                + padding + " d" + dilation + " " + act1 + "/" + act2 + " bias " + bias1 + "/" + bias2;
        try (Model fused = ModelGraphTest.build(head + "}", weights);
                Model apart = ModelGraphTest.build(head + ", \"outputs\": [\"" + last + "\", \"" + expanded
                        + "\"]}", weights)) {
            int depthwise = act1 == null ? 1 : 2;
            assertEquals(depthwise, fused.layerFusedInto()[0], config + ": the expansion runs in the depthwise layer");
            assertEquals(-1, apart.layerFusedInto()[0], config + ": a returned expansion is not fused away");
            float[] x = Oracle.uniform(r, (long) batch * in * h * w);
            Isas.forEach(isa -> {
                try (Tensor input = Tensor.of(x, batch, in, h, w); Tensor out = fused.run(input)) {
                    Map<String, Tensor> both = apart.run(Map.of("x", input));
                    try (Tensor expected = both.get(last); Tensor ignored = both.get(expanded)) {
                        assertArrayEquals(expected.shape(), out.shape(), config);
                        assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), isa + " " + config);
                    }
                }
            });
        }
    }
}
