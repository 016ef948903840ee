package io.cnn4j.onnx;

import io.cnn4j.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A protobuf wire-format reader over one message's bytes {@code [pos, limit)} of a shared buffer. Every length is
 * checked against the bytes left before anything is allocated, so a truncated or hostile file fails with an
 * IllegalArgumentException naming the message and field ("truncated protobuf in GraphProto.node"), never with an
 * OutOfMemoryError or an index exception. Readers of nested messages share the buffer (no copies).
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] buf;
    private final String message;
    private final int limit;
    private int pos;
    private int fieldNumber;
    private int wireType;
    private String field = "?";

    ProtoReader(byte[] buf, int offset, int limit, String message) {
        this.buf = buf;
        this.pos = offset;
        this.limit = limit;
        this.message = message;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (pos >= limit) {
            return false;
        }
        field = "<tag>";
        long tag = varint();
        fieldNumber = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (tag >>> 3 > 0x1FFFFFFFL || fieldNumber == 0) {
            throw malformed("invalid field number " + (tag >>> 3));
        }
        field = "field " + fieldNumber;
        return true;
    }

    int fieldNumber() {
        return fieldNumber;
    }

    /** Names the current field in error messages ("GraphProto.node"). */
    ProtoReader as(String name) {
        field = name;
        return this;
    }

    String where() {
        return message + "." + field;
    }

    long int64() {
        expect(VARINT);
        return varint();
    }

    int int32() {
        return (int) int64();
    }

    float float32() {
        expect(FIXED32);
        return Float.intBitsToFloat(fixed32());
    }

    String string() {
        int n = length();
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** The current length-delimited field as a reader of the sub-message {@code type}. */
    ProtoReader message(String type) {
        int n = length();
        ProtoReader sub = new ProtoReader(buf, pos, pos + n, type);
        pos += n;
        return sub;
    }

    /** The current length-delimited field as a range of the shared buffer: {offset, length}. */
    int[] bytesRange() {
        int n = length();
        int[] range = {pos, n};
        pos += n;
        return range;
    }

    byte[] buffer() {
        return buf;
    }

    /** Appends a repeated varint field, packed or not, to {@code out}. */
    void int64s(LongList out) {
        int64s(out, null, null);
    }

    /**
     * As {@link #int64s(LongList)}, refusing the value that takes {@code out} past {@code limit} (null: no limit)
     * before decoding the rest of a packed run; {@code what} names the list in the message ("a tensor").
     */
    void int64s(LongList out, Limits.Limit limit, String what) {
        if (wireType == LENGTH_DELIMITED) {
            int n = length();
            int end = pos + n;
            while (pos < end) {
                out.add(varint(end));
                checkCount(out.size(), limit, what);
            }
        } else {
            out.add(int64());
            checkCount(out.size(), limit, what);
        }
    }

    private void checkCount(long count, Limits.Limit limit, String what) {
        if (limit != null && limit.exceeded(count)) {
            throw new IllegalArgumentException(where() + ": " + limit.problem(what));
        }
    }

    /** Appends a repeated fixed32 float field, packed or not, to {@code out}. */
    void floats(FloatList out) {
        if (wireType == LENGTH_DELIMITED) {
            int n = length();
            if (n % 4 != 0) {
                throw malformed("packed floats of " + n + " bytes (not a multiple of 4)");
            }
            for (int end = pos + n; pos < end; ) {
                out.add(Float.intBitsToFloat(fixed32()));
            }
        } else {
            out.add(float32());
        }
    }

    /** Appends a repeated fixed64 double field, packed or not, to {@code out} (as floats). */
    void doubles(FloatList out) {
        if (wireType == LENGTH_DELIMITED) {
            int n = length();
            if (n % 8 != 0) {
                throw malformed("packed doubles of " + n + " bytes (not a multiple of 8)");
            }
            for (int end = pos + n; pos < end; ) {
                out.add((float) Double.longBitsToDouble(fixed64()));
            }
        } else {
            expect(FIXED64);
            out.add((float) Double.longBitsToDouble(fixed64()));
        }
    }

    /** Skips the current field, whatever its wire type (unknown fields are allowed by protobuf). */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case LENGTH_DELIMITED -> advance(length());
            case FIXED32 -> advance(4);
            default -> throw malformed("unsupported wire type " + wireType);
        }
    }

    private void expect(int type) {
        if (wireType != type) {
            throw malformed("wire type " + wireName(wireType) + ", expected " + wireName(type));
        }
    }

    private static String wireName(int type) {
        return type + switch (type) {
            case VARINT -> " (varint)";
            case FIXED64 -> " (64-bit)";
            case LENGTH_DELIMITED -> " (length-delimited)";
            case FIXED32 -> " (32-bit)";
            default -> "";
        };
    }

    private int length() {
        expect(LENGTH_DELIMITED);
        long n = varint();
        if (n < 0 || n > limit - pos) {
            throw new IllegalArgumentException("truncated protobuf in " + where() + ": a length of " + n
                    + " bytes, but " + (limit - pos) + " are left");
        }
        return (int) n;
    }

    private void advance(int n) {
        if (n > limit - pos) {
            throw truncated();
        }
        pos += n;
    }

    private long varint() {
        return varint(limit);
    }

    private long varint(int end) {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= end) {
                throw truncated();
            }
            byte b = buf[pos++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw malformed("a varint longer than 10 bytes");
    }

    private int fixed32() {
        if (limit - pos < 4) {
            throw truncated();
        }
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    private long fixed64() {
        if (limit - pos < 8) {
            throw truncated();
        }
        long lo = fixed32() & 0xFFFFFFFFL;
        long hi = fixed32() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    private IllegalArgumentException truncated() {
        return new IllegalArgumentException("truncated protobuf in " + where());
    }

    private IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException("malformed protobuf in " + where() + ": " + what);
    }

    /** A growable long[] (repeated int64 fields; never more elements than bytes read). */
    static final class LongList {
        private long[] a = new long[8];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** A growable float[] (repeated float/double fields). */
    static final class FloatList {
        private float[] a = new float[8];
        private int n;

        void add(float v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
