package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Python slicing of one dim, {@code x[..., start:end:step, ...]} (what {@code torch.narrow}, {@code chunk} and
 * {@code split} pieces are), copied into contiguous memory: start and end may be null (the dim's ends) or negative
 * (counted from the end), and are clamped into the dim as Python clamps them; step must be positive (PyTorch has no
 * negative slicing steps). An empty slice is refused: cnn4j tensors have no zero-size dims. Lifecycle as
 * {@link Activation}; the output must not overlap the input. Immutable and thread-safe.
 */
public final class Slice extends ScratchFreeOp {
    private static final String OP = "slice";
    private final long dim;
    private final Long start;
    private final Long end;
    private final long step;

    private Slice(long dim, Long start, Long end, long step) {
        this.dim = dim;
        this.start = start;
        this.end = end;
        this.step = step;
    }

    /** x[start:end:step] along dim; start, end null for the dim's ends. */
    public static Slice create(long dim, Long start, Long end, long step) {
        if (step <= 0) {
            throw new IllegalArgumentException(OP + ": slice step must be positive, got step=" + step
                    + " (reverse a dim with torch.flip)");
        }
        return new Slice(dim, start, end, step);
    }

    /** {dim, first index, count} for an input shape, after the checks. */
    private long[] range(long[] in) {
        Args.checkInputShape(OP, in);
        int d = Args.wrapDim(OP, "dim", dim, in.length);
        long size = in[d];
        long first = clamp(start == null ? 0 : start, size);
        long last = clamp(end == null ? size : end, size);
        long count = last <= first ? 0 : (last - first + step - 1) / step;
        if (count == 0) {
            throw new IllegalArgumentException(OP + ": [" + text(start) + ":" + text(end) + ":" + step + "] of dim "
                    + d + " (size " + size + ") of input " + Args.shape(in) + " is empty; cnn4j tensors have no "
                    + "zero-size dims");
        }
        return new long[] {d, first, count};
    }

    /** Python's clamping of a slice bound into [0, size]. */
    private static long clamp(long index, long size) {
        long i = index < 0 ? index + size : index;
        return Math.max(0, Math.min(size, i));
    }

    private static String text(Long v) {
        return v == null ? "" : v.toString();
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        long[] r = range(inputShape);
        long[] out = inputShape.clone();
        out[(int) r[0]] = r[2];
        return out;
    }

    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] in = Args.checkRun(OP, input, output, this::outputShape, false);
        prepare(in).run(input, output, workspace);
    }

    @Override
    public Prepared prepare(long[] inputShape) {
        long[] r = range(inputShape);
        long[] outShape = outputShape(inputShape);
        long[] inStrides = new long[inputShape.length]; // row-major strides of the input
        long next = 1;
        for (int d = inputShape.length - 1; d >= 0; d--) {
            inStrides[d] = next;
            next *= inputShape[d];
        }
        int d = (int) r[0];
        long offset = r[1] * inStrides[d];
        inStrides[d] *= step;
        return (x, y, workspace) -> {
            Args.checkPrepared(OP, x, inputShape, y, outShape, null, workspace, 0);
            Args.checkNoOverlap(OP, y, "input", x, false);
            NativeCore.check(NativeCore.cnn4j_strided_copy(outShape.length, outShape, inStrides, offset,
                    x.pointer(), y.pointer()), "cnn4j_strided_copy");
        };
    }
}
