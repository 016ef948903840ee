package io.cnn4j.weights;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The element types the readers convert to float32, and how. Floating types convert as PyTorch's
 * {@code tensor.float()} does: float16 and bfloat16 exactly (subnormals, infinities and NaNs included), float64 by
 * rounding to nearest even. Integer types exist only for the BatchNorm counter {@code num_batches_tracked}; any other
 * integer tensor is refused (see {@link #checkReadable}).
 */
enum ElementType {
    F32(4, "float32"), F16(2, "float16"), BF16(2, "bfloat16"), F64(8, "float64"),
    I64(8, "int64"), I32(4, "int32"), I16(2, "int16"), I8(1, "int8"), U8(1, "uint8"), BOOL(1, "bool");

    /** Largest element count a float[] may hold on common JVMs. */
    static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final int CHUNK_BYTES = 1 << 16;

    final int size;
    /** PyTorch's name for the dtype, for messages. */
    final String torchName;
    final boolean floating;

    ElementType(int size, String torchName) {
        this.size = size;
        this.torchName = torchName;
        this.floating = torchName.startsWith("float") || torchName.equals("bfloat16");
    }

    /**
     * Refuses a tensor of this type unless it is floating, or the int64 scalar {@code num_batches_tracked} that
     * {@code BatchNorm} keeps (only training uses it; it is kept, as a float, so names match the state_dict).
     */
    void checkReadable(String source, String tensor, String dtypeName, long numel) {
        boolean batchCounter = tensor.equals("num_batches_tracked") || tensor.endsWith(".num_batches_tracked");
        if (!floating && !(batchCounter && numel == 1)) {
            throw new WeightsFormatException(source, "tensor '" + tensor + "' has dtype " + dtypeName
                    + "; cnn4j reads floating-point weights only (float32, float16, bfloat16, float64): convert it "
                    + "with tensor.float() before saving");
        }
    }

    /**
     * Reads {@code count} elements in byte order {@code order} from {@code in} and converts them to float32.
     *
     * @throws EOFException if {@code in} ends early
     */
    float[] read(InputStream in, int count, ByteOrder order) throws IOException {
        float[] out = new float[count];
        read(in, FloatBuffer.wrap(out), count, order);
        return out;
    }

    /**
     * Reads {@code count} elements in byte order {@code order} from {@code in} and converts them into {@code out}
     * from its position (which advances). Reads in fixed-size chunks, so a direct {@code out} (a native tensor's
     * memory) is filled without the tensor ever existing on the Java heap.
     *
     * @throws EOFException if {@code in} ends early
     */
    void read(InputStream in, FloatBuffer out, int count, ByteOrder order) throws IOException {
        // No larger than the tensor: a file of many tiny tensors must not cost a full chunk each.
        read(in, out, count, order, new byte[(int) Math.min(CHUNK_BYTES - CHUNK_BYTES % size, (long) count * size)]);
    }

    /** A chunk for {@link #read(InputStream, FloatBuffer, int, ByteOrder, byte[])}, to reuse for every tensor. */
    static byte[] newChunk() {
        return new byte[CHUNK_BYTES];
    }

    /**
     * As {@link #read(InputStream, FloatBuffer, int, ByteOrder)}, through {@code chunk} (a multiple of 8 bytes, as
     * {@link #newChunk}), which a reader reuses for every tensor: loading a model then leaves no chunk per tensor to
     * the garbage collector, whose young generation would keep the pages they touched resident.
     */
    void read(InputStream in, FloatBuffer out, int count, ByteOrder order, byte[] chunk) throws IOException {
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, chunk.length / size);
            int got = in.readNBytes(chunk, 0, n * size);
            if (got != n * size) {
                throw new EOFException("data ends after " + ((long) done * size + got) + " of " + (long) count * size
                        + " bytes");
            }
            decode(ByteBuffer.wrap(chunk, 0, got).order(order), out, n);
            done += n;
        }
    }

    private void decode(ByteBuffer in, FloatBuffer out, int n) {
        switch (this) {
            case F32 -> out.put(in.asFloatBuffer());
            case F16 -> {
                float[] table = HalfTable.VALUES;
                for (int i = 0; i < n; i++) {
                    out.put(table[in.getShort() & 0xffff]);
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out.put(Float.intBitsToFloat((in.getShort() & 0xffff) << 16));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out.put((float) in.getDouble());
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out.put(integer(in));
                }
            }
        }
    }

    private float integer(ByteBuffer in) {
        return switch (this) {
            case I64 -> in.getLong();
            case I32 -> in.getInt();
            case I16 -> in.getShort();
            case I8 -> in.get();
            case U8 -> in.get() & 0xff;
            case BOOL -> in.get() != 0 ? 1 : 0;
            default -> throw new AssertionError(this);
        };
    }

    /** All 65536 float16 values as float32 (256 KB, built on first use): a lookup beats the branches per element. */
    private static final class HalfTable {
        static final float[] VALUES = new float[1 << 16];

        static {
            for (int h = 0; h < VALUES.length; h++) {
                VALUES[h] = halfToFloat((short) h);
            }
        }
    }

    /** IEEE binary16 to binary32; every half value is exactly representable. */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) { // infinity, or NaN with its payload kept and made quiet, as PyTorch converts it
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa == 0 ? 0 : 0x400000 | (mantissa << 13)));
        }
        if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in float
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
