package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxBuilder.ramp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.onnx.OnnxBuilder.Msg;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the importer refuses, and that each refusal names the node, the argument and its value. */
class OnnxErrorsTest {
    static IllegalArgumentException refused(OnnxBuilder b, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.convert(b.build(), "m", null));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
        return e;
    }

    /** x [N, 3, 8, 8] -> conv (3 -> 4, 3x3, weight w) -> c. */
    static OnnxBuilder withConv(long opset) {
        OnnxBuilder b = new OnnxBuilder().opset(opset).input("x", -1, 3, 8, 8)
                .weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3);
        b.node("Conv", "conv", in("x", "w"), "c");
        return b;
    }

    @Test
    void listsAllUnsupportedOpsInOneMessage() {
        OnnxBuilder b = withConv(13).output("y");
        b.node("Foo", "n1", in("c"), "f");
        b.node("Relu", "r", in("f"), "r1");
        b.node("Bar", "n7", in("r1"), "b1");
        b.node("FusedConv", "n9", in("b1"), "y").domain("com.microsoft");
        b.node("Baz", "dead", in("c"), "unused"); // not needed by any output: ignored
        IllegalArgumentException e = refused(b);
        assertEquals("unsupported ONNX ops: Foo (node 'n1'), Bar (node 'n7'), com.microsoft:FusedConv (node 'n9')",
                e.getMessage());
    }

    @Test
    void refusesOpsetsOutsideSevenToTwentyOne() {
        refused(withConv(6).output("c"), "opset 6", "7 to 21");
        refused(withConv(22).output("c"), "opset 22", "7 to 21");
        OnnxBuilder noDefault = new OnnxBuilder().opset("ai.onnx.ml", 3).input("x", -1, 3).output("x");
        refused(noDefault, "no opset of the default ONNX domain");
    }

    @Test
    void preluSlopesThatDoNotBroadcastAreRefused() {
        // (Selu with other constants and slopes along other dims are Wheres: OnnxExpandedFormsTest)
        OnnxBuilder p = withConv(13).output("y").weight("slope", ramp(8), 8, 1);
        p.node("PRelu", "p", in("c", "slope"), "y");
        refused(p, "PRelu (node 'p')", "do not broadcast", "dim 2 is 6 against 8");
    }

    /** A MaxPool's indices used alone are a MaxPoolIndices layer; its values, unused, no layer at all. */
    @Test
    void usedMaxPoolIndicesAreTheirOwnLayer() {
        OnnxBuilder b = withConv(13).output("i");
        b.node("MaxPool", "mp", in("c"), "p", "i").attr("kernel_shape", 2, 2);
        String layers = OnnxImportTest.layers(OnnxImportTest.convert(b));
        org.junit.jupiter.api.Assertions.assertTrue(layers.endsWith("{\"type\":\"MaxPoolIndices2d\",\"id\":\"i\","
                + "\"kernel_size\":2,\"stride\":1,\"indices\":\"tensor\"}]") && !layers.contains("\"MaxPool2d\""), layers);
    }

    @Test
    void batchNormInTrainingModeIsRefused() {
        OnnxBuilder b = withConv(15).output("y");
        for (String p : new String[] {"s", "bb", "m", "v"}) {
            b.weight(p, new float[] {1, 1, 1, 1}, 4);
        }
        b.node("BatchNormalization", "bn", in("c", "s", "bb", "m", "v"), "y").attr("training_mode", 1L);
        refused(b, "BatchNormalization (node 'bn')", "training_mode=1");
    }

    @Test
    void reductionsOverTheBatchDimAreRefused() {
        OnnxBuilder b = withConv(13).output("y");
        b.node("ReduceMean", "rm", in("c"), "y").attr("axes", 0, 2, 3);
        refused(b, "ReduceMean (node 'rm')", "axes [0, 2, 3] include the batch dim 0");
    }

    @Test
    void perElementBatchNormIsRefused() {
        OnnxBuilder b = withConv(7).output("y");
        for (String p : new String[] {"s", "bb", "m", "v"}) {
            b.weight(p, new float[] {1, 1, 1, 1}, 4);
        }
        b.node("BatchNormalization", "bn", in("c", "s", "bb", "m", "v"), "y").attr("spatial", 0L);
        refused(b, "BatchNormalization (node 'bn')", "spatial=0");
    }

    @Test
    void asymmetricPaddingThatChangesWindowsIsRefused() {
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 3, 8, 8).weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3)
                .output("y");
        b.node("Conv", "conv", in("x", "w"), "y").attr("pads", 0, 0, 1, 1);
        refused(b, "Conv (node 'conv')", "padding 0 at the beginning and 1 at the end", "ZeroPad");
        OnnxBuilder same = new OnnxBuilder().input("x", -1, 3, 8, 8).weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3)
                .output("y");
        same.node("Conv", "conv", in("x", "w"), "y").attr("auto_pad", "SAME_UPPER").attr("strides", 2, 2);
        refused(same, "Conv (node 'conv')", "padding 0 at the beginning and 1 at the end");
        OnnxBuilder unknown = new OnnxBuilder().input("x", -1, 3, -1, -1).weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3)
                .output("y");
        unknown.node("Conv", "conv", in("x", "w"), "y").attr("auto_pad", "SAME_UPPER").attr("strides", 2, 2);
        refused(unknown, "Conv (node 'conv')", "auto_pad=SAME_UPPER with stride 2 needs the input size");
    }

    @Test
    void poolPaddingOverHalfTheKernelIsRefused() {
        OnnxBuilder b = withConv(13).output("y");
        b.node("AveragePool", "ap", in("c"), "y").attr("kernel_shape", 2, 2).attr("pads", 2, 2, 2, 2);
        refused(b, "AveragePool (node 'ap')", "padding [2, 2] is more than half the kernel [2, 2]");
    }

    @Test
    void reshapeThatMovesTheBatchIsRefused() {
        OnnxBuilder b = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("s", new long[] {-1, 4}, 2));
        b.node("Reshape", "r", in("c", "s"), "y");
        refused(b, "Reshape (node 'r')", "[-1, 4]", "changes the batch dim");
        OnnxBuilder f = withConv(13).output("y");
        f.node("Flatten", "f", in("c"), "y").attr("axis", 2L);
        refused(f, "Flatten (node 'f')", "axis=2");
    }

    @Test
    void elementWiseOpsThatCannotBeLayersAreRefused() {
        OnnxBuilder add = withConv(13).output("y").weight("k", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4, 1, 1);
        add.node("Relu", "r", in("c"), "r1");
        add.node("Add", "a", in("r1", "k"), "y");
        refused(add, "Add (node 'a')", "constant of shape [2, 4, 1, 1]", "would broadcast over the batch dim");
        OnnxBuilder sub = withConv(13).output("y").weight("k", new float[] {1, 2, 3, 4, 5}, 5);
        sub.node("Sub", "s", in("k", "c"), "y");
        refused(sub, "Sub (node 's')", "[-1, 4, 6, 6] and [1, 1, 1, 5] do not broadcast");
        OnnxBuilder ranks = withConv(13).output("y");
        ranks.node("GlobalAveragePool", "g", in("c"), "g1");
        ranks.node("Flatten", "f", in("g1"), "f1");
        ranks.node("Add", "a", in("c", "f1"), "y");
        refused(ranks, "Add (node 'a')", "[-1, 4, 6, 6] and [-1, 4]", "different ranks");
    }

    @Test
    void concatAndTransposeOfTheBatchDimAreRefused() {
        OnnxBuilder cat = withConv(13).output("y");
        cat.node("Concat", "cat", in("c", "c"), "y").attr("axis", 0L);
        refused(cat, "Concat (node 'cat')", "axis 0");
        OnnxBuilder t = withConv(13).output("y");
        t.node("Transpose", "t", in("c"), "y").attr("perm", 1, 0, 3, 2);
        refused(t, "graph output 'y'", "Transpose (node 't')", "perm [1, 0, 3, 2]", "moves the batch dim");
    }

    @Test
    void padsThatCannotFoldAreRefused() {
        // (zeros before a MaxPool, which pads with -inf, are a padding layer of their own: OnnxExpandedFormsTest)
        OnnxBuilder batch = withConv(11).output("y").initializer(OnnxBuilder.int64Tensor("p",
                new long[] {1, 0, 1, 1, 0, 0, 1, 1}, 8));
        batch.node("Pad", "pad", in("c", "p"), "x1");
        batch.node("Relu", "r", in("x1"), "y");
        refused(batch, "Pad (node 'pad')", "has no PyTorch padding module", "never the batch dim");
        OnnxBuilder channels = withConv(11).output("y").initializer(OnnxBuilder.int64Tensor("p",
                new long[] {0, 1, 0, 0, 0, 0, 0, 0}, 8));
        channels.node("Pad", "pad", in("c", "p"), "x1").attr("mode", "reflect");
        channels.node("Relu", "r", in("x1"), "y");
        refused(channels, "Pad (node 'pad')", "only the dims after the channels");
    }

    @Test
    void nonFloatInputsAndMissingValuesAreRefused() {
        refused(new OnnxBuilder().typedInput("ids", ConstTensor.INT64, -1, 4).output("ids"), "graph input 'ids' is INT64");
        OnnxBuilder undefined = new OnnxBuilder().input("x", -1, 4).output("y");
        undefined.node("Relu", "r", in("nowhere"), "y");
        refused(undefined, "Relu (node 'r') uses 'nowhere'");
        refused(new OnnxBuilder().input("x", -1, 4).output("y"), "graph output 'y' is not produced by any node");
    }

    @Test
    void initializerDataMustMatchItsShape() {
        OnnxBuilder raw = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y")
                .initializer(OnnxBuilder.floatTensor("w", new float[3], 3, 3, 1, 1));
        raw.node("Conv", "conv", in("x", "w"), "y");
        refused(raw, "initializer 'w' has 12 bytes of raw_data, shape [3, 3, 1, 1] of FLOAT needs 36");
        OnnxBuilder typed = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y").initializer(new Msg()
                .varints(1, new long[] {3, 3, 1, 1}, true).varint(2, 1).string(8, "w").floats(4, new float[5], true));
        typed.node("Conv", "conv", in("x", "w"), "y");
        refused(typed, "initializer 'w' has 5 values in float_data, shape [3, 3, 1, 1] of FLOAT needs 9");
        OnnxBuilder none = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y").initializer(new Msg()
                .varints(1, new long[] {3, 3, 1, 1}, true).varint(2, 1).string(8, "w"));
        none.node("Conv", "conv", in("x", "w"), "y");
        refused(none, "initializer 'w' has no data");
        OnnxBuilder negative = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y").initializer(new Msg()
                .varints(1, new long[] {3, -3, 1, 1}, false).varint(2, 1).string(8, "w"));
        negative.node("Conv", "conv", in("x", "w"), "y");
        refused(negative, "initializer 'w' has a negative dimension");
        OnnxBuilder huge = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y").initializer(new Msg()
                .varints(1, new long[] {1L << 40, 1L << 40}, false).varint(2, 1).string(8, "w").bytes(9, new byte[8]));
        huge.node("Conv", "conv", in("x", "w"), "y");
        refused(huge, "initializer 'w' has shape [1099511627776, 1099511627776]", "elements");
        OnnxBuilder strings = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y").initializer(new Msg()
                .varints(1, new long[] {1}, false).varint(2, 8).string(8, "w"));
        strings.node("Conv", "conv", in("x", "w"), "y");
        refused(strings, "initializer 'w' has data type STRING");
    }

    @Test
    void foldedConstantsAreBounded() {
        OnnxBuilder b = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("shape",
                new long[] {1L << 20, 1L << 20}, 2));
        b.node("ConstantOfShape", "cos", in("shape"), "big");
        b.node("Add", "a", in("c", "big"), "y");
        refused(b, "ConstantOfShape (node 'cos')", "[1048576, 1048576]");
    }

    @Test
    void truncatedAndMalformedProtobufIsNamed() {
        byte[] ok = withConv(13).output("c").build();
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.convert(java.util.Arrays.copyOf(ok, ok.length - 10), "m", null));
        assertTrue(t.getMessage().startsWith("truncated protobuf in ModelProto.graph"), t.getMessage());
        byte[] group = {(byte) 0x0B}; // field 1, wire type 3 (start group): not in proto3/onnx
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.convert(group, "m", null));
        assertTrue(g.getMessage().contains("malformed protobuf in ModelProto"), g.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.convert(new byte[0], "m", null));
        assertTrue(empty.getMessage().contains("no graph"), empty.getMessage());
    }

    @Test
    void externalDataIsReadBesideTheModelAndStaysInsideItsFolder(@TempDir Path dir) throws Exception {
        float[] w = ramp(4 * 3 * 9);
        ByteBuffer data = ByteBuffer.allocate(16 + 4 * w.length).order(ByteOrder.LITTLE_ENDIAN).position(16);
        for (float v : w) {
            data.putFloat(v);
        }
        Files.write(dir.resolve("weights.bin"), data.array());
        Msg external = new Msg().varints(1, new long[] {4, 3, 3, 3}, false).varint(2, 1).string(8, "w")
                .message(13, new Msg().string(1, "location").string(2, "weights.bin"))
                .message(13, new Msg().string(1, "offset").string(2, "16")).varint(14, 1);
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y").initializer(external);
        b.node("Conv", "conv", in("x", "w"), "y");
        Files.write(dir.resolve("m.onnx"), b.build());
        OnnxImport.Converted c = OnnxImport.convert(dir.resolve("m.onnx"));
        assertTrue(java.util.Arrays.equals(w, c.weights().get("conv.weight").data()));
        refused(b, "external file 'weights.bin'", "from its path");

        Msg escape = new Msg().varints(1, new long[] {4, 3, 3, 3}, false).varint(2, 1).string(8, "w")
                .message(13, new Msg().string(1, "location").string(2, "../weights.bin")).varint(14, 1);
        OnnxBuilder bad = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y").initializer(escape);
        bad.node("Conv", "conv", in("x", "w"), "y");
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub/m.onnx"), bad.build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.convert(dir.resolve("sub/m.onnx")));
        assertTrue(e.getMessage().contains("outside the model's folder"), e.getMessage());
    }
}
