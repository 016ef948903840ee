package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Conv(+BN)+Add+activation and Linear+activation chains run as one fused layer, and give bit for bit what the
 * separate layers give (the epilogue does the same float operations in the same order), on every ISA; the fused
 * layers free the memory of the passes they replace.
 */
class EpilogueFusionTest {
    /**
     * A residual block: relu(conv_b(relu(conv_a(x))) + x), then a Linear + ReLU6 head; conv_b is followed by BN. Maps
     * of width %1$d (5: the direct convolution's wide form; 200: its row-by-row form, ops/conv.cpp, with exact
     * convolutions, as that many tiles would pick Winograd). At width 200 the head is left out (%3$s): a Linear over
     * 4,800 features runs on OpenBLAS, whose sums are not bit for bit the same however a product is split.
     */
    private static final String BLOCK = """
            {"cnn4j": 1, "inputs": [{"name": "x", "shape": [-1, 4, 6, %1$d]}],
             "layers": [
               {"type": "Conv2d", "name": "a", "in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1},
               {"type": "ReLU"},
               {"type": "Conv2d", "name": "b", "in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1,
                "bias": false},
               {"type": "BatchNorm2d", "name": "bn", "num_features": 4},
               {"type": "Add", "inputs": ["bn", "x"], "id": "sum"},
               {"type": "LeakyReLU", "negative_slope": 0.2}%3$s
             ]}""";
    private static final String HEAD = """
            ,
               {"type": "Flatten"},
               {"type": "Linear", "name": "fc", "in_features": %d, "out_features": 7},
               {"type": "ReLU6"}""";

    @Test
    void fusedChainsGiveTheSeparateLayersResultsBitForBit() throws Exception {
        for (int width : new int[] {5, 200}) {
            fusedChainGivesTheSeparateLayersResults(width);
        }
    }

    private static void fusedChainGivesTheSeparateLayersResults(int width) throws Exception {
        int features = 4 * 6 * width;
        Random r = new Random(11);
        float[] wa = Oracle.uniform(r, 4 * 4 * 9), ba = Oracle.uniform(r, 4), wb = Oracle.uniform(r, 4 * 4 * 9);
        float[] mean = Oracle.uniform(r, 4), var = new float[4], gamma = Oracle.uniform(r, 4),
                beta = Oracle.uniform(r, 4);
        for (int i = 0; i < 4; i++) {
            var[i] = 0.5f + r.nextFloat();
        }
        float[] wfc = Oracle.uniform(r, 7 * features), bfc = Oracle.uniform(r, 7);
        MapWeights weights = new MapWeights().put("a.weight", wa, 4, 4, 3, 3).put("a.bias", ba, 4)
                .put("b.weight", wb, 4, 4, 3, 3).put("bn.running_mean", mean, 4).put("bn.running_var", var, 4)
                .put("bn.weight", gamma, 4).put("bn.bias", beta, 4).put("fc.weight", wfc, 7, features)
                .put("fc.bias", bfc, 7);
        boolean head = width < 100;
        String json = BLOCK.formatted(width, features, head ? HEAD.formatted(features) : "");
        try (Model model = ModelGraphTest.build(json, weights, ModelOptions.DEFAULT.withExactConvolutions(true))) {
            // ReLU into conv a; the BN folded into conv b, then Add and LeakyReLU into it; ReLU6 into fc.
            assertArrayEquals(head ? new int[] {-1, 0, -1, -1, 2, 2, -1, -1, 7} : new int[] {-1, 0, -1, -1, 2, 2},
                    model.layerFusedInto());
            Isas.forEach(isa -> {
                for (int batch : new int[] {1, 3}) {
                    float[] x = Oracle.uniform(r, batch * features);
                    x[0] = Float.NaN; // propagates through the fused epilogue as through the layers
                    try (Tensor in = Tensor.of(x, batch, 4, 6, width); Tensor out = model.run(in)) {
                        assertArrayEquals(separately(in, wa, ba, wb, mean, var, gamma, beta, head ? wfc : null, bfc),
                                out.toFloatArray(), isa + " batch " + batch + " width " + width);
                    }
                }
            });
        }
    }

    /** The graph of the test below; %s: its outputs, quoted ids. */
    private static final String SE_GRAPH = """
            {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 3, 6, 5]}],
             "layers": [
               {"type": "AdaptiveAvgPool2d", "output_size": 1, "id": "pool"},
               {"type": "Conv2d", "name": "g", "in_channels": 3, "out_channels": 4, "kernel_size": 1},
               {"type": "Sigmoid", "id": "gate"},
               {"type": "Conv2d", "name": "c", "in_channels": 3, "out_channels": 4, "kernel_size": 3,
                "padding": 1, "inputs": ["x"]},
               {"type": "Add", "inputs": ["c", "gate"]},
               {"type": "ReLU", "id": "out"},
               {"type": "Conv2d", "name": "d", "in_channels": 3, "out_channels": 1, "kernel_size": 3,
                "padding": 1, "inputs": ["x"]},
               {"type": "Add", "inputs": ["d", "out"]},
               {"type": "Tanh", "id": "big"}
             ], "outputs": [%s]}""";

