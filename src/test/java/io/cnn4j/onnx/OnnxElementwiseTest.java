package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxBuilder.ramp;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * How the element-wise ONNX ops become format-v2 layers: broadcasting products of computed tensors (an SE gate),
 * one-element constants as number operands on either side, Min/Max/Sum chains, the math functions, Clip with any
 * bounds, HardSigmoid with any alpha/beta, PRelu and the other activations. (The numbers of these models are checked
 * end to end against PyTorch and onnxruntime in python/e2e.)
 */
class OnnxElementwiseTest {
    private static String convertLayers(OnnxBuilder b) {
        return layers(convert(b)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},?", "");
    }

    @Test
    void aSqueezeExcitationGateBroadcastsOverTheMap() {
        OnnxBuilder b = withConv(13).output("y");
        b.node("GlobalAveragePool", "pool", in("c"), "g");
        b.node("Sigmoid", "sig", in("g"), "s");
        b.node("Mul", "gate", in("c", "s"), "y");
        assertEquals("[{\"type\":\"AdaptiveAvgPool2d\",\"output_size\":1},{\"type\":\"Sigmoid\",\"id\":\"sig\"},"
                + "{\"type\":\"Mul\",\"id\":\"y\",\"inputs\":[\"conv\",\"sig\"]}]", convertLayers(b));
    }

    @Test
    void oneElementConstantsBecomeNumberOperands() {
        OnnxBuilder b = withConv(13).output("y").weight("half", new float[] {0.5f}).weight("one", new float[] {1f}, 1)
                .weight("two", new float[] {2f}, 1, 1, 1, 1);
        b.node("Relu", "r", in("c"), "r1");
        b.node("Mul", "m", in("r1", "half"), "m1");
        b.node("Sub", "s", in("one", "m1"), "s1");
        b.node("Div", "d", in("two", "s1"), "d1");
        b.node("Pow", "p", in("d1", "two"), "y");
        assertEquals("[{\"type\":\"ReLU\"},{\"type\":\"Mul\",\"other\":0.5},{\"type\":\"Sub\",\"input\":1.0},"
                + "{\"type\":\"Div\",\"input\":2.0},{\"type\":\"Pow\",\"id\":\"y\",\"other\":2.0}]", convertLayers(b));
    }

    @Test
    void tensorConstantsBecomeParameterOperands() {
        OnnxBuilder b = withConv(13).output("y").weight("k", new float[] {1, 2, 3, 4}, 4, 1, 1);
        b.node("Relu", "r", in("c"), "r1");
        b.node("Sub", "s", in("k", "r1"), "y");
        assertEquals("[{\"type\":\"ReLU\"},{\"type\":\"Sub\",\"name\":\"s\",\"id\":\"y\",\"input\":\"constant\"}]",
                convertLayers(b));
    }

    @Test
    void variadicMinMaxSumAndMathFunctions() {
        OnnxBuilder b = withConv(13).output("y").weight("k", new float[] {3f});
        b.node("Abs", "a", in("c"), "a1");
        b.node("Sqrt", "q", in("a1"), "q1");
        b.node("Exp", "e", in("q1"), "e1");
        b.node("Log", "l", in("e1"), "l1");
        b.node("Neg", "n", in("l1"), "n0");
        b.node("Floor", "fl", in("n0"), "f1");
        b.node("Ceil", "ce", in("f1"), "f2");
        b.node("Round", "ro", in("f2"), "f3");
        b.node("Sign", "si", in("f3"), "f4");
        b.node("Erf", "er", in("f4"), "n1");
        b.node("Max", "max", in("n1", "c", "k"), "x1");
        b.node("Min", "min", in("x1", "c"), "m1");
        b.node("Sum", "sum", in("m1", "c", "x1"), "y");
        String l = convertLayers(b);
        for (String type : new String[] {"Abs", "Sqrt", "Exp", "Log", "Neg", "Floor", "Ceil", "Round", "Sign", "Erf"}) {
            assertEquals(1, l.split("\"type\":\"" + type + "\"", -1).length - 1, l);
        }
        assertEquals(2, l.split("\"type\":\"Maximum\"", -1).length - 1, l);
        assertEquals(1, l.split("\"type\":\"Minimum\"", -1).length - 1, l);
        assertEquals(2, l.split("\"type\":\"Add\"", -1).length - 1, l);
        assertEquals(true, l.contains("{\"type\":\"Maximum\",\"id\":\"max\",\"other\":3.0}"), l);
    }

