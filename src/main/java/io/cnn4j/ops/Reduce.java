package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Reductions over any dims, as torch.sum, torch.mean, torch.amax and torch.amin with {@code dim} and {@code keepdim}
 * (ONNX ReduceSum, ReduceMean, ReduceMax, ReduceMin): dims may be negative (counted from the end) and in any order,
 * but not repeated; null or empty reduces every dim, as torch does. Sum and mean accumulate in double, so the result
 * is within a float rounding of the exact value; amax and amin propagate NaN. A result of no dims (every dim reduced
 * without keepdim) is refused: cnn4j tensors have at least one dim. Lifecycle as {@link Activation}; the output must
 * not overlap the input. Immutable and thread-safe.
 */
public final class Reduce extends ScratchFreeOp {
    /** The reductions, with PyTorch's function names. */
    public enum Kind {
        SUM("sum", NativeCore.REDUCE_SUM),
        MEAN("mean", NativeCore.REDUCE_MEAN),
        AMAX("amax", NativeCore.REDUCE_MAX),
        AMIN("amin", NativeCore.REDUCE_MIN);

        final String op;
        final int code;

        Kind(String op, int code) {
            this.op = op;
            this.code = code;
        }

        public String op() {
            return op;
        }
    }

    private final Kind kind;
    private final long[] dims;
    private final boolean keepdim;

    private Reduce(Kind kind, long[] dims, boolean keepdim) {
        this.kind = kind;
        this.dims = dims;
        this.keepdim = keepdim;
    }

    /** kind over dims (null or empty: every dim), keeping them as size 1 when keepdim. */
    public static Reduce create(Kind kind, long[] dims, boolean keepdim) {
        if (kind == null) {
            throw new IllegalArgumentException("reduce: kind must not be null");
        }
        return new Reduce(kind, dims == null ? new long[0] : dims.clone(), keepdim);
    }

    public Kind kind() {
        return kind;
    }

    /** Which dims of a rank-{@code rank} input are reduced, after the checks. */
    private boolean[] reduced(long[] inputShape) {
        Args.checkInputShape(kind.op, inputShape);
        int rank = inputShape.length;
        boolean[] reduced = new boolean[rank];
        if (dims.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (long dim : dims) {
            int d = Args.wrapDim(kind.op, "dim", dim, rank);
            if (reduced[d]) {
                throw new IllegalArgumentException(kind.op + ": dim " + d + " appears multiple times in the list of "
                        + "dims " + Arrays.toString(dims));
            }
            reduced[d] = true;
        }
        return reduced;
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        boolean[] reduced = reduced(inputShape);
        long[] out = new long[inputShape.length];
        int n = 0;
        for (int d = 0; d < inputShape.length; d++) {
            if (!reduced[d]) {
                out[n++] = inputShape[d];
            } else if (keepdim) {
                out[n++] = 1;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException(kind.op + ": reducing every dim of input " + Args.shape(inputShape)
                    + " without keepdim gives a 0-d result; cnn4j tensors have at least one dim (use keepdim=True)");
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] in = Args.checkRun(kind.op, input, output, this::outputShape, false);
        prepare(in).run(input, output, workspace);
    }

    @Override
    public Prepared prepare(long[] inputShape) {
        boolean[] reduced = reduced(inputShape);
        long[] outShape = outputShape(inputShape);
        int rank = inputShape.length;
        long[] strides = new long[rank];
        long next = 1;
        for (int d = rank - 1; d >= 0; d--) {
            strides[d] = next;
            next *= inputShape[d];
        }
        // Kept and reduced dims apart, size-1 dims dropped, neighbours of the same kind merged.
        long[][] kept = merge(inputShape, strides, reduced, false);
        long[][] red = merge(inputShape, strides, reduced, true);
        if (red[0].length == 0) { // only size-1 dims reduced: a copy
            red = new long[][] {{1}, {1}};
        }
        long[] keptShape = kept[0];
        long[] keptStrides = kept[1];
        long[] redShape = red[0];
        long[] redStrides = red[1];
        return (x, y, workspace) -> {
            Args.checkPrepared(kind.op, x, inputShape, y, outShape, null, workspace, 0);
            Args.checkNoOverlap(kind.op, y, "input", x, false);
            NativeCore.check(NativeCore.cnn4j_reduce_forward(kind.code, keptShape.length, keptShape, keptStrides,
                    redShape.length, redShape, redStrides, x.pointer(), y.pointer()), "cnn4j_reduce_forward");
        };
    }

    /** {shape, strides} of the dims whose reduced flag is {@code which}, size-1 dims dropped, contiguous runs merged. */
    private static long[][] merge(long[] shape, long[] strides, boolean[] reduced, boolean which) {
        long[] s = new long[shape.length];
        long[] t = new long[shape.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d] != which || shape[d] == 1) {
                continue;
            }
            if (n > 0 && t[n - 1] == strides[d] * shape[d]) {
                s[n - 1] *= shape[d];
                t[n - 1] = strides[d];
                continue;
            }
            s[n] = shape[d];
            t[n] = strides[d];
            n++;
        }
        return new long[][] {Arrays.copyOf(s, n), Arrays.copyOf(t, n)};
    }

    @Override
    public String toString() {
        return kind.op + "(dim=" + Arrays.toString(dims) + ", keepdim=" + keepdim + ")";
    }
}