    /**
     * conv(x) + gate where the gate broadcasts ([N, 4, 1, 1], an SE-style computed tensor) or the conv output does
     * ([N, 1, H, W] against [N, 4, H, W]): the Add and the activation are still fused into the convolution, whose
     * output then has the broadcast shape, and the numbers are bit for bit those of the separate layers (the same
     * graph with the convolution's output also returned, which keeps it from being fused).
     */
    @Test
    void aBroadcastingResidualIsAddedInItsOwnPassWithTheSeparateLayersResults() throws Exception {
        Random r = new Random(5);
        MapWeights weights = new MapWeights().put("g.weight", Oracle.uniform(r, 4 * 3), 4, 3, 1, 1)
                .put("g.bias", Oracle.uniform(r, 4), 4).put("c.weight", Oracle.uniform(r, 4 * 3 * 9), 4, 3, 3, 3)
                .put("c.bias", Oracle.uniform(r, 4), 4).put("d.weight", Oracle.uniform(r, 3 * 9), 1, 3, 3, 3)
                .put("d.bias", Oracle.uniform(r, 1), 1);
        for (boolean keepConvs : new boolean[] {false, true}) {
            String outputs = keepConvs ? "\"out\", \"big\", \"c\", \"d\"" : "\"out\", \"big\"";
            try (Model model = ModelGraphTest.build(SE_GRAPH.formatted(outputs), weights)) {
                if (!keepConvs) { // Sigmoid into conv g; the Adds and activations into conv c and conv d
                    assertArrayEquals(new int[] {-1, -1, 1, -1, 3, 3, -1, 6, 6}, model.layerFusedInto());
                }
            }
        }
        for (int batch : new int[] {1, 3}) {
            float[] x = Oracle.uniform(r, batch * 3 * 6 * 5);
            float[][] results = new float[2][];
            for (int keep = 0; keep < 2; keep++) {
                String outputs = keep == 1 ? "\"out\", \"big\", \"c\", \"d\"" : "\"out\", \"big\"";
                try (Model model = ModelGraphTest.build(SE_GRAPH.formatted(outputs), weights);
                        Tensor in = Tensor.of(x, batch, 3, 6, 5)) {
                    var out = model.run(java.util.Map.of("x", in));
                    try (Tensor a = out.get("out"); Tensor b = out.get("big")) {
                        assertArrayEquals(new long[] {batch, 4, 6, 5}, a.shape());
                        assertArrayEquals(new long[] {batch, 4, 6, 5}, b.shape());
                        float[] both = java.util.Arrays.copyOf(a.toFloatArray(), (int) (a.numel() + b.numel()));
                        System.arraycopy(b.toFloatArray(), 0, both, (int) a.numel(), (int) b.numel());
                        results[keep] = both;
                    }
                    out.values().forEach(Tensor::close);
                }
            }
            assertArrayEquals(results[1], results[0], "batch " + batch);
        }
    }

    /** The same network one functional op at a time (the head only if wfc is given); BN folded as the model folds it. */
    private static float[] separately(Tensor x, float[] wa, float[] ba, float[] wb, float[] mean, float[] var,
            float[] gamma, float[] beta, float[] wfc, float[] bfc) {
        float[] folded = wb.clone();
        float[] foldedBias = new float[4];
        for (int o = 0; o < 4; o++) {
            // BatchNormLayer.scaleAndShift's arithmetic
            float scale = gamma[o] * (float) (1.0f / Math.sqrt(var[o] + (float) 1e-5));
            for (int i = 0; i < 36; i++) {
                folded[o * 36 + i] *= scale;
            }
            foldedBias[o] = beta[o] - mean[o] * scale;
        }
        ConvOptions same = new ConvOptions().padding(1);
        long batch = x.size(0);
        try (Tensor twa = Tensor.of(wa, 4, 4, 3, 3); Tensor tba = Tensor.of(ba, 4);
                Tensor twb = Tensor.of(folded, 4, 4, 3, 3); Tensor tbb = Tensor.of(foldedBias, 4);
                Tensor a = Functional.conv2d(x, twa, tba, same); Tensor ra = Functional.relu(a);
                Tensor b = Functional.conv2d(ra, twb, tbb, same); Tensor sum = Functional.add(b, x);
                Tensor act = Functional.leakyRelu(sum, 0.2)) {
            if (wfc == null) {
                return act.toFloatArray();
            }
            try (Tensor twfc = Tensor.of(wfc, 7, wfc.length / 7); Tensor tbfc = Tensor.of(bfc, 7);
                    Tensor flat = act.view(batch, wfc.length / 7); Tensor fc = Functional.linear(flat, twfc, tbfc);
                    Tensor out = Functional.relu6(fc)) {
                return out.toFloatArray();
            }
        }
    }
}
