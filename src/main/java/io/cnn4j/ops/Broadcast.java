package io.cnn4j.ops;

import java.util.Arrays;

/**
 * NumPy/PyTorch broadcasting of two (or more) shapes: dims are aligned from the right, a missing dim counts as 1, and each
 * pair of sizes must be equal or contain a 1 (which stretches to the other). The walk the native kernel takes is
 * planned here: element strides per output dim (0 where an operand is stretched), with size-1 dims dropped and
 * adjacent dims that both operands walk contiguously merged, so a same-shape pair is one flat run.
 */
public final class Broadcast {
    /** Output dims after merging, and each operand's element stride along them. */
    final long[] shape;
    final long[] aStrides;
    final long[] bStrides;
    /** Every operand's strides, in operand order ({@code aStrides}, {@code bStrides} are the first two). */
    final long[][] strides;

    private Broadcast(long[] shape, long[][] strides) {
        this.shape = shape;
        this.strides = strides;
        this.aStrides = strides[0];
        this.bStrides = strides.length > 1 ? strides[1] : null;
    }

    /** The broadcast shape of {@code a} and {@code b}, as torch.broadcast_shapes; {@code op} names messages. */
    public static long[] shape(String op, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int d = 0; d < rank; d++) {
            long p = dim(a, d, rank);
            long q = dim(b, d, rank);
            if (p != q && p != 1 && q != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and "
                        + Arrays.toString(b) + " do not broadcast: dim " + d + " (aligned from the right) is " + p
                        + " against " + q + "; sizes must be equal or one of them 1");
            }
            out[d] = p == 1 ? q : p;
        }
        return out;
    }

    /** The walk over the output for operand shapes {@code a} and {@code b} (already checked by {@link #shape}). */
    static Broadcast plan(long[] a, long[] b, long[] out) {
        return planAll(out, a, b);
    }

    /**
     * The walk over {@code out} for any number of operand shapes (each already checked to broadcast to it): dims of
     * size 1 dropped, and a dim merged into the one before it where every operand continues that dim's walk.
     */
    static Broadcast planAll(long[] out, long[]... operands) {
        int rank = out.length;
        int k = operands.length;
        long[][] full = new long[k][];
        for (int i = 0; i < k; i++) {
            full[i] = strides(operands[i], out);
        }
        long[] shape = new long[rank];
        long[][] merged = new long[k][rank];
        int n = 0;
        for (int d = 0; d < rank; d++) {
            if (out[d] == 1) {
                continue; // a size-1 dim moves no operand
            }
            boolean continues = n > 0;
            for (int i = 0; i < k && continues; i++) {
                continues = merged[i][n - 1] == full[i][d] * out[d];
            }
            if (continues) {
                shape[n - 1] *= out[d]; // dim d continues dim n-1's walk in every operand
                for (int i = 0; i < k; i++) {
                    merged[i][n - 1] = full[i][d];
                }
                continue;
            }
            shape[n] = out[d];
            for (int i = 0; i < k; i++) {
                merged[i][n] = full[i][d];
            }
            n++;
        }
        long[][] strides = new long[k][];
        for (int i = 0; i < k; i++) {
            strides[i] = Arrays.copyOf(merged[i], n);
        }
        return new Broadcast(Arrays.copyOf(shape, n), strides);
    }

    /** Contiguous element strides of {@code s} aligned to {@code out}'s dims, 0 where {@code s} is stretched. */
    private static long[] strides(long[] s, long[] out) {
        long[] strides = new long[out.length];
        long step = 1;
        for (int d = out.length - 1; d >= 0; d--) {
            long size = dim(s, d, out.length);
            strides[d] = size == 1 ? 0 : step;
            step *= size;
        }
        return strides;
    }

    private static long dim(long[] s, int d, int rank) {
        int i = d - (rank - s.length);
        return i < 0 ? 1 : s[i];
    }
}
