package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.Tensor;
import io.cnn4j.reference.NaiveNorm;
import io.cnn4j.testing.Oracle;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GroupNorm, LayerNorm and InstanceNorm1d/2d/3d in a model: arguments and defaults, weights by their state_dict
 * names, InstanceNorm with running statistics (eval mode: a batch norm), and malformed layers refused.
 */
class NormLayersTest {
    private static final String CHAIN = """
            {"cnn4j": 2, "weights": "w.safetensors", "inputs": [{"name": "x", "shape": [-1, 4, 3, 5]}],
             "layers": [
               {"type": "GroupNorm", "name": "gn", "num_groups": 2, "num_channels": 4},
               {"type": "LayerNorm", "name": "ln", "normalized_shape": [3, 5], "eps": 0.001},
               {"type": "InstanceNorm2d", "name": "in", "num_features": 4, "affine": true},
               {"type": "LayerNorm", "name": "ln2", "normalized_shape": 5, "elementwise_affine": false},
               {"type": "InstanceNorm2d", "name": "stats", "num_features": 4, "track_running_stats": true},
               {"type": "GroupNorm", "name": "gn2", "num_groups": 4, "num_channels": 4, "affine": false},
               {"type": "LayerNorm", "name": "ln3", "normalized_shape": [5], "bias": false}
             ]}""";

