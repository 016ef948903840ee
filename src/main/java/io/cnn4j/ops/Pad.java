package io.cnn4j.ops;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Padding of the last 1 to 3 dims, PyTorch's {@code F.pad(input, pad, mode, value)}: {@code pad} lists
 * (left, right) per dim starting from the last dim; modes 'constant' (with {@code value}), 'reflect', 'replicate' and
 * 'circular'. Negative padding crops, as in PyTorch; 'circular' then wraps within what is left.
 *
 * <p>PyTorch's limits: reflect needs each padding &lt; the size, circular at most the size (cnn4j: at most the size
 * left after negative padding, where PyTorch would read uninitialised memory); constant padding may remove at most
 * the whole input; the non-constant modes take an input of (padded dims + 1) or (padded dims + 2) dims, and no value
 * but 0. cnn4j tensors have no empty dims, so an output size of 0 (allowed by PyTorch for 'constant' and 'circular')
 * is refused, as is constant padding of more than the last 3 dims.
 *
 * <p>Lifecycle as {@link Convolution}; no scratch ({@link #workspaceSize} is 0, the workspace may be null).
 * Immutable and thread-safe.
 */
public final class Pad extends ScratchFreeOp {
    private static final String OP = "pad";
    private static final String[] MODES = {"constant", "reflect", "replicate", "circular"};

    private final int[] pad;
    private final int padDims;
    private final String modeName;
    private final PaddingMode mode;
    private final float value;

    private Pad(int[] pad, String modeName, PaddingMode mode, float value) {
        this.pad = pad;
        this.padDims = pad.length / 2;
        this.modeName = modeName;
        this.mode = mode;
        this.value = value;
    }

    /**
     * @param pad (left, right) pairs, the last dim first: {@code {1, 1}} pads the last dim, {@code {l, r, t, b}} the
     *     last two
     * @param mode 'constant', 'reflect', 'replicate' or 'circular'
     * @param value the fill of 'constant' padding; the other modes take only 0 (PyTorch's value=None)
     */
    public static Pad create(int[] pad, String mode, double value) {
        if (pad == null) {
            throw new IllegalArgumentException(OP + ": pad must not be null");
        }
        if (pad.length % 2 != 0) {
            throw new IllegalArgumentException(OP + ": padding length must be divisible by 2, got pad="
                    + Arrays.toString(pad));
        }
        if (pad.length > 6) {
            throw new IllegalArgumentException(OP + ": cnn4j pads at most the last 3 dims (6 values), got pad="
                    + Arrays.toString(pad));
        }
        int m = Arrays.asList(MODES).indexOf(mode);
        if (m < 0) {
            throw new IllegalArgumentException(OP + ": mode must be one of 'constant', 'reflect', 'replicate', "
                    + "'circular', got mode=" + (mode == null ? "null" : "'" + mode + "'"));
        }
        // 'constant' is the core's zeros mode with a fill value; the other names are PaddingMode's own.
        PaddingMode paddingMode = m == 0 ? PaddingMode.ZEROS : PaddingMode.fromTorchName(mode);
        if (paddingMode != PaddingMode.ZEROS) {
            if (value != 0) {
                throw new IllegalArgumentException(OP + ": mode='" + mode + "' takes no value (only 'constant' does), "
                        + "got value=" + value);
            }
            if (pad.length == 0) {
                throw new IllegalArgumentException(OP + ": mode='" + mode + "' needs padding for 1 to 3 dims, got pad="
                        + Arrays.toString(pad));
            }
        }
        return new Pad(pad.clone(), mode, paddingMode, (float) value);
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        if (inputShape == null || inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException(OP + ": input sizes must be >= 1, got input of shape "
                    + Arrays.toString(inputShape));
        }
        int rank = inputShape.length;
        if (padDims > rank) {
            throw new IllegalArgumentException(OP + ": padding length must be at most twice the input's dims, got pad="
                    + Arrays.toString(pad) + " for input of shape " + Arrays.toString(inputShape));
        }
        if (mode != PaddingMode.ZEROS && rank != padDims + 1 && rank != padDims + 2) {
            throw new IllegalArgumentException(OP + ": mode='" + modeName + "' pads " + padDims + " dims of a "
                    + (padDims + 1) + "-d (unbatched) or " + (padDims + 2) + "-d (batched) input, got pad="
                    + Arrays.toString(pad) + " for input of shape " + Arrays.toString(inputShape));
        }
        long[] out = inputShape.clone();
        for (int i = 0; i < padDims; i++) {
            int dim = rank - padDims + i;
            long size = inputShape[dim];
            long before = begin(i);
            long after = end(i);
            String where = " for size " + size + " at dim " + dim + " of input " + Arrays.toString(inputShape)
                    + " (pad=" + Arrays.toString(pad) + ")";
            long kept = size + Math.min(before, 0) + Math.min(after, 0);
            switch (mode) {
                case ZEROS -> {
                    if (kept < 0) {
                        throw new IllegalArgumentException(OP + ": negative padding removes more than the input has, "
                                + "got padding [" + before + ", " + after + "]" + where);
                    }
                }
                case REFLECT -> {
                    if (before >= size || after >= size) {
                        throw new IllegalArgumentException(OP + ": mode='reflect' needs padding < the input size, "
                                + "got padding [" + before + ", " + after + "]" + where);
                    }
                }
                case CIRCULAR -> {
                    if (before > kept || after > kept) {
                        throw new IllegalArgumentException(OP + ": mode='circular' wraps around at most once: padding "
                                + "must be <= the input size left after negative padding (" + kept + "), got padding ["
                                + before + ", " + after + "]" + where);
                    }
                }
                default -> { }
            }
            out[dim] = size + before + after;
            if (out[dim] < 1) {
                throw new IllegalArgumentException(OP + ": output size " + out[dim] + " must be >= 1, got padding ["
                        + before + ", " + after + "]" + where);
            }
        }
        Shapes.numel(OP + ": output of shape", out);
        return out;
    }

    /** output = pad(input); the workspace is unused and may be null. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] inShape = PoolGeometry.checkRun(OP, input, output, null, this::outputShape);
        int lead = inShape.length - padDims;
        long[] begin = new long[padDims];
        long[] end = new long[padDims];
        for (int i = 0; i < padDims; i++) {
            begin[i] = begin(i);
            end[i] = end(i);
        }
        NativeCore.check(NativeCore.cnn4j_pad(mode.nativeCode, value, Shapes.product(inShape, 0, lead),
                Window.to3d(Arrays.copyOfRange(inShape, lead, inShape.length), 1), Window.to3d(begin, 0),
                Window.to3d(end, 0), input.pointer(), output.pointer()), "cnn4j_pad");
    }

    /** Padding before padded dim i (0 = the first padded dim); pad lists the last dim first. */
    private long begin(int i) {
        return pad[2 * (padDims - 1 - i)];
    }

    private long end(int i) {
        return pad[2 * (padDims - 1 - i) + 1];
    }
}