    /** Mod: fmod=1 (what ONNX requires for floats) is torch.fmod, fmod=0 torch.remainder (NumPy's mod). */
    @Test
    void modIsFmodOrRemainder() {
        OnnxBuilder b = withConv(13).output("y").weight("k", new float[] {1.5f});
        b.node("Mod", "f", in("c", "k"), "f1").attr("fmod", 1L);
        b.node("Mod", "m", in("f1", "c"), "y");
        assertEquals("[{\"type\":\"Fmod\",\"id\":\"f\",\"other\":1.5},{\"type\":\"Remainder\",\"id\":\"y\","
                + "\"inputs\":[\"f\",\"conv\"]}]", convertLayers(b));
        OnnxBuilder bad = withConv(13).output("y");
        bad.node("Mod", "m", in("c", "c"), "y").attr("fmod", 2L);
        refused(bad, "Mod (node 'm')", "fmod must be 0 or 1, got fmod=2");
    }

    @Test
    void clipWithAnyBoundsOrNone() {
        assertEquals("[{\"type\":\"Hardtanh\",\"id\":\"y\",\"min_val\":-1.0,\"max_val\":1.0}]", clip(-1f, 1f));
        assertEquals("[{\"type\":\"Maximum\",\"id\":\"y\",\"other\":-2.0}]", clip(-2f, null));
        assertEquals("[{\"type\":\"Minimum\",\"id\":\"y\",\"other\":3.0}]", clip(null, 3f));
        assertEquals("[{\"type\":\"ReLU6\",\"id\":\"y\"}]", clip(0f, 6f));
        assertEquals("[]", clip(null, null)); // the Conv's result is the output itself
        // min > max: every value becomes max, as ONNX and torch.clamp define it
        assertEquals("[{\"type\":\"Maximum\",\"other\":2.0},{\"type\":\"Minimum\",\"id\":\"y\",\"other\":1.0}]",
                clip(2f, 1f));
        OnnxBuilder old = withConv(9).output("y");
        old.node("Clip", "clip", in("c"), "y").attr("min", -1f).attr("max", 1f);
        assertEquals("[{\"type\":\"Hardtanh\",\"id\":\"y\",\"min_val\":-1.0,\"max_val\":1.0}]", convertLayers(old));
    }

    private static String clip(Float min, Float max) {
        OnnxBuilder b = withConv(13).output("y");
        if (min != null) {
            b.weight("lo", new float[] {min});
        }
        if (max != null) {
            b.weight("hi", new float[] {max});
        }
        b.node("Clip", "clip", in("c", min == null ? "" : "lo", max == null ? "" : "hi"), "y");
        return convertLayers(b);
    }

    @Test
    void activationsMapOntoPyTorchModules() {
        OnnxBuilder b = withConv(13).output("y").weight("slope", ramp(4), 4, 1, 1);
        b.node("HardSigmoid", "hs", in("c"), "h1");
        b.node("Softplus", "sp", in("h1"), "s1");
        b.node("Softsign", "ss", in("s1"), "s2");
        b.node("Selu", "se", in("s2"), "s3");
        b.node("Celu", "ce", in("s3"), "s4").attr("alpha", 0.5f);
        b.node("PRelu", "pr", in("s4", "slope"), "y");
        assertEquals("[{\"type\":\"Mul\",\"other\":0.2},{\"type\":\"Add\",\"other\":0.5},{\"type\":\"Hardtanh\","
                + "\"min_val\":0,\"max_val\":1},{\"type\":\"Softplus\"},{\"type\":\"Softsign\"},{\"type\":\"SELU\"},"
                + "{\"type\":\"CELU\",\"alpha\":0.5},{\"type\":\"PReLU\",\"name\":\"slope\",\"id\":\"y\","
                + "\"num_parameters\":4}]", convertLayers(b).replaceAll(",\"name\":\"[^\"]*\",\"id\":\"y\"",
                ",\"name\":\"slope\",\"id\":\"y\""));
        OnnxImport.Converted c = convert(b);
        String key = c.weights().keySet().stream().filter(k -> k.endsWith(".weight") && !k.startsWith("conv"))
                .findFirst().orElseThrow();
        assertArrayEquals(new long[] {4}, c.weights().get(key).shape());
        assertArrayEquals(ramp(4), c.weights().get(key).data());
    }
}
