package io.cnn4j.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Reads a weights file of either format cnn4j accepts, chosen by content, not by file name: a zip archive is a
 * PyTorch {@code torch.save} file ({@link PyTorchReader}), anything starting with an 8-byte header length followed by
 * JSON is safetensors ({@link SafetensorsReader}).
 */
public final class WeightsReader {
    private WeightsReader() {}

    /**
     * Reads every tensor of the weights file at {@code path}, as float32.
     *
     * @throws WeightsFormatException if the file is neither format, or is malformed, truncated or unsupported
     * @throws IOException            if the file cannot be read
     */
    public static Weights read(Path path) throws IOException {
        return read(path, head(path, 512));
    }

    /** {@link #read(Path)} of a file whose first bytes are {@code head}. */
    private static Weights read(Path path, byte[] head) throws IOException {
        if (isZip(head) || PyTorchReader.isLegacy(head)) {
            return PyTorchReader.read(path); // a zip, or a legacy file it explains how to re-save
        }
        if (isSafetensors(head)) {
            return SafetensorsReader.read(path);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80) {
            return PyTorchReader.read(path); // a bare pickle (PROTO opcode): it says how to re-save
        }
        // Say what the file is not, never what it holds: it may be any file a model JSON pointed at.
        throw new WeightsFormatException(path.toString(), "not a weights file cnn4j reads: expected a PyTorch "
                + "torch.save(model.state_dict()) zip archive (starting with PK\\3\\4) or a safetensors file (an "
                + "8-byte little-endian header length, then a JSON header starting with '{'); the file "
                + (head.length == 0 ? "is empty" : "has " + Files.size(path) + " bytes and starts like neither")
                + (head.length > 0 && head[0] == 0x08 ? " (if it is an .onnx model, load the .onnx file itself: it "
                + "holds its weights)" : ""));
    }

    /**
     * Opens the weights file at {@code path} for loading a model: a safetensors file is validated and its tensors
     * are then read one at a time straight into the caller's buffers; a PyTorch file is read whole (its tensors may
     * share storages, in any order) and served from the Java heap.
     *
     * @throws WeightsFormatException if the file is neither format, or is malformed, truncated or unsupported
     * @throws IOException            if the file cannot be read
     */
    public static WeightsFile open(Path path) throws IOException {
        byte[] head = head(path, 512);
        if (isSafetensors(head)) {
            return SafetensorsReader.open(path);
        }
        return new InMemory(read(path, head));
    }

    /** Weights already read onto the heap, served as a {@link WeightsFile}. */
    private record InMemory(Weights weights) implements WeightsFile {
        @Override
        public String source() {
            return weights.source();
        }

        @Override
        public Map<String, String> metadata() {
            return weights.metadata();
        }

        @Override
        public Set<String> names() {
            return weights.names();
        }

        @Override
        public long[] shape(String name) {
            return weights.contains(name) ? weights.get(name).shape() : null;
        }

        @Override
        public void readInto(String name, FloatBuffer out) {
            float[] data = weights.get(name).data();
            if (out.remaining() < data.length) {
                throw new IllegalArgumentException("tensor '" + name + "' needs " + data.length + " floats, the "
                        + "buffer has room for " + out.remaining());
            }
            out.put(data);
        }

        @Override
        public void close() {}
    }

    /** The first {@code n} bytes of the file, or all of it if shorter. */
    static byte[] head(Path path, int n) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(n);
        }
    }

    /** A zip local file header, or the end record of an empty zip. */
    static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K'
                && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
    }

    /** Not a PyTorch zip or legacy file, and an 8-byte header length followed by the start of a JSON header. */
    private static boolean isSafetensors(byte[] head) {
        return !isZip(head) && !PyTorchReader.isLegacy(head) && head.length >= 9 && isJsonStart(head[8]);
    }

    /** The reference implementation accepts whitespace before the JSON object. */
    private static boolean isJsonStart(byte b) {
        return b == '{' || b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
