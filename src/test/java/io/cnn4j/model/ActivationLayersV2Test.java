package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.reference.NaiveElementwise;
import io.cnn4j.testing.Oracle;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The activation modules of format version 2 in a model: arguments, PReLU's weight, and malformed layers refused. */
class ActivationLayersV2Test {
    private static final String CHAIN = """
            {"cnn4j": 2, "weights": "w.safetensors", "inputs": [{"name": "x", "shape": [-1, 3, 4, 2]}],
             "layers": [
               {"type": "PReLU", "name": "act", "num_parameters": 3, "init": 0.1},
               {"type": "Softplus", "beta": 2, "threshold": 3},
               {"type": "Hardtanh", "min_val": 0.2, "max_val": 1.5},
               {"type": "CELU", "alpha": 0.5, "inplace": true},
               {"type": "SELU"},
               {"type": "Mish"},
               {"type": "Softsign"},
               {"type": "LogSigmoid"}
             ]}""";

    @Test
    void aChainOfActivationsMatchesTheFloat64Reference() throws Exception {
        Random r = new Random(5);
        float[] w = {0.25f, -0.5f, 2f};
        try (Model model = ModelGraphTest.build(CHAIN, new MapWeights().put("act.weight", w, 3))) {
            for (int batch : new int[] {1, 3}) {
                float[] x = Oracle.uniform(r, batch * 24L);
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 4;
                }
                double[] y = Oracle.widen(x);
                for (int i = 0; i < y.length; i++) {
                    y[i] = NaiveElementwise.activation("prelu", w[(i / 8) % 3], 0, y[i]);
                }
                apply(y, "softplus", 2, 3);
                apply(y, "hardtanh", 0.2f, 1.5f);
                apply(y, "celu", 0.5, 0);
                apply(y, "selu", 0, 0);
                apply(y, "mish", 0, 0);
                apply(y, "softsign", 0, 0);
                apply(y, "logsigmoid", 0, 0);
                try (Tensor in = Tensor.of(x, batch, 3, 4, 2); Tensor out = model.run(in)) {
                    assertArrayEquals(new long[] {batch, 3, 4, 2}, out.shape());
                    Oracle.assertClose("batch " + batch, y, out.toFloatArray());
                }
            }
        }
    }

    private static void apply(double[] y, String f, double p0, double p1) {
        for (int i = 0; i < y.length; i++) {
            y[i] = NaiveElementwise.activation(f, p0, p1, y[i]);
        }
    }

    @Test
    void malformedLayersAreRefusedNamingTheLayer() {
        refused("{\"type\": \"PReLU\", \"name\": \"act\", \"num_parameters\": 0}", new MapWeights(),
                "layer 0 'act' (PReLU)", "num_parameters must be at least 1");
        refused("{\"type\": \"PReLU\", \"name\": \"act\", \"num_parameters\": 2}",
                new MapWeights().put("act.weight", new float[] {1, 2}, 2), "layer 0 'act' (PReLU)", "2 weights",
                "[1, 3, 4, 2]");
        refused("{\"type\": \"PReLU\", \"name\": \"act\"}", new MapWeights().put("act.weight", new float[] {1, 2}, 2),
                "weight 'act.weight' has shape [2]", "need [1]");
        refused("{\"type\": \"PReLU\", \"name\": \"act\"}", new MapWeights(), "no tensor 'act.weight'");
        refused("{\"type\": \"Hardtanh\", \"min_val\": 2, \"max_val\": 1}", new MapWeights(), "layer 0 (Hardtanh)",
                "max_val must be greater than or equal to min_val");
        refused("{\"type\": \"CELU\", \"alpha\": 0}", new MapWeights(), "layer 0 (CELU)", "alpha must not be 0");
        refused("{\"type\": \"Softplus\", \"beta\": \"big\"}", new MapWeights(), "layer 0 (Softplus)",
                "beta must be a number");
        refused("{\"type\": \"Softsign\", \"inplace\": true}", new MapWeights(), "unknown argument inplace");
    }

    private static void refused(String layer, MapWeights weights, String... parts) {
        String json = "{\"cnn4j\": 2, \"weights\": \"w.safetensors\", \"inputs\": [{\"name\": \"x\", \"shape\": "
                + "[-1, 3, 4, 2]}], \"layers\": [" + layer + "]}";
        Exception e = assertThrows(IllegalArgumentException.class, () -> {
            try (Model m = ModelGraphTest.build(json, weights)) {
                m.layerOutputShapes(1);
            }
        });
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
