package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.Tensor;
import io.cnn4j.weights.WeightsFormatException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Models loaded from memory, as an Android app loads them from its assets: one stream, byte array or buffer holding
 * an .onnx model, a single-file .safetensors model or a weight-less model JSON, or a pair (model JSON + weights).
 * Each gives the same outputs as loading the files; truncated, malformed and endless streams end in one clear
 * message naming the stream and what is wrong.
 */
class ModelStreamsTest {
    private static final Path LENET_JSON = Path.of("models/lenet5-mnist.json");
    private static final Path LENET_WEIGHTS = Path.of("models/lenet5-mnist.safetensors");
    private static final Path LENET_ONNX = Path.of("src/test/resources/onnx/lenet_opset9.onnx");
    private static final Path WEIGHTS = Path.of("src/test/resources/weights");

    /** The tiny model of ModelFilesTest (conv 2->3 k3, BatchNorm2d(3), Linear(12, 4)) without its "weights". */
    private static final String TINY = "{\"cnn4j\": 1, \"name\": \"tiny\", \"inputs\": [{\"name\": \"x\", \"shape\": "
            + "[-1, 2, 4, 4]}], \"layers\": [{\"type\": \"Conv2d\", \"name\": \"conv\", \"in_channels\": 2, "
            + "\"out_channels\": 3, \"kernel_size\": 3}, {\"type\": \"BatchNorm2d\", \"name\": \"bn\", "
            + "\"num_features\": 3}, {\"type\": \"Flatten\"}, {\"type\": \"Linear\", \"name\": \"fc\", "
            + "\"in_features\": 12, \"out_features\": 4}]}";

