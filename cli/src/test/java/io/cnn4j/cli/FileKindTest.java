package io.cnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** File kinds from first bytes, on the repository's own files and on made-up headers. */
class FileKindTest {
    private static FileKind of(String path) throws Exception {
        return FileKind.of(Path.of(path));
    }

    @Test
    void theRepositorysFiles() throws Exception {
        assertEquals(FileKind.JSON, of("models/lenet5-mnist.json"));
        assertEquals(FileKind.SAFETENSORS, of("models/lenet5-mnist.safetensors"));
        assertEquals(FileKind.PNG, of("models/samples/digit-0-1.png"));
        assertEquals(FileKind.NPY, of("src/test/resources/mnist/heldout-200.npy"));
        assertEquals(FileKind.ONNX, of("src/test/resources/onnx/gemm_opset13.onnx"));
        assertEquals(FileKind.ZIP, of("src/test/resources/weights/parameters.pt"));
        assertEquals(FileKind.PICKLE, of("src/test/resources/weights/legacy.pt"));
        assertEquals(FileKind.TEXT, of("README.md"));
        assertEquals(FileKind.DIRECTORY, of("models"));
        assertEquals(FileKind.MISSING, of("no-such-file"));
    }

    @Test
    void headers() {
        assertEquals(FileKind.JPEG, FileKind.of(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0}));
        assertEquals(FileKind.GIF, FileKind.of("GIF89a".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(FileKind.EMPTY, FileKind.of(new byte[0]));
        assertEquals(FileKind.JSON, FileKind.of("\uFEFF  [1, 2]".getBytes(StandardCharsets.UTF_8)));
        // A multi-byte character cut by the 64-byte window is still text.
        byte[] cut = ("{\"name\": \"" + "é".repeat(40)).getBytes(StandardCharsets.UTF_8);
        assertEquals(FileKind.JSON, FileKind.of(java.util.Arrays.copyOf(cut, 64)));
        assertEquals(FileKind.UNKNOWN, FileKind.of(new byte[] {0, 1, 2, 3}));
    }
}