    @Test
    void aChainOfNormsMatchesTheFloat64Reference() throws Exception {
        Random r = new Random(7);
        float[] gnW = Oracle.uniform(r, 4);
        float[] gnB = Oracle.uniform(r, 4);
        float[] lnW = Oracle.uniform(r, 15);
        float[] lnB = Oracle.uniform(r, 15);
        float[] inW = Oracle.uniform(r, 4);
        float[] inB = Oracle.uniform(r, 4);
        float[] mean = Oracle.uniform(r, 4);
        float[] var = {0.5f, 1f, 2f, 0.25f};
        float[] ln3W = Oracle.uniform(r, 5);
        MapWeights weights = new MapWeights().put("gn.weight", gnW, 4).put("gn.bias", gnB, 4)
                .put("ln.weight", lnW, 3, 5).put("ln.bias", lnB, 3, 5).put("in.weight", inW, 4)
                .put("in.bias", inB, 4).put("stats.running_mean", mean, 4).put("stats.running_var", var, 4)
                .put("ln3.weight", ln3W, 5);
        try (Model model = ModelGraphTest.build(CHAIN, weights)) {
            for (int batch : new int[] {1, 3}) {
                long[] shape = {batch, 4, 3, 5};
                float[] x = Oracle.uniform(r, batch * 60L);
                double[] ignored = new double[1];
                double[] y = NaiveNorm.groupNorm(x, shape, 2, gnW, gnB, 1e-5, ignored);
                y = NaiveNorm.layerNorm(floats(y), 15, lnW, lnB, 1e-3, ignored);
                y = NaiveNorm.instanceNorm(floats(y), shape, inW, inB, 1e-5, ignored);
                y = NaiveNorm.layerNorm(floats(y), 5, null, null, 1e-5, ignored);
                for (int i = 0; i < y.length; i++) {
                    int c = (i / 15) % 4;
                    y[i] = (float) ((float) y[i] - mean[c]) / Math.sqrt(var[c] + 1e-5);
                }
                y = NaiveNorm.groupNorm(floats(y), shape, 4, null, null, 1e-5, ignored);
                y = NaiveNorm.layerNorm(floats(y), 5, ln3W, null, 1e-5, ignored);
                try (Tensor in = Tensor.of(x, shape); Tensor out = model.run(in)) {
                    assertArrayEquals(shape, out.shape());
                    Oracle.assertClose("batch " + batch, y, out.toFloatArray());
                }
            }
            // Running statistics are not parameters.
            assertArrayEquals(new long[] {8, 30, 8, 0, 0, 0, 5}, model.layerParameterCounts());
        }
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    @Test
    void malformedLayersAreRefusedNamingTheLayer() {
        refused("{\"type\": \"GroupNorm\", \"name\": \"gn\", \"num_groups\": 3, \"num_channels\": 4}",
                new MapWeights(), "layer 0 'gn' (GroupNorm)", "num_channels must be divisible by num_groups");
        refused("{\"type\": \"GroupNorm\", \"name\": \"gn\", \"num_groups\": 0, \"num_channels\": 4}",
                new MapWeights(), "num_groups and num_channels must be positive");
        refused("{\"type\": \"GroupNorm\", \"name\": \"gn\", \"num_groups\": 2, \"num_channels\": 6, "
                + "\"affine\": false}", new MapWeights(), "expected input with 6 channels (num_channels)",
                "[1, 4, 3, 5]");
        refused("{\"type\": \"GroupNorm\", \"name\": \"gn\", \"num_groups\": 2, \"num_channels\": 4}",
                new MapWeights().put("gn.weight", new float[4], 4), "no tensor 'gn.bias'");
        refused("{\"type\": \"LayerNorm\", \"name\": \"ln\", \"normalized_shape\": [3, 5]}",
                new MapWeights().put("ln.weight", new float[15], 15).put("ln.bias", new float[15], 15),
                "weight 'ln.weight' has shape [15]", "need [3, 5]");
        refused("{\"type\": \"LayerNorm\", \"name\": \"ln\", \"normalized_shape\": [5, 3], "
                + "\"elementwise_affine\": false}", new MapWeights(), "layer 0 'ln' (LayerNorm)",
                "given normalized_shape=[5, 3]", "got input of size [1, 4, 3, 5]");
        refused("{\"type\": \"LayerNorm\", \"name\": \"ln\", \"normalized_shape\": [0]}", new MapWeights(),
                "normalized_shape must have positive sizes");
        refused("{\"type\": \"LayerNorm\", \"name\": \"ln\"}", new MapWeights(),
                "missing required argument normalized_shape");
        refused("{\"type\": \"InstanceNorm1d\", \"name\": \"in\", \"num_features\": 4}", new MapWeights(),
                "layer 0 'in' (InstanceNorm1d)", "expected 3-d input (N, C, L)", "[1, 4, 3, 5]");
        refused("{\"type\": \"InstanceNorm2d\", \"name\": \"in\", \"num_features\": 3, \"affine\": true}",
                new MapWeights().put("in.weight", new float[3], 3).put("in.bias", new float[3], 3),
                "expected input's size at dim=1 to match num_features (3), but got: 4");
        refused("{\"type\": \"InstanceNorm2d\", \"name\": \"in\", \"num_features\": 4, "
                + "\"track_running_stats\": true}", new MapWeights(), "no tensor 'in.running_mean'");
        refused("{\"type\": \"InstanceNorm3d\", \"name\": \"in\", \"num_features\": 4, \"momentum\": \"x\"}",
                new MapWeights(), "momentum must be a number");
    }

    @Test
    void instanceNormWithoutWeightsTakesAnyChannelCountAsPyTorchDoes() throws Exception {
        String json = "{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 4, 3, 5]}], \"layers\": ["
                + "{\"type\": \"InstanceNorm2d\", \"num_features\": 7}]}";
        try (Model m = ModelGraphTest.build(json, new MapWeights());
                Tensor in = Tensor.of(Oracle.uniform(new Random(3), 60), 1, 4, 3, 5); Tensor out = m.run(in)) {
            double[] y = NaiveNorm.instanceNorm(in.toFloatArray(), in.shape(), null, null, 1e-5, new double[1]);
            Oracle.assertClose("InstanceNorm2d(7) on 4 channels", y, out.toFloatArray());
        }
    }

    private static void refused(String layer, MapWeights weights, String... parts) {
        ModelGraphTest.assertRefused("{\"cnn4j\": 2, \"weights\": \"w.safetensors\", \"inputs\": [{\"name\": \"x\", "
                + "\"shape\": [-1, 4, 3, 5]}], \"layers\": [" + layer + "]}", weights, parts);
    }
}
