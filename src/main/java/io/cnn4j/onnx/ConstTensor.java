package io.cnn4j.onnx;

import io.cnn4j.io.ModelFolder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A tensor known at conversion time (initializer, Constant, or folded shape arithmetic): float types as float32,
 * integer and bool types as int64. Integer tensors folded from {@code Shape} mark some elements as symbols instead
 * of values: {@link #BATCH} for the batch size, which is only known at run time, and {@link #UNKNOWN} for a size the
 * declared input leaves open (or arithmetic on such a size). Any int64 value can be real data (torch writes
 * INT64_MIN + 1 for open slice ends), hence the separate marks.
 */
final class ConstTensor {
    static final byte KNOWN = 0;
    static final byte BATCH = 1;
    static final byte UNKNOWN = 2;

    // onnx.proto TensorProto.DataType
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int UINT16 = 4;
    static final int INT16 = 5;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int BOOL = 9;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    static final int UINT32 = 12;
    static final int UINT64 = 13;
    static final int BFLOAT16 = 16;
    private static final String[] TYPE_NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
        "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
        "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1",
        "FLOAT8E8M0", "UINT2", "INT2"};
    /** The largest tensor Java arrays can hold. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    final long[] shape;
    private final float[] floats;
    private final long[] longs;
    /** Per element KNOWN, BATCH or UNKNOWN; null when all are known. */
    private final byte[] symbols;

    private ConstTensor(long[] shape, float[] floats, long[] longs, byte[] symbols) {
        this.shape = shape;
        this.floats = floats;
        this.longs = longs;
        this.symbols = symbols;
    }

    static ConstTensor ofFloats(float[] data, long... shape) {
        return new ConstTensor(shape, data, null, null);
    }

    static ConstTensor ofLongs(long[] data, long... shape) {
        return new ConstTensor(shape, null, data, null);
    }

    /** Integers some of which are symbols ({@code symbols} null or per element KNOWN, BATCH, UNKNOWN). */
    static ConstTensor ofSymbolic(long[] data, byte[] symbols, long... shape) {
        return new ConstTensor(shape, null, data, symbols);
    }

    /** KNOWN, or the symbol element {@code i} stands for. */
    byte symbol(int i) {
        return symbols == null ? KNOWN : symbols[i];
    }

    /** The per-element symbols, or null when all elements are known values. */
    byte[] symbols() {
        return symbols;
    }

    static ConstTensor scalar(float v) {
        return ofFloats(new float[] {v});
    }

    boolean isFloat() {
        return floats != null;
    }

    int numel() {
        return isFloat() ? floats.length : longs.length;
    }

    int rank() {
        return shape.length;
    }

    /** The values as float32 (integers converted); a run-time size cannot be converted. */
    float[] floats(String where) {
        if (isFloat()) {
            return floats;
        }
        checkKnown(where);
        float[] out = new float[longs.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs[i];
        }
        return out;
    }

    /** The values as int64, symbols' elements unspecified (floats truncated toward zero, as Cast does). */
    long[] longs() {
        if (!isFloat()) {
            return longs;
        }
        long[] out = new long[floats.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) floats[i];
        }
        return out;
    }

    /** The values as int64, failing if one is only known at run time. */
    long[] knownLongs(String where) {
        checkKnown(where);
        return longs();
    }

    private void checkKnown(String where) {
        for (int i = 0; symbols != null && i < symbols.length; i++) {
            if (symbols[i] != KNOWN) {
                throw new IllegalArgumentException(where + " depends on the " + (symbols[i] == BATCH ? "batch size"
                        : "input size") + ", which is only known at run time; cnn4j needs it constant");
            }
        }
    }

    static String typeName(int dataType) {
        return dataType >= 0 && dataType < TYPE_NAMES.length ? TYPE_NAMES[dataType] : dataType + " (unknown)";
    }

    static boolean isFloatType(int dataType) {
        return dataType == FLOAT || dataType == FLOAT16 || dataType == BFLOAT16 || dataType == DOUBLE;
    }

    static long numel(long[] shape, String where) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(where + " has a negative dimension in its shape "
                        + Arrays.toString(shape));
            }
            n = d == 0 ? 0 : (n > MAX_ELEMENTS / d ? MAX_ELEMENTS + 1 : n * d);
        }
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException(where + " has shape " + Arrays.toString(shape)
                    + ", more than the " + MAX_ELEMENTS + " elements cnn4j can hold in one tensor");
        }
        return n;
    }

    /** Decodes a TensorProto, checking that its data matches its shape and type. */
    static ConstTensor of(OnnxProto.Tensor t, Path baseDir) {
        String where = t.where();
        int type = t.dataType();
        int size = elementSize(type);
        if (size == 0) {
            throw new IllegalArgumentException(where + " has data type " + typeName(type) + "; cnn4j reads FLOAT, "
                    + "FLOAT16, BFLOAT16, DOUBLE, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64 and BOOL");
        }
        long[] shape = t.dims().clone();
        int n = (int) numel(shape, where);
        String shapeText = Arrays.toString(shape) + " of " + typeName(type);
        ByteBuffer raw = null;
        if (t.dataLocation() == 1) {
            raw = external(t, baseDir, (long) n * size, shapeText);
        } else if (t.raw() != null) {
            int[] r = t.raw();
            if ((long) n * size != r[1]) {
                throw new IllegalArgumentException(where + " has " + r[1] + " bytes of raw_data, shape " + shapeText
                        + " needs " + (long) n * size);
            }
            raw = ByteBuffer.wrap(t.buffer(), r[0], r[1]).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
        if (raw != null) {
            return fromRaw(raw, type, n, shape);
        }
        String field;
        int count;
        switch (type) {
            case FLOAT -> {
                field = "float_data";
                count = t.floatData().length;
            }
            case DOUBLE -> {
                field = "double_data";
                count = t.doubleData().length;
            }
            case INT64 -> {
                field = "int64_data";
                count = t.int64Data().length;
            }
            case UINT32, UINT64 -> {
                field = "uint64_data";
                count = t.uint64Data().length;
            }
            default -> {
                field = "int32_data";
                count = t.int32Data().length;
            }
        }
        if (count != n) {
            throw new IllegalArgumentException(where + (count == 0 && n > 0 ? " has no data (neither raw_data nor "
                    + field + ")" : " has " + count + " values in " + field) + ", shape " + shapeText + " needs " + n);
        }
        switch (type) {
            case FLOAT -> {
                return ofFloats(t.floatData(), shape);
            }
            case DOUBLE -> {
                return ofFloats(t.doubleData(), shape);
            }
            case INT64 -> {
                return ofLongs(t.int64Data(), shape);
            }
            case UINT32, UINT64 -> {
                return ofLongs(t.uint64Data(), shape);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    int bits = (int) t.int32Data()[i] & 0xFFFF;
                    f[i] = type == FLOAT16 ? halfToFloat(bits) : Float.intBitsToFloat(bits << 16);
                }
                return ofFloats(f, shape);
            }
            default -> {
                return ofLongs(t.int32Data(), shape);
            }
        }
    }

    private static ConstTensor fromRaw(ByteBuffer b, int type, int n, long[] shape) {
        switch (type) {
            case FLOAT, FLOAT16, BFLOAT16, DOUBLE -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = switch (type) {
                        case FLOAT -> b.getFloat();
                        case FLOAT16 -> halfToFloat(b.getShort() & 0xFFFF);
                        case BFLOAT16 -> Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
                        default -> (float) b.getDouble();
                    };
                }
                return ofFloats(f, shape);
            }
            default -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = switch (type) {
                        case INT8 -> b.get();
                        case UINT8, BOOL -> b.get() & 0xFF;
                        case INT16 -> b.getShort();
                        case UINT16 -> b.getShort() & 0xFFFF;
                        case INT32 -> b.getInt();
                        case UINT32 -> b.getInt() & 0xFFFFFFFFL;
                        default -> b.getLong(); // INT64, UINT64
                    };
                }
                return ofLongs(l, shape);
            }
        }
    }

    /** Reads data_location=EXTERNAL data: a file beside the model, optional offset and length. */
    private static ByteBuffer external(OnnxProto.Tensor t, Path baseDir, long bytes, String shapeText) {
        String where = t.where();
        String location = t.externalData().get("location");
        if (location == null || location.isEmpty()) {
            throw new IllegalArgumentException(where + " has external data without a 'location'");
        }
        if (baseDir == null) {
            throw new IllegalArgumentException(where + " keeps its data in the external file '" + location
                    + "'; convert the model from its path so the file can be found beside it");
        }
        Path file = ModelFolder.resolveInside(baseDir, location);
        if (file == null) {
            throw new IllegalArgumentException(where + " has external data location '" + location
                    + "', outside the model's folder; ONNX requires a relative path inside it");
        }
        if (bytes > MAX_ELEMENTS) {
            throw new IllegalArgumentException(where + " has " + bytes + " bytes of external data; cnn4j reads "
                    + "tensors of up to " + MAX_ELEMENTS + " bytes");
        }
        long offset = parseLong(t.externalData().get("offset"), 0, where + " external data offset");
        long length = parseLong(t.externalData().get("length"), bytes, where + " external data length");
        if (length != bytes) {
            throw new IllegalArgumentException(where + " has " + length + " bytes of external data, shape "
                    + shapeText + " needs " + bytes);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset < 0 || offset > ch.size() || ch.size() - offset < bytes) {
                throw new IllegalArgumentException(where + ": external file '" + location + "' has " + ch.size()
                        + " bytes, too few for " + bytes + " bytes at offset " + offset);
            }
            ByteBuffer b = ByteBuffer.allocate((int) bytes);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new IllegalArgumentException(where + ": external file '" + location + "' ended early");
                }
            }
            return b.flip().order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot read external data file '" + location + "': " + e,
                    e);
        }
    }

    private static long parseLong(String s, long fallback, String where) {
        if (s == null) {
            return fallback;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " is not a number: '" + s + "'");
        }
    }

    /** Bytes per element of a data type cnn4j decodes; 0 for the others (strings, complex, 4/8-bit floats). */
    static int elementSize(int type) {
        return switch (type) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16, FLOAT16, BFLOAT16 -> 2;
            case FLOAT, INT32, UINT32 -> 4;
            case INT64, DOUBLE, UINT64 -> 8;
            default -> 0;
        };
    }

    /** IEEE 754 binary16 to float32 (Float.float16ToFloat is Java 20+). */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | mant << 13);
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | (exp + 112) << 23 | mant << 13);
    }

    @Override
    public String toString() {
        return Arrays.toString(shape) + (isFloat() ? Arrays.toString(floats) : Arrays.toString(longs))
                + (symbols == null ? "" : " symbols " + Arrays.toString(symbols));
    }
}
