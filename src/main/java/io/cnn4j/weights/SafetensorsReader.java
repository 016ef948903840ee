package io.cnn4j.weights;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional {@code __metadata__}
 * string map), then the little-endian, row-major data. The file is validated as the reference implementation
 * (huggingface/safetensors {@code read_metadata} and {@code Metadata::validate}) does before any tensor is read:
 * header at most 100,000,000 bytes and inside the file, valid UTF-8 JSON object, known dtypes, tensors sorted by
 * offset covering the data from byte 0 with no gap, overlap or trailing byte, and each tensor's byte length equal to
 * its element count times its dtype size. F32, F16, BF16 and F64 tensors are converted to float32.
 */
public final class SafetensorsReader {
    /** The reference implementation's limit on the header length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";

    /** Every dtype the format defines, with its size in bits; only some of them are convertible. */
    private static final Map<String, Integer> DTYPE_BITS = Map.ofEntries(
            Map.entry("BOOL", 8), Map.entry("F4", 4), Map.entry("F6_E2M3", 6), Map.entry("F6_E3M2", 6),
            Map.entry("U8", 8), Map.entry("I8", 8), Map.entry("F8_E5M2", 8), Map.entry("F8_E4M3", 8),
            Map.entry("F8_E8M0", 8), Map.entry("F8_E4M3FNUZ", 8), Map.entry("F8_E5M2FNUZ", 8),
            Map.entry("I16", 16), Map.entry("U16", 16), Map.entry("F16", 16), Map.entry("BF16", 16),
            Map.entry("I32", 32), Map.entry("U32", 32), Map.entry("F32", 32), Map.entry("C64", 64),
            Map.entry("F64", 64), Map.entry("I64", 64), Map.entry("U64", 64));

    private static final Map<String, ElementType> CONVERTIBLE = Map.of(
            "F32", ElementType.F32, "F16", ElementType.F16, "BF16", ElementType.BF16, "F64", ElementType.F64,
            "I64", ElementType.I64, "I32", ElementType.I32, "I16", ElementType.I16, "I8", ElementType.I8,
            "U8", ElementType.U8, "BOOL", ElementType.BOOL);

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // the header may legitimately hold a whole model description as one metadata string
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength((int) MAX_HEADER_BYTES).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafetensorsReader() {}

