package io.cnn4j.weights;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The bytes of a pickle as {@link StateDictUnpickler} reads them: a cursor with the pickle's integer, length, string
 * and line encodings. Every read is checked against the bytes left, so a truncated or lying length ends in the
 * caller's {@link WeightsFormatException} (made by {@code fail}), never in an index error or a huge allocation.
 */
final class PickleBytes {
    private final byte[] bytes;
    private final Function<String, WeightsFormatException> fail;
    private int pos;

    PickleBytes(byte[] bytes, Function<String, WeightsFormatException> fail) {
        this.bytes = bytes;
        this.fail = fail;
    }

    /** The offset of the next byte to read. */
    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= bytes.length;
    }

    int u8() {
        if (pos >= bytes.length) {
            throw fail.apply("data.pkl ends in the middle of an opcode (truncated?)");
        }
        return bytes[pos++] & 0xff;
    }

    byte[] bytesOf(long n) {
        if (n < 0 || n > bytes.length - pos) {
            throw fail.apply("data.pkl ends in the middle of an opcode (truncated?)");
        }
        byte[] out = new byte[(int) n];
        System.arraycopy(bytes, pos, out, 0, (int) n);
        pos += (int) n;
        return out;
    }

    /** An unsigned little-endian length of {@code width} bytes; never more than the bytes left. */
    long lengthOf(int width) {
        long n = littleEndianUnsigned(bytesOf(width));
        if (n < 0 || n > bytes.length - pos) {
            throw fail.apply("data.pkl has a length of " + Long.toUnsignedString(n) + " bytes at byte "
                    + (pos - width) + ", past its end (truncated?)");
        }
        return n;
    }

    /** A signed little-endian integer of {@code n} bytes (LONG1 / LONG4), at most 8. */
    long littleEndianLong(long n) {
        if (n > 8) {
            throw fail.apply("data.pkl has an integer of " + n + " bytes; tensor sizes and offsets fit in 8");
        }
        byte[] b = bytesOf(n);
        if (n == 0) {
            return 0;
        }
        long v = b[b.length - 1]; // sign-extends the most significant byte
        for (int i = b.length - 2; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    static long littleEndianUnsigned(byte[] b) {
        long v = 0;
        for (int i = b.length - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    static long bigEndianLong(byte[] b) {
        long v = 0;
        for (byte x : b) {
            v = v << 8 | (x & 0xff);
        }
        return v;
    }

    String utf8(long n) {
        return new String(bytesOf(n), StandardCharsets.UTF_8);
    }

    /** A newline-terminated line, as GLOBAL writes its module and name. */
    String line() {
        int start = pos;
        while (pos < bytes.length && bytes[pos] != '\n') {
            pos++;
        }
        if (pos >= bytes.length) {
            throw fail.apply("data.pkl ends in the middle of a GLOBAL (truncated?)");
        }
        return new String(bytes, start, pos++ - start, StandardCharsets.UTF_8);
    }
}
