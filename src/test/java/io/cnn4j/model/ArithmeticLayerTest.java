package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.Tensor;
import io.cnn4j.reference.NaiveElementwise;
import io.cnn4j.testing.Oracle;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The format's element-wise layers (version 2) inside models: an SE-style gate {@code x * sigmoid(pool(x))}
 * broadcasting [N, C, 1, 1] over [N, C, H, W], number operands on either side ({@code 1 - x}, {@code x * 0.5 + 1}),
 * a sum of three inputs, the unary math layers, and each malformed layer refused with a message naming it.
 */
class ArithmeticLayerTest {
    private static final String GATE = """
            {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 3, 5, 4]}],
             "layers": [
               {"type": "AdaptiveAvgPool2d", "output_size": 1, "id": "pool"},
               {"type": "Sigmoid", "id": "gate"},
               {"type": "Mul", "inputs": ["x", "gate"], "id": "gated"},
               {"type": "Mul", "other": 0.5, "id": "half"},
               {"type": "Add", "other": 1, "id": "plus"},
               {"type": "Sub", "input": 1, "id": "flip"},
               {"type": "Div", "inputs": ["flip", "gate"], "id": "div"},
               {"type": "Add", "inputs": ["div", "x", "gated"], "id": "sum"},
               {"type": "Abs", "id": "abs"},
               {"type": "Sqrt", "id": "sqrt"},
               {"type": "Pow", "other": 3, "id": "cube"},
               {"type": "Maximum", "inputs": ["cube", "x"], "id": "max"},
               {"type": "Neg", "id": "neg"},
               {"type": "Exp", "id": "exp"},
               {"type": "Minimum", "inputs": ["exp", "gate"], "id": "min"},
               {"type": "Log", "id": "log"}
             ]}""";

    @Test
    void aGatedBlockMatchesTheFloat64Reference() throws Exception {
        Random r = new Random(9);
        try (Model model = ModelGraphTest.build(GATE, new MapWeights())) {
            for (int batch : new int[] {1, 3}) {
                long[] xs = {batch, 3, 5, 4};
                float[] x = Oracle.uniform(r, batch * 60L);
                double[] expected = reference(Oracle.widen(x), xs);
                try (Tensor in = Tensor.of(x, xs); Tensor out = model.run(in)) {
                    assertArrayEquals(xs, out.shape());
                    Oracle.assertClose("batch " + batch, expected, out.toFloatArray());
                }
            }
        }
    }

    /** Floor, Ceil, Round, Sign and Erf layers, each on the model input, against the float64 reference. */
    @Test
    void roundingSignAndErfLayersMatchTheReference() throws Exception {
        String json = """
                {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 2, 5]}],
                 "layers": [
                   {"type": "Floor", "id": "floor"},
                   {"type": "Ceil", "inputs": ["x"], "id": "ceil"},
                   {"type": "Round", "inputs": ["x"], "id": "round"},
                   {"type": "Sign", "inputs": ["x"], "id": "sign"},
                   {"type": "Erf", "inputs": ["x"], "id": "erf"}
                 ],
                 "outputs": ["floor", "ceil", "round", "sign", "erf"]}""";
        float[] x = {-2.5f, -1.5f, -0.5f, 0f, 0.5f, 1.5f, 2.5f, 0.3f, -0.7f, 3.2f};
        try (Model model = ModelGraphTest.build(json, new MapWeights()); Tensor in = Tensor.of(x, 1, 2, 5)) {
            java.util.Map<String, Tensor> out = model.run(java.util.Map.of("x", in));
            for (String f : new String[] {"floor", "ceil", "round", "sign", "erf"}) {
                try (Tensor y = out.get(f)) {
                    Oracle.assertClose(f, NaiveElementwise.unary(f, Oracle.widen(x)), y.toFloatArray());
                }
            }
        }
        ModelGraphTest.assertRefused("{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 3]}], "
                + "\"layers\": [{\"type\": \"Round\", \"decimals\": 1}]}", new MapWeights(), "layer 0 (Round)",
                "decimals");
    }

    private static double[] reference(double[] x, long[] xs) {
        int planes = (int) (xs[0] * xs[1]);
        int plane = (int) (xs[2] * xs[3]);
        long[] gs = {xs[0], xs[1], 1, 1};
        double[] gate = new double[planes];
        for (int p = 0; p < planes; p++) {
            double s = 0;
            for (int i = 0; i < plane; i++) {
                s += x[p * plane + i];
            }
            gate[p] = 1 / (1 + Math.exp(-(float) (s / plane)));
        }
        double[] gated = NaiveElementwise.binary("mul", x, xs, gate, gs);
        double[] half = NaiveElementwise.binary("mul", gated, xs, new double[] {0.5}, new long[] {1});
        double[] plus = NaiveElementwise.binary("add", half, xs, new double[] {1}, new long[] {1});
        double[] flip = NaiveElementwise.binary("sub", new double[] {1}, new long[] {1}, plus, xs);
        double[] div = NaiveElementwise.binary("div", flip, xs, gate, gs);
        double[] sum = NaiveElementwise.binary("add", NaiveElementwise.binary("add", div, xs, x, xs), xs, gated, xs);
        double[] sqrt = NaiveElementwise.unary("sqrt", NaiveElementwise.unary("abs", sum));
        double[] cube = NaiveElementwise.binary("pow", sqrt, xs, new double[] {3}, new long[] {1});
        double[] max = NaiveElementwise.binary("maximum", cube, xs, x, xs);
        double[] exp = NaiveElementwise.unary("exp", NaiveElementwise.unary("neg", max));
        double[] min = NaiveElementwise.binary("minimum", exp, xs, gate, gs);
        return NaiveElementwise.unary("log", min);
    }

