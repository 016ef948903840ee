package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.testing.Budgets;
import org.junit.jupiter.api.Test;

/**
 * Model-local ONNX functions ({@link FunctionInliner}): calls are inlined with their attribute references bound, inner
 * values renamed apart, nested calls expanded; recursive, too deep, too large or mismatched functions are refused
 * with a message. (Functions written by torch.onnx.export(export_modules_as_functions=True) and onnxscript, run
 * against onnxruntime: python/e2e.)
 */
class OnnxFunctionsTest {
    private static final int FLOAT = 1;

    /** local:Leaky(X) = Identity(LeakyRelu(X, alpha=@alpha)). */
    private static OnnxBuilder.FunctionB leaky(OnnxBuilder b) {
        OnnxBuilder.FunctionB f = b.define("local", "Leaky").inputs("X").outputs("Y").attributes("alpha")
                .opset("", 18);
        f.node("LeakyRelu", "act", in("X"), "t").refAttr("alpha", FLOAT, "alpha");
        f.node("Identity", "copy", in("t"), "Y");
        return f;
    }

    @Test
    void aCallBecomesItsBodyWithTheCallersAttributes() {
        OnnxBuilder b = withConv(18).output("y").opset("local", 1);
        leaky(b);
        b.node("Leaky", "call", in("c"), "y").domain("local").attr("alpha", 0.25f);
        assertEquals("[{\"type\":\"Conv2d\",\"name\":\"conv\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":3,"
                + "\"bias\":false},{\"type\":\"LeakyReLU\",\"id\":\"y\",\"negative_slope\":0.25}]",
                layers(convert(b)));
    }

    /** An attribute reference the call does not bind and the function has no default for is left out (its default). */
    @Test
    void anUnboundAttributeReferenceTakesTheOpsDefault() {
        OnnxBuilder b = withConv(18).output("y").opset("local", 1);
        leaky(b);
        b.node("Leaky", "call", in("c"), "y").domain("local");
        // LeakyRelu's alpha left out: torch's default negative_slope 0.01, which the format does not write
        assertTrue(layers(convert(b)).endsWith("{\"type\":\"LeakyReLU\",\"id\":\"y\"}]"), layers(convert(b)));
    }

    /** Two calls of a function whose body calls another: the same inner names, kept apart; defaults bound. */
    @Test
    void nestedCallsAreInlinedAndTheirValuesKeptApart() {
        OnnxBuilder b = withConv(18).output("y").opset("local", 1);
        leaky(b);
        OnnxBuilder.FunctionB outer = b.define("local", "Twice").inputs("A").outputs("B")
                .attributeDefault("slope", 0.5f).opset("", 18).opset("local", 1);
        outer.node("Leaky", "inner", in("A"), "u").domain("local").refAttr("alpha", FLOAT, "slope");
        outer.node("Relu", "relu", in("u"), "B");
        b.node("Twice", "one", in("c"), "f1").domain("local");
        b.node("Twice", "two", in("c"), "f2").domain("local").attr("slope", 0.125f);
        b.node("Concat", "cat", in("f1", "f2"), "y").attr("axis", 1L);
        String layers = layers(convert(b));
        assertEquals("[{\"type\":\"Conv2d\",\"name\":\"conv\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":3,"
                + "\"bias\":false},{\"type\":\"LeakyReLU\",\"negative_slope\":0.5},{\"type\":\"ReLU\",\"id\":\"one/relu\"},"
                + "{\"type\":\"LeakyReLU\",\"inputs\":[\"conv\"],\"negative_slope\":0.125},{\"type\":\"ReLU\","
                + "\"id\":\"two/relu\"},{\"type\":\"Concat\",\"id\":\"y\",\"inputs\":[\"one/relu\",\"two/relu\"]}]",
                layers);
    }

    /** An inner value named like a value of the graph gets a name of its own. */
    @Test
    void innerNamesNeverCaptureTheGraphsValues() {
        OnnxBuilder b = withConv(18).output("call/t").output("y").opset("local", 1);
        leaky(b);
        b.node("Relu", "r", in("c"), "call/t");
        b.node("Leaky", "call", in("call/t"), "y").domain("local").attr("alpha", 0.5f);
        String layers = layers(convert(b));
        assertTrue(layers.endsWith("{\"type\":\"ReLU\",\"id\":\"call/t\"},{\"type\":\"LeakyReLU\",\"id\":\"y\","
                + "\"negative_slope\":0.5}]"), layers);
    }

