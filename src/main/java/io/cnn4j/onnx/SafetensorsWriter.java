package io.cnn4j.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes float32 tensors as a .safetensors file: 8-byte little-endian header length, the JSON header (tensors by
 * name with dtype F32, shape and data_offsets, plus optional {@code __metadata__} strings), padded with spaces to a
 * multiple of 8, then the data in the order of the sorted names, contiguous. This is the layout the reference
 * implementation writes and checks (offsets in order, no gaps, data ending at the file's end).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    /** Writes {@code tensors} and {@code metadata} (e.g. {@code "cnn4j"} -> the model JSON) to {@code path}. */
    public static void write(Path path, Map<String, OnnxTensorData> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, OnnxTensorData> sorted = new TreeMap<>(tensors);
        byte[] header = header(sorted, metadata);
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (OnnxTensorData t : sorted.values()) {
                ByteBuffer data = ByteBuffer.allocate(Math.min(t.data().length, 1 << 16) * Float.BYTES)
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < t.data().length; i++) {
                    data.putFloat(t.data()[i]);
                    if (!data.hasRemaining() || i == t.data().length - 1) {
                        out.write(data.array(), 0, data.position());
                        data.clear();
                    }
                }
            }
        }
    }

    private static byte[] header(Map<String, OnnxTensorData> tensors, Map<String, String> metadata)
            throws JsonProcessingException {
        ObjectNode h = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = h.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, OnnxTensorData> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("safetensors: '__metadata__' is reserved and cannot name a tensor");
            }
            ObjectNode t = h.putObject(e.getKey());
            t.put("dtype", "F32");
            t.set("shape", JsonArgs.list(e.getValue().shape()));
            long end = offset + (long) e.getValue().data().length * Float.BYTES;
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(h);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }
}