    @Test
    void malformedLayersAreRefusedNamingTheLayer() {
        refused(layer("{\"type\": \"Mul\", \"input\": 2, \"other\": 3}"), "layer 0 (Mul)", "both constants");
        refused(layer("{\"type\": \"Mul\", \"other\": \"half\"}"), "layer 0 (Mul)",
                "a parameter operand needs a \"name\"");
        refused(layer("{\"type\": \"Mul\", \"other\": [1]}"), "layer 0 (Mul)", "other must be a number");
        refused(layer("{\"type\": \"Div\", \"other\": 2, \"rounding_mode\": \"floor\"}"), "layer 0 (Div)",
                "rounding_mode is not supported");
        refused(layer("{\"type\": \"Sub\", \"alpha\": 2, \"inputs\": [\"x\", \"x\"]}"), "layer 0 (Sub)",
                "unknown argument alpha");
        refused(layer("{\"type\": \"Mul\", \"other\": 2, \"inputs\": [\"x\", \"x\"]}"), "layer 0 (Mul)",
                "takes 1 input (the other operand is a number), got 2");
        refused(layer("{\"type\": \"Maximum\"}"), "layer 0 (Maximum)", "takes 2 inputs, got 1");
        refused(layer("{\"type\": \"Add\"}"), "layer 0 (Add)", "takes two or more inputs, got 1");
        refused(layer("{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": [2, 1]}, {\"type\": \"Add\", \"inputs\": "
                + "[\"x\", \"0\"]}"), "layer 1 (Add)", "do not broadcast", "[-1, 3, 5, 4]".replace("-1", "1"));
        refused(layer("{\"type\": \"Neg\", \"inplace\": true}"), "layer 0 (Neg)", "unknown argument inplace");
        refused(layer("{\"type\": \"Mul\", \"other\": 2}").replace("\"cnn4j\": 2", "\"cnn4j\": 3"),
                "unsupported cnn4j format version 3");
    }

    /** A module's own parameter as an operand, broadcast from the right as PyTorch does (ConvNeXt's layer scale). */
    @Test
    void parameterOperandsBroadcastFromTheRight() throws Exception {
        String json = layer("{\"type\": \"Mul\", \"name\": \"block\", \"input\": \"gamma\"},"
                + "{\"type\": \"Add\", \"name\": \"block\", \"id\": \"shifted\", \"other\": \"shift\"}");
        float[] gamma = {0.5f, -2f, 3f, 0.25f};
        float[] shift = {1f, -1f, 0.5f};
        MapWeights weights = new MapWeights().put("block.gamma", gamma, 4).put("block.shift", shift, 3, 1, 1);
        try (Model model = ModelGraphTest.build(json, weights)) {
            assertArrayEquals(new long[] {4, 3}, model.layerParameterCounts());
            float[] x = Oracle.uniform(new Random(4), 120);
            double[] expected = new double[120];
            for (int i = 0; i < 120; i++) {
                expected[i] = (float) (gamma[i % 4] * x[i]) + shift[(i / 20) % 3];
            }
            try (Tensor in = Tensor.of(x, 2, 3, 5, 4); Tensor out = model.run(in)) {
                Oracle.assertClose("gamma * x + shift", expected, out.toFloatArray());
            }
        }
        refusedWith(layer("{\"type\": \"Mul\", \"name\": \"block\", \"other\": \"gamma\"}"),
                new MapWeights().put("block.gamma", new float[120], 2, 3, 5, 4), "layer 0 'block' (Mul)",
                "a constant operand of shape [2, 3, 5, 4]", "would broadcast over the batch dim");
        refusedWith(layer("{\"type\": \"Mul\", \"name\": \"block\", \"other\": \"gamma\"}"),
                new MapWeights().put("block.gamma", new float[5], 5), "do not broadcast");
        refusedWith(layer("{\"type\": \"Mul\", \"name\": \"block\", \"other\": \"beta\"}"), new MapWeights(),
                "the weights file has no tensor 'block.beta'");
    }

    private static String layer(String layers) {
        return "{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 3, 5, 4]}], \"layers\": [" + layers
                + "]}";
    }

    private static void refused(String json, String... parts) {
        refusedWith(json, new MapWeights(), parts);
    }

    private static void refusedWith(String json, MapWeights weights, String... parts) {
        ModelGraphTest.assertRefused(json, weights, parts);
    }
}
