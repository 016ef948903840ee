package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;

/**
 * torch.matmul(input, other) (ONNX MatMul; torch.bmm and {@code @} are its forms): a 1-d operand is a vector (a row
 * on the left, a column on the right, its dim dropped from the result), 2-d operands are matrices, and the dims before
 * the last two are batch dims, broadcast by NumPy's rules. Each product is an OpenBLAS sgemm. A 0-d result (vector
 * times vector) is refused: cnn4j tensors have at least one dim. The output must not overlap an operand. Immutable
 * and thread-safe.
 */
public final class MatMul {
    private static final String OP = "matmul";

    private MatMul() {}

    public static MatMul create() {
        return new MatMul();
    }

    /** The product's shape, after checking both operands. */
    public long[] outputShape(long[] input, long[] other) {
        return plan(input, other).out;
    }

    /** output = input @ other. */
    public void run(Tensor input, Tensor other, Tensor output) {
        Args.checkOpen(OP, "input", input);
        Args.checkOpen(OP, "other", other);
        prepare(input.shape(), other.shape()).run(input, other, output);
    }

    /** Multiply-adds of the product for these shapes. */
    public long macs(long[] input, long[] other) {
        Plan p = plan(input, other);
        return p.batches * p.m * p.n * p.k;
    }

    /** The products planned once for fixed operand shapes. */
    public Binary.Prepared prepare(long[] inputShape, long[] otherShape) {
        Plan p = plan(inputShape, otherShape);
        long[] input = inputShape.clone();
        long[] other = otherShape.clone();
        return (a, b, y) -> {
            if (a == null || b == null || y == null || a.isClosed() || b.isClosed() || y.isClosed()
                    || !a.hasShape(input) || !b.hasShape(other) || !y.hasShape(p.out)) {
                Args.checkShape(OP, "input", a, input); // throws the precise message
                Args.checkShape(OP, "other", b, other);
                Args.checkShape(OP, "output", y, p.out);
            }
            Args.checkNoOverlap(OP, y, "input", a, false);
            Args.checkNoOverlap(OP, y, "other", b, false);
            NativeCore.check(NativeCore.cnn4j_matmul_forward(p.batches, p.aOffsets, p.bOffsets, p.m, p.n, p.k, 0, 0,
                    1f, a.pointer(), b.pointer(), y.pointer()), "cnn4j_matmul_forward");
        };
    }

    private record Plan(long[] out, long batches, long m, long n, long k, long[] aOffsets, long[] bOffsets) {}

    private static Plan plan(long[] a, long[] b) {
        Args.checkInputShape(OP, a);
        Args.checkInputShape(OP, b);
        if (a.length == 1 && b.length == 1) {
            throw new IllegalArgumentException(OP + ": a vector times a vector (" + Args.shape(a) + " @ "
                    + Args.shape(b) + ") is a 0-d dot product; cnn4j tensors have at least one dim");
        }
        long[] am = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] bm = b.length == 1 ? new long[] {b[0], 1} : b;
        long m = am[am.length - 2];
        long k = am[am.length - 1];
        long n = bm[bm.length - 1];
        if (bm[bm.length - 2] != k) {
            throw new IllegalArgumentException(OP + ": shapes " + Args.shape(a) + " and " + Args.shape(b) + " cannot "
                    + "be multiplied: input's last dim (" + k + ") must equal other's " + (b.length == 1 ? "only"
                    : "second-to-last") + " dim (" + bm[bm.length - 2] + ")");
        }
        long[] aBatch = Arrays.copyOf(am, am.length - 2);
        long[] bBatch = Arrays.copyOf(bm, bm.length - 2);
        long[] batch = Broadcast.shape(OP + " batch dims", aBatch, bBatch);
        Args.checkFitsInt(OP, "inner dim", k);
        Args.checkFitsInt(OP, "columns", n);
        long[] out = Arrays.copyOf(batch, batch.length + (a.length > 1 ? 1 : 0) + (b.length > 1 ? 1 : 0));
        int next = batch.length;
        if (a.length > 1) {
            out[next++] = m;
        }
        if (b.length > 1) {
            out[next] = n;
        }
        long batches = 1;
        for (long s : batch) {
            batches *= s;
        }
        boolean bShared = Arrays.stream(bBatch).allMatch(s -> s == 1);
        if (bShared && batches > 1) {
            // One product: the batch dims of input are rows of one [batches * M, K] matrix (it is contiguous).
            Args.checkFitsInt(OP, "rows", batches * m);
            return new Plan(out, 1, batches * m, n, k, new long[1], new long[1]);
        }
        Args.checkFitsInt(OP, "rows", m);
        long[] aOffsets = offsets(aBatch, batch, m * k);
        long[] bOffsets = offsets(bBatch, batch, k * n);
        return new Plan(out, batches, m, n, k, aOffsets, bOffsets);
    }

    /** Element offset of each broadcast batch's matrix in an operand of batch dims {@code own}, row-major over {@code batch}. */
    private static long[] offsets(long[] own, long[] batch, long matrix) {
        int rank = batch.length;
        long[] strides = new long[rank];
        long step = matrix;
        for (int d = rank - 1; d >= 0; d--) {
            int i = d - (rank - own.length);
            long size = i < 0 ? 1 : own[i];
            strides[d] = size == 1 ? 0 : step;
            step *= size;
        }
        long total = 1;
        for (long s : batch) {
            total *= s;
        }
        Args.checkFitsInt(OP, "batch count", total);
        long[] offsets = new long[(int) total];
        for (int i = 0; i < offsets.length; i++) {
            long rest = i;
            long offset = 0;
            for (int d = rank - 1; d >= 0; d--) {
                offset += (rest % batch[d]) * strides[d];
                rest /= batch[d];
            }
            offsets[i] = offset;
        }
        return offsets;
    }

    @Override
    public String toString() {
        return OP;
    }
}
