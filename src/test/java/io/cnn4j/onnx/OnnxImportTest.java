package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxBuilder.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.model.ModelDescription;
import io.cnn4j.onnx.OnnxBuilder.Msg;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The converted descriptions' layers, arguments, names and weights, for exported and hand-built models. */
class OnnxImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static OnnxImport.Converted fixture(String name) throws Exception {
        return OnnxImport.convert(OnnxFixturesTest.DIR.resolve(name + ".onnx"));
    }

    static OnnxImport.Converted convert(OnnxBuilder b) {
        OnnxImport.Converted c = OnnxImport.convert(b.build(), "m", null);
        ModelDescription.parse(c.model(), "m");
        return c;
    }

    /** The file's initializers, decoded, by name. */
    static Map<String, ConstTensor> initializers(String fixture) throws Exception {
        OnnxProto.Model m = OnnxProto.parseModel(Files.readAllBytes(OnnxFixturesTest.DIR.resolve(fixture + ".onnx")));
        Map<String, ConstTensor> out = new HashMap<>();
        m.graph().initializers().forEach(t -> out.put(t.name(), ConstTensor.of(t, null)));
        return out;
    }

    static void assertWeight(OnnxImport.Converted c, String key, ConstTensor expected) {
        OnnxTensorData t = c.weights().get(key);
        assertArrayEquals(expected.shape, t.shape(), key);
        assertArrayEquals(expected.floats(key), t.data(), key);
    }

    static String layers(OnnxImport.Converted c) {
        return c.model().get("layers").toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet_opset9", "lenet_opset13", "lenet_opset17", "lenet_static_opset11"})
    void lenetBecomesTheModulesItWasExportedFrom(String fixture) throws Exception {
        OnnxImport.Converted c = fixture(fixture);
        assertEquals("{\"cnn4j\":2,\"name\":\"" + fixture + "\",\"weights\":\"" + fixture + ".safetensors\","
                + "\"inputs\":[{\"name\":\"x\",\"shape\":[-1,1,20,20]}],\"outputs\":[\"y\"],\"layers\":["
                + "{\"type\":\"Conv2d\",\"name\":\"conv1\",\"in_channels\":1,\"out_channels\":4,\"kernel_size\":5},"
                + "{\"type\":\"ReLU\"},{\"type\":\"MaxPool2d\",\"kernel_size\":2},"
                + "{\"type\":\"Conv2d\",\"name\":\"conv2\",\"in_channels\":4,\"out_channels\":8,\"kernel_size\":3},"
                + "{\"type\":\"ReLU\"},{\"type\":\"MaxPool2d\",\"kernel_size\":2},{\"type\":\"Flatten\"},"
                + "{\"type\":\"Linear\",\"name\":\"fc1\",\"in_features\":72,\"out_features\":16},{\"type\":\"ReLU\"},"
                + "{\"type\":\"Linear\",\"name\":\"fc2\",\"in_features\":16,\"out_features\":10},"
                + "{\"type\":\"LogSoftmax\",\"id\":\"y\",\"dim\":1}]}", c.model().toString());
        Map<String, ConstTensor> init = initializers(fixture);
        List<String> keys = List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight",
                "fc1.bias", "fc2.weight", "fc2.bias");
        assertEquals(keys, List.copyOf(c.weights().keySet()));
        for (String k : keys) {
            assertWeight(c, k, init.get(k)); // Gemm with transB=1: the initializer is already [out, in]
        }
    }

    @Test
    void batchNormKeepsItsStatisticsAndTheResidualAddItsInputs() throws Exception {
        OnnxImport.Converted c = fixture("residual_opset11");
        JsonNode l = c.model().get("layers");
        assertEquals("{\"type\":\"BatchNorm2d\",\"name\":\"bn1\",\"num_features\":6}", l.get(3).toString());
        assertEquals("{\"type\":\"Add\",\"inputs\":[\"bn2\",\"Relu\"]}", l.get(7).toString());
        assertEquals("{\"type\":\"ReLU\",\"id\":\"Relu\"}", l.get(1).toString());
        assertEquals("{\"type\":\"AdaptiveAvgPool2d\",\"output_size\":1}", l.get(9).toString());
        Map<String, ConstTensor> init = initializers("residual_opset11");
        for (String k : List.of("bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "conv1.weight",
                "fc.weight", "fc.bias")) {
            assertWeight(c, k, init.get(k));
        }
        // opset 17, exported with squeeze(-1).squeeze(-1): two Squeezes become one Flatten
        assertEquals(layers(c), layers(fixture("residual_opset17")));
    }

    @Test
    void foldedWeightsAreNamedByModuleScopeAndSpatialMeansArePools() throws Exception {
        OnnxImport.Converted c = fixture("nested_opset18"); // BatchNorm folded into the convs by the exporter
        assertEquals(List.of("layer1.0.conv1.weight", "layer1.0.conv1.bias", "layer1.1.conv1.weight",
                "layer1.1.conv1.bias", "head.weight", "head.bias"), List.copyOf(c.weights().keySet()));
        JsonNode l = c.model().get("layers");
        assertEquals("{\"type\":\"Add\",\"id\":\"layer1.0\",\"inputs\":[\"layer1.0.relu\",\"x\"]}",
                l.get(2).toString());
        assertEquals("{\"type\":\"AdaptiveAvgPool2d\",\"id\":\"ReduceMean\",\"output_size\":1}", l.get(6).toString());
        assertEquals("{\"type\":\"AdaptiveMaxPool2d\",\"id\":\"ReduceMax\",\"inputs\":[\"layer1.1\"],"
                + "\"output_size\":1}", l.get(7).toString());
        assertEquals(layers(c), layers(fixture("nested_opset13"))); // axes as attribute vs input
    }

    @Test
    void matMulWeightsAreTransposedAndTheFollowingAddIsTheBias() throws Exception {
        OnnxImport.Converted c = fixture("tokens_opset13");
        assertEquals("[{\"type\":\"Linear\",\"name\":\"proj\",\"in_features\":8,\"out_features\":5},"
                + "{\"type\":\"ReLU\"},{\"type\":\"Linear\",\"name\":\"out\",\"id\":\"y\",\"in_features\":5,"
                + "\"out_features\":3,\"bias\":false}]", layers(c));
        Map<String, ConstTensor> init = initializers("tokens_opset13");
        assertWeight(c, "proj.weight", ConstantFolding.transpose(init.get("onnx::MatMul_10"), null, ""));
        assertWeight(c, "proj.bias", init.get("proj.bias"));
        assertWeight(c, "out.weight", ConstantFolding.transpose(init.get("onnx::MatMul_11"), null, ""));
    }

    @Test
    void gemmAlphaBetaTransBAndTypedDataAreApplied() throws Exception {
        OnnxImport.Converted c = fixture("gemm_opset13");
        assertEquals("[{\"type\":\"Flatten\"},{\"type\":\"Linear\",\"name\":\"dense1\",\"in_features\":6,"
                + "\"out_features\":5},{\"type\":\"ReLU\"},{\"type\":\"Linear\",\"name\":\"dense2\",\"id\":\"y\","
                + "\"in_features\":5,\"out_features\":4}]", layers(c));
        Map<String, ConstTensor> init = initializers("gemm_opset13");
        float[] w1 = init.get("w1").floats(""); // [6, 5], float_data; transB=0, alpha=0.5
        float[] b1 = init.get("b1").floats(""); // [1, 5]; beta=2
        float[] w = c.weights().get("dense1.weight").data();
        for (int o = 0; o < 5; o++) {
            for (int i = 0; i < 6; i++) {
                assertEquals(w1[i * 5 + o] * 0.5f, w[o * 6 + i]);
            }
            assertEquals(b1[o] * 2f, c.weights().get("dense1.bias").data()[o]);
        }
        assertArrayEquals(new long[] {5}, c.weights().get("dense1.bias").shape());
        assertWeight(c, "dense2.weight", init.get("w2d")); // DOUBLE behind a Cast
        assertWeight(c, "dense2.bias", init.get("b2h")); // FLOAT16 behind a Cast
    }

    @Test
    void halfPrecisionDecodes() {
        assertEquals(1f, ConstTensor.halfToFloat(0x3C00));
        assertEquals(-2f, ConstTensor.halfToFloat(0xC000));
        assertEquals(65504f, ConstTensor.halfToFloat(0x7BFF));
        assertEquals(0x1p-24f, ConstTensor.halfToFloat(0x0001));
        assertEquals(-0f, ConstTensor.halfToFloat(0x8000));
        assertEquals(Float.POSITIVE_INFINITY, ConstTensor.halfToFloat(0x7C00));
        assertEquals(Float.NaN, ConstTensor.halfToFloat(0x7E00));
        assertEquals(0.333251953125f, ConstTensor.halfToFloat(0x3555));
    }

    /** The same weights stored every way onnx.proto allows decode to the same tensor. */
    @Test
    void rawTypedPackedAndUnpackedDataAgree() {
        float[] w = ramp(4 * 3 * 9);
        long[] dims = {4, 3, 3, 3};
        ByteBuffer doubles = ByteBuffer.allocate(8 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : w) {
            doubles.putDouble(v);
        }
        Msg[] forms = {
            OnnxBuilder.floatTensor("w", w, dims),
            new Msg().varints(1, dims, true).varint(2, 1).string(8, "w").floats(4, w, true),
            new Msg().varints(1, dims, false).varint(2, 1).string(8, "w").floats(4, w, false),
            new Msg().varints(1, dims, false).varint(2, 11).string(8, "w").bytes(9, doubles.array()),
            doubleTensor("w", w, dims, true),
            doubleTensor("w", w, dims, false),
        };
        for (Msg form : forms) {
            OnnxBuilder b = new OnnxBuilder().input("x", -1, 3, 8, 8).output("y").initializer(form);
            b.node("Conv", "conv", in("x", "w"), "y");
            OnnxImport.Converted c = convert(b);
            assertArrayEquals(w, c.weights().get("conv.weight").data());
            assertArrayEquals(dims, c.weights().get("conv.weight").shape());
        }
    }

    private static Msg doubleTensor(String name, float[] w, long[] dims, boolean packed) {
        Msg m = new Msg().varints(1, dims, packed).varint(2, 11).string(8, name);
        if (packed) {
            ByteBuffer b = ByteBuffer.allocate(8 * w.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : w) {
                b.putDouble(v);
            }
            return m.bytes(10, b.array());
        }
        for (float v : w) {
            m.fixed64(10, v);
        }
        return m;
    }

    @Test
    void packedAndUnpackedAttributeListsAgree() {
        String[] results = new String[2];
        for (int packed = 0; packed < 2; packed++) {
            OnnxBuilder b = new OnnxBuilder().input("x", -1, 3, 8, 8).weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3)
                    .output("y");
            OnnxBuilder.NodeB conv = b.node("Conv", "conv", in("x", "w"), "y");
            if (packed == 1) {
                conv.packedAttr("pads", 1, 2, 1, 2).packedAttr("strides", 2, 1);
            } else {
                conv.attr("pads", 1, 2, 1, 2).attr("strides", 2, 1);
            }
            results[packed] = layers(convert(b));
        }
        assertEquals("[{\"type\":\"Conv2d\",\"name\":\"conv\",\"id\":\"y\",\"in_channels\":3,\"out_channels\":4,"
                + "\"kernel_size\":3,\"stride\":[2,1],\"padding\":[1,2],\"bias\":false}]", results[0]);
        assertEquals(results[0], results[1]);
    }

    @Test
    void float16AndIntegerTensorsInTypedFields() {
        // FLOAT16 weights as bit patterns in int32_data, an INT32 Reshape target in int32_data (negative: 10-byte
        // varints), behind Casts.
        Msg half = new Msg().varints(1, new long[] {2, 3}, false).varint(2, 10).string(8, "wh")
                .varints(5, new long[] {0x3C00, 0xC000, 0x3555, 0x0000, 0x3800, 0xB800}, true);
        Msg shape = new Msg().varints(1, new long[] {2}, false).varint(2, 6).string(8, "s32")
                .varints(5, new long[] {0, -1}, false);
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 3, 1).output("y").initializer(half).initializer(shape);
        b.node("Cast", "c1", in("s32"), "s").attr("to", 7L);
        b.node("Reshape", "r", in("x", "s"), "flat");
        b.node("Cast", "c2", in("wh"), "w").attr("to", 1L);
        b.node("Gemm", "fc", in("flat", "w"), "y").attr("transB", 1L);
        OnnxImport.Converted c = convert(b);
        assertEquals("[{\"type\":\"Flatten\"},{\"type\":\"Linear\",\"name\":\"fc\",\"id\":\"y\",\"in_features\":3,"
                + "\"out_features\":2,\"bias\":false}]", layers(c));
        assertArrayEquals(new float[] {1, -2, 0.333251953125f, 0, 0.5f, -0.5f}, c.weights().get("fc.weight").data());
    }

    @Test
    void initializersListedAsInputsAreWeights() throws Exception {
        OnnxImport.Converted c = fixture("lenet_opset9");
        assertEquals(1, c.model().get("inputs").size());
        assertEquals("x", c.model().get("inputs").get(0).get("name").asText());
    }

    @Test
    void clipBecomesReluOrRelu6() {
        String[] expected = {"ReLU6", "ReLU", "ReLU", "ReLU6"};
        for (int form = 0; form < 4; form++) {
            OnnxBuilder b = new OnnxBuilder().opset(form == 0 || form == 2 ? 9 : 13).input("x", -1, 4).output("y");
            switch (form) {
                case 0 -> b.node("Clip", "clip", in("x"), "y").attr("min", 0f).attr("max", 6f);
                case 1 -> b.initializer(OnnxBuilder.floatTensor("lo", new float[] {0})).node("Clip", "clip",
                        in("x", "lo"), "y");
                case 2 -> b.node("Clip", "clip", in("x"), "y").attr("min", 0f);
                default -> b.initializer(OnnxBuilder.floatTensor("lo", new float[] {0}))
                        .initializer(OnnxBuilder.floatTensor("hi", new float[] {6})).node("Clip", "clip",
                                in("x", "lo", "hi"), "y");
            }
            assertEquals("[{\"type\":\"" + expected[form] + "\",\"id\":\"y\"}]", layers(convert(b)), "form " + form);
        }
    }

    @Test
    void activationArgumentsUsePyTorchNamesAndDefaults() {
        OnnxBuilder b = new OnnxBuilder().opset(20).input("x", -1, 4, 3).output("y");
        b.node("LeakyRelu", "a", in("x"), "a1");
        b.node("LeakyRelu", "b", in("a1"), "b1").attr("alpha", 0.1f);
        b.node("Gelu", "c", in("b1"), "c1").attr("approximate", "tanh");
        b.node("Elu", "d", in("c1"), "d1");
        b.node("Softmax", "e", in("d1"), "e1");
        b.node("LogSoftmax", "f", in("e1"), "y").attr("axis", 1L);
        assertEquals("[{\"type\":\"LeakyReLU\"},{\"type\":\"LeakyReLU\",\"negative_slope\":0.1},{\"type\":\"GELU\","
                + "\"approximate\":\"tanh\"},{\"type\":\"ELU\"},{\"type\":\"Softmax\",\"dim\":2},{\"type\":"
                + "\"LogSoftmax\",\"id\":\"y\",\"dim\":1}]", layers(convert(b)));
    }

    @Test
    void outputsKeepTheirOnnxNames() {
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 3, 8, 8).weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3)
                .output("features").output("again").output("x");
        b.node("Conv", "/backbone/conv/Conv", in("x", "w"), "c");
        b.node("Identity", "i", in("c"), "features");
        b.node("Dropout", "d", in("c"), "again");
        OnnxImport.Converted c = convert(b);
        assertEquals("[\"features\",\"again\",\"x_1\"]", c.model().get("outputs").toString());
        assertEquals("[{\"type\":\"Conv2d\",\"name\":\"backbone.conv\",\"id\":\"features\",\"in_channels\":3,"
                + "\"out_channels\":4,\"kernel_size\":3,\"bias\":false},{\"type\":\"Identity\",\"id\":\"again\"},"
                + "{\"type\":\"Identity\",\"id\":\"x_1\",\"inputs\":[\"x\"]}]", layers(c));
    }

    @Test
    void numericOnnxNamesDoNotClashWithLayerIndices() {
        // Old exporters name values "0", "1", ...; cnn4j refers to a layer without name or id by its index.
        OnnxBuilder b = new OnnxBuilder().input("0", -1, 4).output("3");
        b.node("Relu", "", in("0"), "1");
        b.node("Sigmoid", "", in("1"), "2");
        b.node("Add", "", in("2", "1"), "3");
        assertEquals("[{\"type\":\"ReLU\",\"id\":\"relu\"},{\"type\":\"Sigmoid\",\"id\":\"sigmoid\"},"
                + "{\"type\":\"Add\",\"id\":\"3\",\"inputs\":[\"sigmoid\",\"relu\"]}]", layers(convert(b)));
        OnnxBuilder chain = new OnnxBuilder().input("0", -1, 4).output("y");
        chain.node("Relu", "", in("0"), "1");
        chain.node("Sigmoid", "", in("1"), "y");
        assertEquals("[{\"type\":\"ReLU\",\"id\":\"relu\"},{\"type\":\"Sigmoid\",\"id\":\"y\"}]",
                layers(convert(chain)));
    }

    @Test
    void unusedGraphInputsAndDeadBranchesAreKeptOutOfTheLayers() {
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 4).input("mask", -1, 4).output("y");
        b.node("Relu", "r", in("x"), "y");
        b.node("Sigmoid", "dead", in("mask"), "nothing");
        OnnxImport.Converted c = convert(b);
        assertEquals(2, c.model().get("inputs").size());
        assertEquals("[{\"type\":\"ReLU\",\"id\":\"y\"}]", layers(c));
        assertNull(c.model().get("weights"));
        assertFalse(c.model().toString().contains("Sigmoid"));
    }

    @Test
    void safetensorsFileHasSortedContiguousF32Tensors(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        OnnxImport.Converted c = fixture("residual_opset11");
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, c.weights(), Map.of("cnn4j", c.model().toString()));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        assertEquals(0, (8 + n) % 8);
        JsonNode header = JSON.readTree(new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(c.model().toString(), header.get("__metadata__").get("cnn4j").asText());
        long offset = 0;
        List<String> names = new java.util.ArrayList<>(c.weights().keySet());
        java.util.Collections.sort(names);
        for (String name : names) {
            JsonNode t = header.get(name);
            assertEquals("F32", t.get("dtype").asText());
            OnnxTensorData data = c.weights().get(name);
            assertEquals(JsonArgs.list(data.shape()).toString(), t.get("shape").toString());
            assertEquals(offset, t.get("data_offsets").get(0).asLong(), name);
            offset += 4L * data.data().length;
            assertEquals(offset, t.get("data_offsets").get(1).asLong(), name);
            float[] read = new float[data.data().length];
            buf.position((int) (8 + n + t.get("data_offsets").get(0).asLong()));
            buf.asFloatBuffer().get(read);
            assertArrayEquals(data.data(), read, name);
        }
        assertEquals(8 + n + offset, bytes.length);
    }
}