    private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    /**
     * Reads every tensor of the safetensors file at {@code path}.
     *
     * @throws WeightsFormatException if the file is not a valid safetensors file or holds a dtype cnn4j does not read
     * @throws IOException            if the file cannot be read
     */
    public static Weights read(Path path) throws IOException {
        String source = path.toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new WeightsFormatException(source, "file is " + fileSize + " bytes, too short for a "
                        + "safetensors file (an 8-byte header length, a JSON header, then the data)");
            }
            long headerSize = readBytes(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerSize < 0 || headerSize > MAX_HEADER_BYTES) {
                throw new WeightsFormatException(source, "safetensors header length " + Long.toUnsignedString(
                        headerSize) + " is over the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (8 + headerSize > fileSize) {
                throw new WeightsFormatException(source, "safetensors header length " + headerSize + " goes past "
                        + "the end of the file (" + fileSize + " bytes; truncated?)");
            }
            long dataStart = 8 + headerSize;
            JsonNode header = parseHeader(source, readBytes(channel, 8, (int) headerSize));
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseEntries(source, header, metadata);
            validateLayout(source, entries, fileSize - dataStart);

            for (Entry e : entries) {
                ElementType type = CONVERTIBLE.get(e.dtype);
                if (type == null) {
                    throw new WeightsFormatException(source, "tensor '" + e.name + "' has dtype " + e.dtype
                            + ", which cnn4j does not read (it reads F32, F16, BF16 and F64)");
                }
                long numel = WeightTensor.numel(e.shape);
                type.checkReadable(source, e.name, e.dtype, numel);
                if (numel > ElementType.MAX_ELEMENTS) {
                    throw new WeightsFormatException(source, "tensor '" + e.name + "' has " + numel
                            + " elements, more than a Java array holds (" + ElementType.MAX_ELEMENTS + ")");
                }
            }
            // After validation the tensors tile the data in offset order, so one sequential pass reads them all.
            Map<String, WeightTensor> byName = new LinkedHashMap<>();
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel.position(dataStart)), 1 << 16);
            for (Entry e : entries) {
                float[] data;
                try {
                    data = CONVERTIBLE.get(e.dtype).read(in, (int) WeightTensor.numel(e.shape),
                            ByteOrder.LITTLE_ENDIAN);
                } catch (EOFException eof) {
                    throw new WeightsFormatException(source, "tensor '" + e.name + "': " + eof.getMessage()
                            + " (file changed while reading?)", eof);
                }
                byName.put(e.name, new WeightTensor(e.name, e.shape, data));
            }
            // Keep the header's order, not the data's.
            List<WeightTensor> ordered = new ArrayList<>();
            for (Iterator<String> names = header.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals(METADATA_KEY)) {
                    ordered.add(byName.get(name));
                }
            }
            return new Weights(source, ordered, metadata);
        }
    }

    private static ByteBuffer readBytes(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException("file ended at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    private static JsonNode parseHeader(String source, ByteBuffer bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new WeightsFormatException(source, "safetensors header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new WeightsFormatException(source, "safetensors header is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new WeightsFormatException(source, "safetensors header must be a JSON object, got "
                    + (root == null || root.isMissingNode() ? "nothing" : "a JSON " + root.getNodeType()
                    .toString().toLowerCase()));
        }
        return root;
    }

    private static List<Entry> parseEntries(String source, JsonNode header, Map<String, String> metadata) {
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = header.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals(METADATA_KEY)) {
                readMetadata(source, value, metadata);
                continue;
            }
            String where = "tensor '" + name + "'";
            if (!value.isObject()) {
                throw new WeightsFormatException(source, where + " must be a JSON object with dtype, shape and "
                        + "data_offsets, got a JSON " + value.getNodeType().toString().toLowerCase());
            }
            JsonNode dtype = value.get("dtype");
            if (dtype == null || !dtype.isTextual()) {
                throw new WeightsFormatException(source, where + " has no dtype string");
            }
            if (!DTYPE_BITS.containsKey(dtype.textValue())) {
                throw new WeightsFormatException(source, where + " has unknown dtype '" + dtype.textValue()
                        + "' (safetensors dtypes: " + String.join(", ", DTYPE_BITS.keySet().stream().sorted()
                        .toList()) + ")");
            }
            long[] shape = longs(source, where, "shape", value.get("shape"), -1);
            long[] offsets = longs(source, where, "data_offsets", value.get("data_offsets"), 2);
            entries.add(new Entry(name, dtype.textValue(), shape, offsets[0], offsets[1]));
        }
        return entries;
    }

    private static void readMetadata(String source, JsonNode value, Map<String, String> metadata) {
        if (value.isNull()) {
            return;
        }
        if (!value.isObject()) {
            throw new WeightsFormatException(source, METADATA_KEY + " must be a JSON object of strings, got a JSON "
                    + value.getNodeType().toString().toLowerCase());
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw new WeightsFormatException(source, METADATA_KEY + " value '" + field.getKey()
                        + "' must be a string, got a JSON " + field.getValue().getNodeType().toString().toLowerCase());
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
    }

    /** A JSON array of non-negative integers, of length {@code length} unless that is -1. */
    private static long[] longs(String source, String where, String key, JsonNode node, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw new WeightsFormatException(source, where + " must have " + key + " as an array of "
                    + (length >= 0 ? length + " " : "") + "non-negative integers, got "
                    + (node == null ? "none" : abbreviate(node.toString())));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = node.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
                throw new WeightsFormatException(source, where + " must have " + key + " as an array of "
                        + "non-negative integers, got " + key + "=" + abbreviate(node.toString()));
            }
            out[i] = n.longValue();
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /**
     * Sorted by offsets, the tensors must cover the data buffer from 0 to its end with no gap or overlap, each exactly
     * as long as its shape and dtype need (the reference's {@code Metadata::validate} and final size check).
     */
    private static void validateLayout(String source, List<Entry> entries, long dataSize) {
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        String previous = null;
        for (Entry e : entries) {
            String where = "tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "]";
            if (e.end < e.begin) {
                throw new WeightsFormatException(source, where + " end before they begin");
            }
            if (e.begin != expectedBegin) {
                String problem = previous == null ? "the first tensor must start at byte 0 of the data"
                        : e.begin < expectedBegin ? "overlap tensor '" + previous + "', which ends at byte "
                        + expectedBegin : "leave a gap of " + (e.begin - expectedBegin) + " bytes after tensor '"
                        + previous + "', which ends at byte " + expectedBegin;
                throw new WeightsFormatException(source, where + (previous == null ? ": " : " ") + problem);
            }
            long numel = WeightTensor.numel(e.shape);
            int bits = DTYPE_BITS.get(e.dtype);
            if (numel < 0 || Math.multiplyHigh(numel, bits) != 0 || numel * bits < 0) {
                throw new WeightsFormatException(source, "tensor '" + e.name + "' shape " + Arrays.toString(e.shape)
                        + " has too many elements");
            }
            long totalBits = numel * bits;
            if (totalBits % 8 != 0) {
                throw new WeightsFormatException(source, "tensor '" + e.name + "' of dtype " + e.dtype + " and shape "
                        + Arrays.toString(e.shape) + " does not fill a whole number of bytes");
            }
            if (e.end - e.begin != totalBits / 8) {
                throw new WeightsFormatException(source, where + " hold " + (e.end - e.begin) + " bytes, but dtype "
                        + e.dtype + " and shape " + Arrays.toString(e.shape) + " need " + totalBits / 8);
            }
            expectedBegin = e.end;
            previous = e.name;
        }
        if (expectedBegin != dataSize) {
            throw new WeightsFormatException(source, expectedBegin > dataSize
                    ? "file is truncated: the header describes " + expectedBegin + " bytes of tensor data, but only "
                            + dataSize + " bytes follow it"
                    : "file has " + (dataSize - expectedBegin) + " bytes after the last tensor's data (the header "
                            + "describes " + expectedBegin + " bytes of tensor data, " + dataSize + " follow it)");
        }
    }
}
