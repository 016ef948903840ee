package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * {@code x.expand(*size)}: each dim of size 1 repeated to {@code size[d]}, a {@code -1} (or the dim's own size)
 * keeping it, copied into contiguous memory (PyTorch returns a view; the values are the same). {@code size} has one
 * entry per input dim (PyTorch's new leading dims would put dims before the batch). Lifecycle as {@link Activation};
 * the output must not overlap the input. Immutable and thread-safe.
 */
public final class Expand implements UnaryOp {
    private static final String OP = "expand";
    private final long[] size;

    private Expand(long[] size) {
        this.size = size;
    }

    public static Expand create(long... size) {
        if (size == null || size.length == 0) {
            throw new IllegalArgumentException(OP + ": size must give one size (or -1) per input dim, got "
                    + Arrays.toString(size));
        }
        for (long s : size) {
            if (s < -1 || s == 0) {
                throw new IllegalArgumentException(OP + ": sizes must be positive or -1 (keep the dim), got size="
                        + Arrays.toString(size));
            }
        }
        return new Expand(size.clone());
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        Args.checkInputShape(OP, inputShape);
        if (size.length != inputShape.length) {
            throw new IllegalArgumentException(OP + ": size=" + Arrays.toString(size) + " has " + size.length
                    + " entries for an input of " + inputShape.length + " dims " + Arrays.toString(inputShape)
                    + "; give one per dim (-1 keeps a dim)");
        }
        long[] out = inputShape.clone();
        for (int d = 0; d < size.length; d++) {
            if (size[d] == -1 || size[d] == inputShape[d]) {
                continue;
            }
            if (inputShape[d] != 1) {
                throw new IllegalArgumentException(OP + ": the expanded size " + size[d] + " must match the existing "
                        + "size " + inputShape[d] + " at non-singleton dim " + d + ". Target sizes: "
                        + Arrays.toString(size) + ". Tensor sizes: " + Arrays.toString(inputShape));
            }
            out[d] = size[d];
        }
        return out;
    }

    @Override
    public long workspaceSize(long[] inputShape) {
        outputShape(inputShape);
        return 0;
    }

    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] in = Args.checkRun(OP, input, output, this::outputShape, false);
        long[] out = outputShape(in);
        long[] strides = new long[in.length];
        long step = 1;
        for (int d = in.length - 1; d >= 0; d--) {
            strides[d] = in[d] == 1 ? 0 : step; // a repeated dim reads the same element
            step *= in[d];
        }
        NativeCore.check(NativeCore.cnn4j_strided_copy(out.length, out, strides, 0, input.pointer(),
                output.pointer()), "cnn4j_strided_copy");
    }

    /** The batch dim is never expanded: each sample of the output repeats the same sample of the input. */
    @Override
    public boolean samplewise() {
        return true;
    }

    @Override
    public String toString() {
        return OP + Arrays.toString(size);
    }
}
