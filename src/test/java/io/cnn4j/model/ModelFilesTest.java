package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files end to end: JSON + weights in every supported form load and agree; every malformed file ends in an
 * exception whose message says what is wrong and where. Weights come from the fixtures of
 * scripts/make_weight_fixtures.py (a conv 2->3 k3, BatchNorm2d(3), Linear(12, 4) state_dict).
 */
class ModelFilesTest {
    private static final Path FIXTURES = Path.of("src/test/resources/weights").toAbsolutePath();

    @TempDir
    Path dir;

    private static String tinyJson(String weights, String inputShape, String layersOverride) {
        String layers = layersOverride != null ? layersOverride : """
                {"type": "Conv2d", "name": "conv", "in_channels": 2, "out_channels": 3, "kernel_size": 3},
                {"type": "BatchNorm2d", "name": "bn", "num_features": 3},
                {"type": "Flatten"},
                {"type": "Linear", "name": "fc", "in_features": 12, "out_features": 4}""";
        return "{\"cnn4j\": 1, \"name\": \"tiny\", \"weights\": \"" + weights + "\", \"inputs\": [{\"name\": \"x\", "
                + "\"shape\": " + inputShape + "}], \"layers\": [" + layers + "]}";
    }

    private Path write(String json) throws Exception {
        Path p = dir.resolve("model.json");
        Files.writeString(p, json);
        return p;
    }

    private Path modelWith(String weightsFixture) throws Exception {
        Files.copy(FIXTURES.resolve(weightsFixture), dir.resolve(weightsFixture));
        return write(tinyJson(weightsFixture, "[-1, 2, 4, 4]", null));
    }

    private static float[] run(Path model, float[] x, long... shape) throws Exception {
        try (Model m = Model.load(model); Tensor in = Tensor.of(x, shape); Tensor out = m.run(in)) {
            return out.toFloatArray();
        }
    }

    private String loadError(Path model) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(model).close());
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message should mention \"" + part + "\": " + message);
        }
    }

    @Test
    void ptAndSafetensorsWeightsGiveTheSameOutputs() throws Exception {
        float[] x = new float[2 * 2 * 4 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37);
        }
        float[] fromPt = run(modelWith("tiny_f32.pt"), x, 2, 2, 4, 4);
        Files.delete(dir.resolve("model.json"));
        float[] fromSafetensors = run(modelWith("tiny_f32.safetensors"), x, 2, 2, 4, 4);
        assertEquals(8, fromPt.length);
        assertArrayEquals(fromPt, fromSafetensors);
    }

    @Test
    void unknownLayerType() throws Exception {
        String m = loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", "{\"type\": \"Conv2D\"}")));
        assertMentions(m, "layer 0", "unknown layer type 'Conv2D'", "Conv2d");
    }

    @Test
    void unsupportedFormatVersion() throws Exception {
        String m = loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", null).replace("\"cnn4j\": 1",
                "\"cnn4j\": 3")));
        assertMentions(m, "unsupported cnn4j format version 3", "versions 1 to 2");
    }

    @Test
    void missingWeight() throws Exception {
        Files.copy(FIXTURES.resolve("tiny_f32.safetensors"), dir.resolve("w.safetensors"));
        String m = loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", null).replace("\"name\": \"fc\"",
                "\"name\": \"head\"")));
        assertMentions(m, "'head'", "no tensor 'head.weight'", "[4, 12]");
    }

    @Test
    void wrongWeightShape() throws Exception {
        Files.copy(FIXTURES.resolve("tiny_f32.safetensors"), dir.resolve("w.safetensors"));
        String m = loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", null).replace("\"kernel_size\": 3",
                "\"kernel_size\": 2")));
        assertMentions(m, "'conv'", "'conv.weight' has shape [3, 2, 3, 3]", "[3, 2, 2, 2]");
    }

    @Test
    void inputIdThatDoesNotExist() throws Exception {
        String layers = "{\"type\": \"ReLU\", \"inputs\": [\"nope\"]}";
        assertMentions(loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", layers))), "layer 0",
                "input \"nope\" does not exist");
    }

    @Test
    void inputIdThatComesLater() throws Exception {
        String layers = "{\"type\": \"ReLU\", \"inputs\": [\"later\"]}, {\"type\": \"ReLU\", \"id\": \"later\"}";
        assertMentions(loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", layers))), "layer 0",
                "\"later\" comes later (layer 1)");
    }

    @Test
    void linearInFeaturesNotMatchingTheFlattenedSize() throws Exception {
        Files.copy(FIXTURES.resolve("tiny_f32.safetensors"), dir.resolve("w.safetensors"));
        // 5x5 input: the conv gives 3x3x3 = 27 features, the Linear takes 12.
        String m = loadError(write(tinyJson("w.safetensors", "[-1, 2, 5, 5]", null)));
        assertMentions(m, "layer 3 'fc' (Linear)", "12", "27");
    }

    @Test
    void truncatedSafetensors() throws Exception {
        byte[] bytes = Files.readAllBytes(FIXTURES.resolve("tiny_f32.safetensors"));
        Files.write(dir.resolve("w.safetensors"), Arrays.copyOf(bytes, bytes.length - 10));
        assertMentions(loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", null))), "w.safetensors");
    }

    private void writeSafetensors(String header, int dataBytes, long declaredHeaderLength) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength < 0 ? h.length : declaredHeaderLength).put(h);
        Files.write(dir.resolve("w.safetensors"), b.array());
    }

    @Test
    void safetensorsHeaderLengthPastTheEnd() throws Exception {
        writeSafetensors("{}", 0, 1 << 20);
        assertMentions(loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", null))), "w.safetensors",
                "header");
    }

    @Test
    void safetensorsOverlappingOffsets() throws Exception {
        writeSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, -1);
        assertMentions(loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", null))), "w.safetensors",
                "overlap");
    }

    @Test
    void safetensorsUnknownDtype() throws Exception {
        writeSafetensors("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, -1);
        assertMentions(loadError(write(tinyJson("w.safetensors", "[-1, 2, 4, 4]", null))), "w.safetensors", "Q4");
    }

    @Test
    void ptWithOsSystemGlobalIsRefusedWithoutRunningIt() throws Exception {
        assertMentions(loadError(modelWith("os_system.pt")), "os.system", "not allowed");
    }

    @Test
    void ptWithBuiltinsEvalGlobalIsRefused() throws Exception {
        assertMentions(loadError(modelWith("builtins_eval.pt")), "builtins.eval", "not allowed");
    }

    @Test
    void legacyPtTellsHowToResave() throws Exception {
        assertMentions(loadError(modelWith("legacy.pt")), "legacy", "torch.save");
    }

    @Test
    void torchScriptArchiveIsRefused() throws Exception {
        assertMentions(loadError(modelWith("torchscript.pt")), "TorchScript", "state_dict");
    }

    @Test
    void singleFileSafetensorsModel() throws Exception {
        // tiny_f32.safetensors carries a cnn4j description in its __metadata__ (see make_weight_fixtures.py)
        // when it does not, loading it as a model says to load the JSON instead.
        Path weightsOnly = dir.resolve("plain.safetensors");
        writeSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, -1);
        Files.move(dir.resolve("w.safetensors"), weightsOnly);
        assertMentions(loadError(weightsOnly), "no \"cnn4j\" model description");
    }
}
