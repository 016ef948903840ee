package io.cnn4j.ops;

/**
 * The size arithmetic of sliding windows, in one place for the ops and the ONNX importer: how far a dilated kernel
 * reaches, how many windows fit (PyTorch's {@code pooling_output_shape}, of which the convolution's rule is the floor
 * case) and how large a transposed convolution's output is.
 */
public final class WindowSizes {
    private WindowSizes() {}

    /** The input span one window covers: {@code dilation * (kernel - 1) + 1}. */
    public static long effectiveKernel(long kernel, long dilation) {
        return Math.addExact(Math.multiplyExact(dilation, kernel - 1), 1);
    }

    /**
     * Windows along one dim of size {@code in} padded by {@code pad} on both sides: floor (or ceil) of the window
     * count; in ceil mode the last window must start inside the input or its left padding (ATen's
     * {@code pooling_output_shape}). A result below 1 means no window fits.
     */
    public static long outputSize(long in, long kernel, long pad, long stride, long dilation, boolean ceilMode) {
        long span = in + 2 * pad - effectiveKernel(kernel, dilation);
        long out = Math.floorDiv(span + (ceilMode ? stride - 1 : 0), stride) + 1;
        if (ceilMode && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /**
     * A transposed convolution's output size:
     * {@code (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1}.
     */
    public static long transposedOutputSize(long in, long kernel, long pad, long stride, long dilation,
            long outputPadding) {
        return Math.multiplyExact(in - 1, stride) - 2 * pad + effectiveKernel(kernel, dilation) + outputPadding;
    }
}
