package io.cnn4j.weights;

import io.cnn4j.io.ByteBufferChannel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
        throw notWeights(path.toString(), head, head.length == 0 ? 0 : Files.size(path));
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

    /**
     * Opens weights held in memory (an app's asset, a stream read whole), either format, chosen by content;
     * {@code source} names them in messages ("the weights stream"). Safetensors is read in place, tensor by tensor;
     * a PyTorch archive goes through a temporary file (java.util.zip reads archives from files only), deleted before
     * this returns. The buffer is not modified.
     *
     * @throws WeightsFormatException if the bytes are neither format, or are malformed, truncated or unsupported
     * @throws IOException            if the temporary file cannot be written
     */
    public static WeightsFile open(String source, ByteBuffer bytes) throws IOException {
        ByteBuffer view = bytes.slice();
        byte[] head = new byte[Math.min(512, view.remaining())];
        view.duplicate().get(head);
        if (isSafetensors(head)) {
            return SafetensorsReader.open(source, new ByteBufferChannel(view));
        }
        if (isPyTorchHead(head)) {
            Path copy = Files.createTempFile("cnn4j-weights-", ".pt");
            try {
                try (FileChannel out = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                    ByteBuffer rest = view.duplicate();
                    while (rest.hasRemaining()) {
                        out.write(rest);
                    }
                }
                return new InMemory(PyTorchReader.read(copy, source));
            } finally {
                Files.deleteIfExists(copy);
            }
        }
        throw notWeights(source, head, view.remaining());
    }

    private static WeightsFormatException notWeights(String source, byte[] head, long size) {
        // Say what the bytes are not, never what they hold: they may be any file a model JSON pointed at.
        return new WeightsFormatException(source, "not a weights file cnn4j reads: expected a PyTorch "
                + "torch.save(model.state_dict()) zip archive (starting with PK\\3\\4) or a safetensors file (an "
                + "8-byte little-endian header length, then a JSON header starting with '{'); the file "
                + (head.length == 0 ? "is empty" : "has " + size + " bytes and starts like neither")
                + (head.length > 0 && head[0] == 0x08 ? " (if it is an .onnx model, load the .onnx file itself: it "
                + "holds its weights)" : ""));
    }

    /** Whether bytes starting with {@code head} look like safetensors (an 8-byte length, then a JSON header). */
    public static boolean isSafetensorsHead(byte[] head) {
        return isSafetensors(head);
    }

    /** Whether bytes starting with {@code head} look like a PyTorch file (a zip, a legacy file or a bare pickle). */
    public static boolean isPyTorchHead(byte[] head) {
        return isZip(head) || PyTorchReader.isLegacy(head) || (head.length >= 2 && (head[0] & 0xff) == 0x80);
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
