package io.cnn4j.ops;

import java.util.Arrays;

/**
 * NumPy/PyTorch broadcasting of two shapes: dims are aligned from the right, a missing dim counts as 1, and each
 * pair of sizes must be equal or contain a 1 (which stretches to the other). The walk the native kernel takes is
 * planned here: element strides per output dim (0 where an operand is stretched), with size-1 dims dropped and
 * adjacent dims that both operands walk contiguously merged, so a same-shape pair is one flat run.
 */
public final class Broadcast {
    /** Output dims after merging, and each operand's element stride along them. */
    final long[] shape;
    final long[] aStrides;
    final long[] bStrides;

    private Broadcast(long[] shape, long[] aStrides, long[] bStrides) {
        this.shape = shape;
        this.aStrides = aStrides;
        this.bStrides = bStrides;
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
        int rank = out.length;
        long[] sa = strides(a, out);
        long[] sb = strides(b, out);
        long[] shape = new long[rank];
        long[] mergedA = new long[rank];
        long[] mergedB = new long[rank];
        int n = 0;
        for (int d = 0; d < rank; d++) {
            if (out[d] == 1) {
                continue; // a size-1 dim moves neither operand
            }
            if (n > 0 && mergedA[n - 1] == sa[d] * out[d] && mergedB[n - 1] == sb[d] * out[d]) {
                shape[n - 1] *= out[d]; // dim d continues dim n-1's walk in both operands
                mergedA[n - 1] = sa[d];
                mergedB[n - 1] = sb[d];
                continue;
            }
            shape[n] = out[d];
            mergedA[n] = sa[d];
            mergedB[n] = sb[d];
            n++;
        }
        return new Broadcast(Arrays.copyOf(shape, n), Arrays.copyOf(mergedA, n), Arrays.copyOf(mergedB, n));
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
