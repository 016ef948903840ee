package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GELU as opsets before 20 spell it (arithmetic around Erf or Tanh) becomes one GELU layer, SiLU (x * Sigmoid(x)) one
 * SiLU layer; near misses are left to their own element-wise layers (Erf, Tanh, Mul ...). The gelu* fixtures also run
 * numerically through OnnxFixturesTest (libtorch) and OnnxModelRunTest (cnn4j's runtime) against onnxruntime.
 */
class OnnxGeluFusionTest {
    private static final float SQRT2 = (float) Math.sqrt(2);
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    /** Layer types, GELU with its approximation: "GELU", "GELU tanh". */
    private static List<String> types(OnnxImport.Converted c) {
        List<String> out = new ArrayList<>();
        for (JsonNode l : c.model().get("layers")) {
            out.add(l.get("type").asText() + (l.has("approximate") ? " " + l.get("approximate").asText() : ""));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gelu1d_opset13", "gelu1d_opset17", "gelu2d_opset13", "gelu2d_opset17"})
    void exportedGeluAndSiluBecomeOneLayerEach(String fixture) throws Exception {
        List<String> expected = new ArrayList<>();
        String conv = fixture.startsWith("gelu1d") ? "Conv1d" : "Conv2d";
        expected.addAll(List.of(conv, "GELU", conv, "GELU tanh", conv, "SiLU"));
        if (fixture.startsWith("gelu1d")) {
            expected.addAll(List.of("Flatten", "Linear", "GELU")); // GELU on a Linear (Gemm) output
        }
        assertEquals(expected, types(OnnxImportTest.fixture(fixture)));
    }

    static void constant(OnnxBuilder b, String name, float value) {
        b.node("Constant", name, in(), name).tensorAttr("value", OnnxBuilder.floatTensor("", new float[] {value}));
    }

    /** nn.GELU() as torch.onnx.export writes it: Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5). */
    static OnnxBuilder erfForm(float divisor, float half) {
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 4).output("y");
        constant(b, "/gelu/Constant", divisor);
        b.node("Div", "/gelu/Div", in("x", "/gelu/Constant"), "d");
        b.node("Erf", "/gelu/Erf", in("d"), "e");
        constant(b, "/gelu/Constant_1", 1f);
        b.node("Add", "/gelu/Add", in("e", "/gelu/Constant_1"), "a");
        b.node("Mul", "/gelu/Mul", in("x", "a"), "m");
        constant(b, "/gelu/Constant_2", half);
        b.node("Mul", "/gelu/Mul_1", in("m", "/gelu/Constant_2"), "y");
        return b;
    }

    /**
     * nn.GELU(approximate="tanh") as torch.onnx.export writes it: Mul(0.5, Mul(x, Add(1, Tanh(Mul(sqrt(2/pi),
     * Add(x, Mul(0.044715, x^3))))))), x^3 as Mul(x, Mul(x, x)) or (pow) Pow(x, 3).
     */
    static OnnxBuilder tanhForm(float cubic, boolean pow) {
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 3, 5).output("y");
        if (pow) {
            constant(b, "three", 3f);
            b.node("Pow", "/g/Pow", in("x", "three"), "cube");
        } else {
            b.node("Mul", "/g/Mul", in("x", "x"), "sq");
            b.node("Mul", "/g/Mul_1", in("x", "sq"), "cube");
        }
        constant(b, "c0", cubic);
        b.node("Mul", "/g/Mul_2", in("c0", "cube"), "m2");
        b.node("Add", "/g/Add", in("x", "m2"), "s");
        constant(b, "c1", SQRT_2_OVER_PI);
        b.node("Mul", "/g/Mul_3", in("c1", "s"), "m3");
        b.node("Tanh", "/g/Tanh", in("m3"), "t");
        constant(b, "c2", 1f);
        b.node("Add", "/g/Add_1", in("c2", "t"), "a");
        b.node("Mul", "/g/Mul_4", in("x", "a"), "m4");
        constant(b, "c3", 0.5f);
        b.node("Mul", "/g/Mul_5", in("c3", "m4"), "y");
        return b;
    }

    @Test
    void torchsSpellingsBecomeGelu() {
        assertEquals("[{\"type\":\"GELU\",\"id\":\"y\"}]", layers(convert(erfForm(SQRT2, 0.5f))));
        assertEquals("[{\"type\":\"GELU\",\"id\":\"y\",\"approximate\":\"tanh\"}]",
                layers(convert(tanhForm(0.044715f, false))));
        assertEquals("[{\"type\":\"GELU\",\"id\":\"y\",\"approximate\":\"tanh\"}]",
                layers(convert(tanhForm(0.044715f, true))));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void otherOperandOrdersAndAssociationsBecomeGelu(int form) {
        // As written by hand-made modules (x * 0.5 * (1 + erf(x / sqrt 2)), transformers' GELUActivation): 0.5
        // multiplied first, x times 1/sqrt 2, constants as initializers of shape [1], operands swapped.
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 2, 3).output("y")
                .weight("half", new float[] {0.5f}, 1).weight("one", new float[] {1f}, 1)
                .weight("inv", new float[] {(float) (1 / Math.sqrt(2))}, 1).weight("sqrt2", new float[] {SQRT2});
        switch (form) {
            case 0 -> b.node("Mul", "h", in("x", "half"), "xh");
            case 1 -> b.node("Mul", "h", in("half", "x"), "xh");
            default -> b.node("Identity", "h", in("x"), "xh");
        }
        b.node(form == 2 ? "Div" : "Mul", "scale", in("x", form == 2 ? "sqrt2" : "inv"), "d");
        b.node("Erf", "erf", in("d"), "e");
        b.node("Add", "add", form == 3 ? in("one", "e") : in("e", "one"), "a");
        if (form < 2) {
            b.node("Mul", "out", in("a", "xh"), "y");
        } else {
            b.node("Mul", "m", in("a", "x"), "m");
            b.node(form == 4 ? "Div" : "Mul", "out", in("m", form == 4 ? "two" : "half"), "y");
            b.weight("two", new float[] {2f});
        }
        assertEquals("[{\"type\":\"GELU\",\"id\":\"y\"}]", layers(convert(b)), "form " + form);
    }

    @Test
    void nearMissesOfTheErfFormAreLeftToTheirOwnNodes() {
        // Not GELU: each node becomes its own element-wise layer (Div or Mul, Erf, Add, Mul).
        assertUnfused(erfForm(1.5f, 0.5f));
        assertUnfused(erfForm(SQRT2 + 1e-5f, 0.5f));
        assertUnfused(erfForm(SQRT2, 0.5f + 1e-5f));
        assertUnfused(erfForm(SQRT2, 0.5f).output("e")); // the Erf result is also a graph output
        OnnxBuilder sharedSum = erfForm(SQRT2, 0.5f).output("z");
        sharedSum.node("Relu", "r", in("a"), "z"); // 1 + erf(...) read by another node
        assertUnfused(sharedSum);
        OnnxBuilder otherTensor = new OnnxBuilder().input("x", -1, 4).input("w", -1, 4).output("y");
        constant(otherTensor, "k", SQRT2);
        otherTensor.node("Div", "div", in("w", "k"), "d"); // erf of another tensor than the one multiplied
        otherTensor.node("Erf", "/gelu/Erf", in("d"), "e");
        constant(otherTensor, "one", 1f);
        otherTensor.node("Add", "add", in("e", "one"), "a");
        otherTensor.node("Mul", "m", in("x", "a"), "m");
        constant(otherTensor, "half", 0.5f);
        otherTensor.node("Mul", "m1", in("m", "half"), "y");
        assertUnfused(otherTensor);
    }

    private static void assertUnfused(OnnxBuilder b) {
        String l = layers(convert(b));
        assertFalse(l.contains("GELU"), l);
        assertTrue(l.contains("{\"type\":\"Erf\"") && l.contains("\"type\":\"Mul\""), l);
    }

    @Test
    void nearMissesOfTheTanhFormAreLeftToTheirOwnNodes() {
        // Not GELU: each node becomes its own element-wise layer (Tanh, Mul of computed tensors, Pow).
        for (boolean pow : new boolean[] {false, true}) {
            String l = layers(convert(tanhForm(0.05f, pow)));
            assertFalse(l.contains("GELU"), l);
            assertTrue(l.contains("{\"type\":\"Tanh\"") && l.contains("\"type\":\"Mul\""), l);
            assertEquals(pow, l.contains("\"type\":\"Pow\""), l);
        }
    }

    @Test
    void longChainsOfMulAreReadInBoundedTime() {
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 4).weight("one", new float[] {1f}).output("y");
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            b.node("Mul", "m" + i, in(i == 0 ? "x" : "v" + i, "one"), i == n - 1 ? "y" : "v" + (i + 1));
        }
        assertEquals("[{\"type\":\"Identity\",\"id\":\"y\"}]", layers(convert(b)));
    }
}
