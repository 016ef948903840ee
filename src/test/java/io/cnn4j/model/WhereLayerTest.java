package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.Tensor;
import io.cnn4j.reference.NaiveElementwise;
import io.cnn4j.testing.Oracle;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The format's comparison layers and {@code Where} inside a model: Softplus(beta, threshold) as the dynamo exporter
 * writes it, {@code where(x * beta > threshold, x, softplus(x * beta) / beta)}, a Where with a number operand against a
 * broadcast [N, C, 1, 1] condition, and a parameter operand; each malformed layer refused with a message naming it.
 */
class WhereLayerTest {
    private static final String SOFTPLUS = """
            {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 3, 5, 4]}],
             "layers": [
               {"type": "Mul", "other": 2, "id": "scaled"},
               {"type": "Softplus", "id": "sp"},
               {"type": "Div", "other": 2, "id": "soft"},
               {"type": "Gt", "inputs": ["scaled"], "other": 1.5, "id": "linear"},
               {"type": "Where", "inputs": ["linear", "x", "soft"], "id": "y"},
               {"type": "AdaptiveAvgPool2d", "output_size": 1, "id": "pool"},
               {"type": "Le", "other": 0.5, "id": "low"},
               {"type": "Where", "inputs": ["low", "y"], "other": -1, "id": "masked"},
               {"type": "Eq", "inputs": ["masked"], "other": -1, "id": "was_low"},
               {"type": "Where", "name": "m", "inputs": ["was_low"], "input": "fill", "other": 2}
             ]}""";

    @Test
    void dynamosSoftplusAndMasksMatchTheFloat64Reference() throws Exception {
        Random r = new Random(5);
        float[] fill = {0.25f, -3f, 7f, 1f};
        try (Model model = ModelGraphTest.build(SOFTPLUS, new MapWeights().put("m.fill", fill, 4))) {
            assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 4}, model.layerParameterCounts());
            for (int batch : new int[] {1, 3}) {
                long[] xs = {batch, 3, 5, 4};
                float[] x = Oracle.uniform(r, batch * 60L);
                try (Tensor in = Tensor.of(x, xs); Tensor out = model.run(in)) {
                    assertArrayEquals(xs, out.shape());
                    Oracle.assertClose("batch " + batch, reference(Oracle.widen(x), xs, fill), out.toFloatArray());
                }
            }
        }
    }

    private static double[] reference(double[] x, long[] xs, float[] fill) {
        long[] one = {1};
        double[] scaled = NaiveElementwise.binary("mul", x, xs, new double[] {2}, one);
        double[] soft = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            soft[i] = (float) Math.log1p(Math.exp((float) scaled[i])) / 2;
        }
        double[] linear = NaiveElementwise.binary("gt", scaled, xs, new double[] {(float) 1.5}, one);
        double[] y = NaiveElementwise.where(linear, xs, x, xs, soft, xs);
        int planes = (int) (xs[0] * xs[1]);
        double[] pool = new double[planes];
        for (int p = 0; p < planes; p++) {
            double s = 0;
            for (int i = 0; i < 20; i++) {
                s += y[p * 20 + i];
            }
            pool[p] = (float) (s / 20);
        }
        long[] ps = {xs[0], xs[1], 1, 1};
        double[] low = NaiveElementwise.binary("le", pool, ps, new double[] {0.5}, one);
        double[] masked = NaiveElementwise.where(low, ps, y, xs, new double[] {-1}, one);
        double[] wasLow = NaiveElementwise.binary("eq", masked, xs, new double[] {-1}, one);
        return NaiveElementwise.where(wasLow, xs, Oracle.widen(fill), new long[] {4}, new double[] {2}, one);
    }

    @Test
    void malformedLayersAreRefusedNamingTheLayer() {
        refused(layer("{\"type\": \"Where\", \"condition\": 1, \"other\": 0}"), "layer 0 (Where)",
                "condition must be the layer's first input");
        refused(layer("{\"type\": \"Gt\", \"other\": 0}, {\"type\": \"Where\", \"other\": 0}"), "layer 1 (Where)",
                "takes 2 inputs (the condition and the tensor operand; the other operand is a constant), got 1");
        refused(layer("{\"type\": \"Gt\", \"other\": 0}, {\"type\": \"Where\", \"inputs\": [\"0\", \"x\"]}"),
                "layer 1 (Where)", "takes 3 inputs (the condition, input and other), got 2");
        refused(layer("{\"type\": \"Gt\", \"other\": 0}, {\"type\": \"Where\", \"inputs\": [\"0\", \"x\"], "
                + "\"input\": 1, \"other\": 0}"), "layer 1 (Where)", "takes 1 input", "got 2");
        refused(layer("{\"type\": \"Lt\", \"input\": 1, \"other\": 2}"), "layer 0 (Lt)", "both constants");
        refused(layer("{\"type\": \"Eq\", \"other\": [0]}"), "layer 0 (Eq)", "other must be a number");
        ModelGraphTest.assertRefused(layer("{\"type\": \"Gt\", \"other\": 0}, {\"type\": \"Where\", \"name\": \"m\", "
                + "\"inputs\": [\"0\", \"x\"], \"other\": \"fill\"}"), new MapWeights().put("m.fill", new float[60],
                1 * 3, 5, 4, 1), "layer 1 'm' (Where)", "would broadcast over the batch dim");
    }

    private static String layer(String layers) {
        return "{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 3, 5, 4]}], \"layers\": [" + layers
                + "]}";
    }

    private static void refused(String json, String... parts) {
        ModelGraphTest.assertRefused(json, new MapWeights(), parts);
    }
}
