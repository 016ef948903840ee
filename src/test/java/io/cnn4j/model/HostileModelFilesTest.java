package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files made to hurt the process (absurd sizes, deep nesting, foreign encodings, paths out of the model's
 * folder): each ends in an exception that names the file or layer and says what is wrong, never in a JVM abort,
 * an undocumented exception or an error message that quotes a file that is not a model file.
 */
class HostileModelFilesTest {
    @TempDir
    Path dir;

    private Path write(String json) throws Exception {
        Path p = dir.resolve("model.json");
        Files.writeString(p, json);
        return p;
    }

    private static String model(String inputShape, String layer) {
        return "{\"cnn4j\": 1, \"name\": \"m\", \"inputs\": [{\"name\": \"x\", \"shape\": " + inputShape + "}], "
                + "\"layers\": [" + layer + "]}";
    }

    private static String loadError(Path model) {
        return assertThrows(IllegalArgumentException.class, () -> Model.load(model).close()).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message should mention \"" + part + "\": " + message);
        }
    }

    @Test
    void anOutputOfMoreElementsThanCanBeAllocatedIsRefusedAtLoad() throws Exception {
        // The 160-byte file of issue 7: its arena size overflowed and `run` aborted the JVM.
        Path p = write(model("[-1, 1, 8, 8]", "{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": [2147483647, "
                + "2147483647]}"));
        assertMentions(loadError(p), "layer 0 (AdaptiveAvgPool2d)", "[1, 1, 2147483647, 2147483647]", "2^45");
    }

    @Test
    void anArenaThatCannotBeAllocatedIsAnOutOfMemoryErrorWithAMessage() throws Exception {
        // 2^44 floats: below the hard limit, so it plans, but no machine has the 64 TiB it needs.
        Path p = write(model("[-1, 1, 8, 8]", "{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": [4194304, "
                + "4194304]}"));
        try (Model m = Model.load(p); Tensor x = Tensor.zeros(1, 1, 8, 8)) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> m.run(x).close());
            assertMentions(e.getMessage(), "arena of model m", "[1, 1, 8, 8]", "-Xmx");
            // The model stays usable after a failed allocation.
            OutOfMemoryError again = assertThrows(OutOfMemoryError.class, () -> m.run(x).close());
            assertMentions(again.getMessage(), "arena");
        }
    }

    @Test
    void hugePaddingIsRefusedWithTheLayerNamed() throws Exception {
        Path p = write(model("[-1, 1, 8, 8]", "{\"type\": \"Conv2d\", \"name\": \"conv\", \"in_channels\": 1, \"out_channels\": 1, "
                + "\"kernel_size\": 1, \"bias\": false, \"padding\": [2147483647, 2147483647]}").replace("\"layers\"",
                "\"weights\": \"w.safetensors\", \"layers\""));
        writeOneWeight(dir.resolve("w.safetensors"), "conv.weight", 1, 1, 1, 1);
        assertMentions(loadError(p), "layer 0 'conv' (Conv2d)", "2^45");
    }

    @Test
    void jsonNestedDeeperThanTheParserAllowsIsRefused() throws Exception {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        Path p = write("{\"cnn4j\": 1, \"deep\": " + deep + "}");
        assertMentions(loadError(p), p.toString(), "nesting depth");
    }

    @Test
    void aModelFileThatIsNotUtf8IsRefusedWithItsName() throws Exception {
        Path p = dir.resolve("latin1.json");
        Files.write(p, model("[-1, 1, 8, 8]", "{\"type\": \"ReLU\", \"name\": \"caf\u00e9\"}")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertMentions(loadError(p), p.toString(), "not UTF-8", "byte offset");
    }

    @Test
    void weightsOutsideTheModelsFolderAreRefused() throws Exception {
        for (String weights : new String[] {"../../../../etc/passwd", "/etc/passwd", "sub/../../w.safetensors", "."}) {
            Path p = write(model("[-1, 1, 8, 8]", "{\"type\": \"ReLU\"}").replace("\"layers\"",
                    "\"weights\": \"" + weights + "\", \"layers\""));
            String message = loadError(p);
            assertMentions(message, p.toString(), "outside the model's folder");
            assertFalse(message.contains("root:"), message);
        }
    }

    @Test
    void weightsInASubfolderAreFound() throws Exception {
        Files.createDirectories(dir.resolve("weights"));
        writeOneWeight(dir.resolve("weights/w.safetensors"), "conv.weight", 1, 1, 1, 1);
        Path p = write(model("[-1, 1, 2, 2]", "{\"type\": \"Conv2d\", \"name\": \"conv\", \"in_channels\": 1, \"out_channels\": 1, "
                + "\"kernel_size\": 1, \"bias\": false}").replace("\"layers\"",
                "\"weights\": \"weights/../weights/w.safetensors\", \"layers\""));
        Model.load(p).close();
    }

    @Test
    void aFileThatIsNotAModelIsNotQuotedInTheError() throws Exception {
        Path p = dir.resolve("passwd.json");
        Files.writeString(p, "root:x:0:0:root:/root:/bin/bash\nsecret-line\n");
        String message = loadError(p);
        assertMentions(message, p.toString(), "not a cnn4j model");
        assertFalse(message.contains("root") && message.indexOf("root") != message.indexOf(p.toString()), message);
        assertFalse(message.contains("secret"), message);
    }

    /** A safetensors file with one float32 tensor of ones. */
    static void writeOneWeight(Path path, String name, long... shape) throws Exception {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        String header = "{\"" + name + "\": {\"dtype\": \"F32\", \"shape\": " + java.util.Arrays.toString(shape)
                + ", \"data_offsets\": [0, " + 4 * n + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + (int) (4 * n))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (long i = 0; i < n; i++) {
            b.putFloat(1f);
        }
        Files.write(path, b.array());
    }
}