    @Test
    void aFunctionCallingItselfIsRefusedWithTheChain() {
        OnnxBuilder b = withConv(18).output("y").opset("local", 1);
        OnnxBuilder.FunctionB f = b.define("local", "Forever").inputs("X").outputs("Y").opset("local", 1);
        f.node("Forever", "again", in("X"), "Y").domain("local");
        b.node("Forever", "call", in("c"), "y").domain("local");
        refused(b, "Forever (node 'call/again') calls the function local:Forever within itself "
                + "(local:Forever -> local:Forever)", "recursive");
        OnnxBuilder mutual = withConv(18).output("y").opset("local", 1);
        mutual.define("local", "Ping").inputs("X").outputs("Y").node("Pong", "p", in("X"), "Y").domain("local");
        mutual.define("local", "Pong").inputs("X").outputs("Y").node("Ping", "q", in("X"), "Y").domain("local");
        mutual.node("Ping", "call", in("c"), "y").domain("local");
        refused(mutual, "(local:Ping -> local:Pong -> local:Ping)");
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() {
        OnnxBuilder b = withConv(18).output("y").opset("local", 1);
        int levels = FunctionInliner.MAX_DEPTH + 2;
        for (int k = 0; k < levels; k++) {
            OnnxBuilder.FunctionB f = b.define("local", "F" + k).inputs("X").outputs("Y");
            if (k == levels - 1) {
                f.node("Relu", "r", in("X"), "Y");
            } else {
                f.node("F" + (k + 1), "n", in("X"), "Y").domain("local");
            }
        }
        b.node("F0", "call", in("c"), "y").domain("local");
        refused(b, "the model's functions nest more than 64 calls deep (local:F0 -> local:F1 -> ", "cnn4j's limit");
    }

    /** Each level calls the one below twice: 2^40 nodes if inlined; refused at the node limit, in bounded time. */
    @Test
    void aFunctionThatDoublesPerLevelStopsAtTheNodeLimit() throws Exception {
        OnnxBuilder b = withConv(18).output("y").opset("local", 1);
        int levels = 40;
        for (int k = 0; k < levels; k++) {
            OnnxBuilder.FunctionB f = b.define("local", "G" + k).inputs("X").outputs("Y");
            if (k == levels - 1) {
                f.node("Relu", "r", in("X"), "Y");
            } else {
                f.node("G" + (k + 1), "a", in("X"), "h").domain("local");
                f.node("G" + (k + 1), "b", in("h"), "Y").domain("local");
            }
        }
        b.node("G0", "call", in("c"), "y").domain("local");
        byte[] onnx = b.build();
        IllegalArgumentException e = Budgets.withProperty("cnn4j.maxOnnxNodes", "1000",
                () -> assertThrows(IllegalArgumentException.class, () -> OnnxImport.convert(onnx, "m", null)));
        assertTrue(e.getMessage().contains("inlining the model's functions: the inlined graph has more than 1000 "
                + "nodes"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dcnn4j.maxOnnxNodes=N"), e.getMessage());
    }

    @Test
    void mismatchedFunctionsAreRefused() {
        OnnxBuilder arity = withConv(18).output("y").opset("local", 1);
        leaky(arity);
        arity.node("Leaky", "call", in("c", "c"), "y").domain("local");
        refused(arity, "Leaky (node 'call') calls the function local:Leaky with 2 inputs and 1 outputs; it declares 1 "
                + "and 1");
        OnnxBuilder opset = withConv(17).output("y").opset("local", 1);
        leaky(opset);
        opset.node("Leaky", "call", in("c"), "y").domain("local");
        refused(opset, "whose body imports ONNX opset 18 where the model imports 17", "onnx.version_converter");
        OnnxBuilder twice = withConv(18).output("y").opset("local", 1);
        leaky(twice);
        leaky(twice);
        twice.node("Leaky", "call", in("c"), "y").domain("local");
        refused(twice, "the model defines the function local:Leaky twice");
    }

    /** A node of another domain that no function of the model defines stays an unsupported op. */
    @Test
    void aCallOfNoFunctionIsAnUnsupportedOp() {
        OnnxBuilder b = withConv(18).output("y").opset("custom", 1);
        leaky(b);
        b.node("MyRelu", "call", in("c"), "y").domain("custom");
        refused(b, "unsupported ONNX ops: custom:MyRelu (node 'call')");
    }
}
