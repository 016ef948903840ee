package io.cnn4j.weights;

import io.cnn4j.Limits;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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

    // The parser alone: an ObjectMapper would load some 300 classes more (several MB resident) for nothing.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // the header may legitimately hold a whole model description as one metadata string
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength((int) MAX_HEADER_BYTES).build())
            .build();

    private SafetensorsReader() {}

    private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    /**
     * Reads every tensor of the safetensors file at {@code path} onto the Java heap.
     *
     * @throws WeightsFormatException if the file is not a valid safetensors file or holds a dtype cnn4j does not read
     * @throws IOException            if the file cannot be read
     */
    public static Weights read(Path path) throws IOException {
        try (SafetensorsFile file = open(path)) {
            return file.readAll();
        }
    }

    /**
     * Opens and validates the safetensors file at {@code path} (header, dtypes, layout; no tensor is read yet), for
     * reading tensors one at a time into buffers of the caller's ({@link SafetensorsFile#readInto}).
     *
     * @throws WeightsFormatException if the file is not a valid safetensors file or holds a dtype cnn4j does not read
     * @throws IOException            if the file cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path.toString(), FileChannel.open(path, StandardOpenOption.READ));
    }

    /**
     * As {@link #open(Path)}, over any channel (an in-memory one for a model loaded from bytes); {@code source} names
     * it in messages. The returned file owns the channel (closing it closes the channel; so does a failure here).
     */
    public static SafetensorsFile open(String source, SeekableByteChannel channel) throws IOException {
        try {
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
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> headerOrder = parseHeader(source, readBytes(channel, 8, (int) headerSize), metadata);
            List<Entry> byOffset = new ArrayList<>(headerOrder);
            validateLayout(source, byOffset, fileSize - dataStart);

            for (Entry e : byOffset) {
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
            List<SafetensorsFile.Tensor> tensors = new ArrayList<>();
            for (Entry e : headerOrder) {
                tensors.add(new SafetensorsFile.Tensor(e.name, CONVERTIBLE.get(e.dtype), e.shape,
                        dataStart + e.begin));
            }
            return new SafetensorsFile(source, channel, tensors, metadata);
        } catch (IOException | RuntimeException | Error e) {
            channel.close();
            throw e;
        }
    }

    private static ByteBuffer readBytes(SeekableByteChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        channel.position(position);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("file ended at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    /**
     * The header's tensors in header order, its metadata into {@code metadata}. The header is streamed from its
     * bytes, never built as a tree or copied into a String: a first pass checks the JSON (syntax, duplicate keys,
     * nothing after the object) and counts the tensors against {@link Limits#TENSORS}; the second reads each entry,
     * refusing a shape past {@link Limits#RANK} at its first extra dim. Memory is the entries kept, a small multiple
     * of their bytes in the header.
     */
    private static List<Entry> parseHeader(String source, ByteBuffer bytes, Map<String, String> metadata)
            throws IOException {
        checkUtf8(source, bytes.duplicate());
        byte[] json = bytes.array();
        try {
            checkSyntax(source, json);
            try (JsonParser p = utf8Parser(json)) {
                p.nextToken(); // the root object, checked above
                List<Entry> entries = new ArrayList<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    if (name.equals(METADATA_KEY)) {
                        readMetadata(source, p, metadata);
                    } else {
                        entries.add(readEntry(source, name, p));
                    }
                }
                return entries;
            }
        } catch (JsonProcessingException e) {
            throw new WeightsFormatException(source, "safetensors header is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * A parser that reads the header as UTF-8, as the format says. Jackson's own byte parser would guess the encoding
     * from the first bytes and take a header starting with NUL bytes for UTF-32 (a fuzzer's finding).
     */
    private static JsonParser utf8Parser(byte[] json) throws IOException {
        return JSON.createParser(new InputStreamReader(new ByteArrayInputStream(json), StandardCharsets.UTF_8));
    }

    /** Strict UTF-8, checked in chunks (Jackson would only report the first bad byte as bad JSON). */
    private static void checkUtf8(String source, ByteBuffer bytes) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chunk = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = utf8.decode(bytes, chunk, true);
            if (result.isError()) {
                throw new WeightsFormatException(source, "safetensors header is not valid UTF-8 (byte "
                        + (8 + bytes.position()) + " of the file)");
            }
            chunk.clear();
            if (result.isUnderflow()) {
                return;
            }
        }
    }

    /** The first pass: valid JSON, one object, no duplicate key, at most the tensors {@link Limits#TENSORS} allows. */
    private static void checkSyntax(String source, byte[] json) throws IOException {
        try (JsonParser p = utf8Parser(json)) {
            JsonToken root = p.nextToken();
            if (root != JsonToken.START_OBJECT) {
                throw new WeightsFormatException(source, "safetensors header must be a JSON object, got "
                        + (root == null ? "nothing" : "a JSON " + typeName(root)));
            }
            long tensors = 0;
            long maxTensors = Limits.TENSORS.value();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (!p.currentName().equals(METADATA_KEY) && ++tensors > maxTensors) {
                    throw new WeightsFormatException(source, Limits.TENSORS.problem("safetensors header"));
                }
                p.nextToken();
                p.skipChildren();
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new WeightsFormatException(source, "safetensors header is not valid JSON: a JSON "
                        + typeName(after) + " follows the header object");
            }
        }
    }

    /** One tensor's entry, the parser at its value; checks as the tree-based validation did, in the same order. */
    private static Entry readEntry(String source, String name, JsonParser p) throws IOException {
        String where = "tensor '" + name + "'";
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new WeightsFormatException(source, where + " must be a JSON object with dtype, shape and "
                    + "data_offsets, got a JSON " + typeName(p.currentToken()));
        }
        String dtype = null;
        Longs shape = null;
        Longs offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            switch (key) {
                case "dtype" -> dtype = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "shape" -> shape = Longs.read(p, source, where, Limits.RANK);
                case "data_offsets" -> offsets = Longs.read(p, source, where, null);
                default -> p.skipChildren();
            }
        }
        if (dtype == null) {
            throw new WeightsFormatException(source, where + " has no dtype string");
        }
        if (!DTYPE_BITS.containsKey(dtype)) {
            throw new WeightsFormatException(source, where + " has unknown dtype '" + dtype
                    + "' (safetensors dtypes: " + String.join(", ", DTYPE_BITS.keySet().stream().sorted()
                    .toList()) + ")");
        }
        long[] shapeValues = Longs.check(source, where, "shape", shape, -1);
        long[] offsetValues = Longs.check(source, where, "data_offsets", offsets, 2);
        return new Entry(name, dtype, shapeValues, offsetValues[0], offsetValues[1]);
    }

    private static void readMetadata(String source, JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new WeightsFormatException(source, METADATA_KEY + " must be a JSON object of strings, got a JSON "
                    + typeName(p.currentToken()));
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                throw new WeightsFormatException(source, METADATA_KEY + " value '" + key + "' must be a string, got "
                        + "a JSON " + typeName(value));
            }
            metadata.put(key, p.getText());
        }
    }

    /** A JSON value's kind as a message names it ("array", "number"), from its first token. */
    private static String typeName(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    /**
     * A JSON array as read for shape or data_offsets: the values if all are non-negative integers, else null, and
     * the array as text (up to 80 characters) for the message.
     */
    private record Longs(long[] values, String text) {
        /** Reads the value at the parser; an array longer than {@code limit} (if given) is refused at once. */
        static Longs read(JsonParser p, String source, String where, Limits.Limit limit) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                String text = p.currentToken().isScalarValue() ? p.getText() : "a JSON " + typeName(p.currentToken());
                p.skipChildren();
                return new Longs(null, text);
            }
            long[] values = new long[4];
            int n = 0;
            boolean valid = true;
            StringBuilder text = new StringBuilder("[");
            long max = limit == null ? Long.MAX_VALUE : limit.value();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (n >= max) {
                    throw new WeightsFormatException(source, limit.problem(where + "'s shape"));
                }
                if (text.length() <= 80) {
                    String item = t == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\""
                            : t.isScalarValue() ? p.getText() : t == JsonToken.START_ARRAY ? "[...]" : "{...}";
                    text.append(n == 0 ? "" : ",").append(item);
                }
                if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                        && p.getLongValue() >= 0) {
                    if (n == values.length) {
                        values = Arrays.copyOf(values, 2 * n);
                    }
                    values[n] = p.getLongValue();
                } else {
                    valid = false;
                    p.skipChildren();
                }
                n++;
            }
            return new Longs(valid ? Arrays.copyOf(values, n) : null, text.append("]").toString());
        }

        /** The values, if {@code longs} is an array of {@code length} (any, if -1) non-negative integers. */
        static long[] check(String source, String where, String key, Longs longs, int length) {
            if (longs == null || longs.values == null || (length >= 0 && longs.values.length != length)) {
                boolean array = longs != null && longs.text.startsWith("[");
                throw new WeightsFormatException(source, where + " must have " + key + " as an array of "
                        + (length >= 0 ? length + " " : "") + "non-negative integers, got "
                        + (longs == null ? "none" : (array && longs.values == null ? key + "=" : "")
                        + abbreviate(longs.text)));
            }
            return longs.values;
        }
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