    private static float[] input(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i * 0.37);
        }
        return x;
    }

    private static float[] run(Model model, long... shape) {
        float[] x = input((int) Arrays.stream(shape).reduce(1, Math::multiplyExact));
        try (model; Tensor in = Tensor.of(x, shape); Tensor out = model.run(in)) {
            return out.toFloatArray();
        }
    }

    private static InputStream stream(Path file) throws IOException {
        return new ByteArrayInputStream(Files.readAllBytes(file));
    }

    private static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    private static String message(Class<? extends Throwable> type, Executable load) {
        return assertThrows(type, load).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message should mention \"" + part + "\": " + message);
        }
    }

    @Test
    void jsonAndWeightsStreamsGiveTheFilesOutputs() throws Exception {
        float[] expected = run(Model.load(LENET_JSON), 2, 1, 28, 28);
        assertArrayEquals(expected, run(Model.load(stream(LENET_JSON), stream(LENET_WEIGHTS)), 2, 1, 28, 28));
        ByteBuffer json = ByteBuffer.wrap(Files.readAllBytes(LENET_JSON));
        ByteBuffer weights = ByteBuffer.allocateDirect((int) Files.size(LENET_WEIGHTS));
        weights.put(Files.readAllBytes(LENET_WEIGHTS)).flip();
        assertArrayEquals(expected, run(Model.load(json, weights, ModelOptions.DEFAULT), 2, 1, 28, 28));
        assertEquals(0, weights.position(), "the caller's buffer is left as it was");
    }

    @Test
    void ptAndSafetensorsWeightStreamsAgree() throws Exception {
        byte[] json = TINY.getBytes(StandardCharsets.UTF_8);
        float[] fromPt = run(Model.load(stream(json), stream(WEIGHTS.resolve("tiny_f32.pt"))), 2, 2, 4, 4);
        float[] fromSafetensors = run(Model.load(stream(json), stream(WEIGHTS.resolve("tiny_f32.safetensors"))),
                2, 2, 4, 4);
        assertEquals(8, fromPt.length);
        assertArrayEquals(fromPt, fromSafetensors);
    }

    @Test
    void onnxFromAStreamBytesOrABuffer() throws Exception {
        float[] expected = run(Model.load(LENET_ONNX), 1, 1, 20, 20);
        byte[] bytes = Files.readAllBytes(LENET_ONNX);
        assertArrayEquals(expected, run(Model.load(stream(bytes)), 1, 1, 20, 20));
        assertArrayEquals(expected, run(Model.load(bytes), 1, 1, 20, 20));
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 3).put(new byte[3]).put(bytes);
        direct.position(3);
        assertArrayEquals(expected, run(Model.load(direct), 1, 1, 20, 20));
        assertEquals(3, direct.position());
    }

    /** tiny_f32.safetensors with the tiny model's JSON in its __metadata__, as the converter writes one file. */
    private static byte[] singleFileModel() throws IOException {
        byte[] file = Files.readAllBytes(WEIGHTS.resolve("tiny_f32.safetensors"));
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = (ObjectNode) json.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        header.putObject("__metadata__").put("cnn4j", TINY);
        byte[] newHeader = json.writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(8 + newHeader.length + file.length - 8 - (int) headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(newHeader.length).put(newHeader).put(file, 8 + (int) headerLength, file.length - 8 - (int) headerLength);
        return out.array();
    }

    @Test
    void singleFileSafetensorsAndWeightlessJsonFromOneStream() throws Exception {
        byte[] model = singleFileModel();
        float[] fromPair = run(Model.load(stream(TINY.getBytes(StandardCharsets.UTF_8)),
                stream(WEIGHTS.resolve("tiny_f32.safetensors"))), 2, 2, 4, 4);
        assertArrayEquals(fromPair, run(Model.load(stream(model)), 2, 2, 4, 4));
        assertArrayEquals(fromPair, run(Model.load(ByteBuffer.wrap(model), ModelOptions.DEFAULT), 2, 2, 4, 4));

        String relu = "{\"cnn4j\": 1, \"name\": \"relu\", \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 3]}], "
                + "\"layers\": [{\"type\": \"ReLU\"}]}";
        try (Model m = Model.load(stream(relu.getBytes(StandardCharsets.UTF_8)));
                Tensor x = Tensor.of(new float[] {-1, 0, 2}, 1, 3); Tensor y = m.run(x)) {
            assertArrayEquals(new float[] {0, 0, 2}, y.toFloatArray());
        }
    }

    @Test
    void truncatedStreamsSayWhatEndedEarly() throws Exception {
        byte[] json = Files.readAllBytes(LENET_JSON);
        byte[] weights = Files.readAllBytes(LENET_WEIGHTS);
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(
                stream(Arrays.copyOf(json, json.length / 2)), stream(weights))),
                "the model JSON stream", "ends before the JSON is complete");
        assertMentions(message(WeightsFormatException.class, () -> Model.load(stream(json),
                stream(Arrays.copyOf(weights, weights.length - 100)))), "the weights stream", "truncated");
        assertMentions(message(WeightsFormatException.class, () -> Model.load(stream(json),
                stream(Arrays.copyOf(weights, 20)))), "the weights stream", "truncated");
        byte[] pt = Files.readAllBytes(WEIGHTS.resolve("tiny_f32.pt"));
        String ptMessage = message(WeightsFormatException.class, () -> Model.load(
                stream(TINY.getBytes(StandardCharsets.UTF_8)), stream(Arrays.copyOf(pt, pt.length / 2))));
        assertMentions(ptMessage, "the weights stream");
        assertFalse(ptMessage.contains("cnn4j-weights-"), "the temporary file is not the user's: " + ptMessage);

        byte[] onnx = Files.readAllBytes(LENET_ONNX);
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(
                stream(Arrays.copyOf(onnx, onnx.length / 2)))), "the model stream", "ONNX");
        byte[] single = singleFileModel();
        assertMentions(message(WeightsFormatException.class, () -> Model.load(
                Arrays.copyOf(single, single.length - 8))), "the model bytes", "truncated");
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(stream(new byte[0]))),
                "the model stream", "empty");
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(stream(new byte[0]),
                stream(weights))), "the model JSON stream", "empty");
        assertMentions(message(WeightsFormatException.class, () -> Model.load(stream(json),
                stream(new byte[0]))), "the weights stream", "empty");
    }

    @Test
    void malformedOrMisplacedStreamsSayWhatGoesWhere() throws Exception {
        byte[] json = Files.readAllBytes(LENET_JSON);
        byte[] weights = Files.readAllBytes(LENET_WEIGHTS);
        // A JSON that names a weights file cannot bring it along in one stream.
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(stream(json))),
                "the model stream", "\"weights\"", "Model.load(json, weights)");
        // Weights alone are not a model.
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(stream(weights))),
                "the model stream", "weights only");
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(Files.readAllBytes(
                WEIGHTS.resolve("tiny_f32.pt")))), "the model bytes", "PyTorch", "Model.load(json, weights)");
        // Neither format: a PNG's first bytes.
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(png)),
                "the model bytes", "not a model cnn4j reads");
        // Swapped pair.
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(stream(weights), stream(json))),
                "the model JSON stream", "not a cnn4j model");
        assertMentions(message(WeightsFormatException.class, () -> Model.load(stream(json), stream(json))),
                "the weights stream", "not a weights file");
        // Not UTF-8, and JSON that is not a model.
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(stream(new byte[] {'{', (byte) 0xff,
                '}'}), stream(weights))), "the model JSON stream", "UTF-8");
        assertMentions(message(IllegalArgumentException.class, () -> Model.load(stream("{\"cnn4j\": 1}"
                .getBytes(StandardCharsets.UTF_8)))), "the model stream");
    }

    @Test
    void endlessOrLongStreamsStopAtTheLimit() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return '{';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) ' ');
                return len;
            }
        };
        String before = System.getProperty("cnn4j.maxStreamBytes");
        System.setProperty("cnn4j.maxStreamBytes", "100000");
        try {
            assertMentions(message(IllegalArgumentException.class, () -> Model.load(endless)),
                    "the model stream", "100000", "cnn4j.maxStreamBytes");
            assertMentions(message(IllegalArgumentException.class, () -> Model.load(
                    stream(TINY.getBytes(StandardCharsets.UTF_8)), endless)), "the weights stream",
                    "cnn4j.maxStreamBytes");
        } finally {
            if (before == null) {
                System.clearProperty("cnn4j.maxStreamBytes");
            } else {
                System.setProperty("cnn4j.maxStreamBytes", before);
            }
        }
    }

    @Test
    void readErrorsPropagateAndStreamsStayOpen() throws Exception {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("asset gone");
            }
        };
        assertEquals("asset gone", message(IOException.class, () -> Model.load(failing)));
        boolean[] closed = {false};
        InputStream watched = new FilterInputStream(stream(LENET_ONNX)) {
            @Override
            public void close() throws IOException {
                closed[0] = true;
                super.close();
            }
        };
        Model.load(watched).close();
        assertFalse(closed[0], "the caller opened the stream and closes it");
        assertMentions(message(NullPointerException.class, () -> Model.load((InputStream) null)), "model");
        assertMentions(message(NullPointerException.class, () -> Model.load(stream(LENET_JSON), (InputStream) null)), "weights");
    }
}
