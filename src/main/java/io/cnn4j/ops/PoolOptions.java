package io.cnn4j.ops;

/**
 * Hyperparameters of the sliding-window pooling ops, named and defaulted as PyTorch's {@code nn.MaxPool2d},
 * {@code nn.AvgPool2d} and {@code nn.LPPool2d}: {@code kernel_size} (required), {@code stride=None} (= kernel_size),
 * {@code padding=0}, {@code dilation=1}, {@code ceil_mode=False}, {@code count_include_pad=True},
 * {@code divisor_override=None}, {@code return_indices=False}. Each int-or-tuple argument takes one value (all
 * dims) or one per dim.
 *
 * <p>Not every op takes every argument, as in PyTorch: dilation and return_indices are max pooling's,
 * count_include_pad and divisor_override average pooling's (divisor_override for 2-d and 3-d only), and
 * power-average pooling takes neither padding nor those. Setting an argument the op does not take is an error when
 * the op is created, never silently ignored.
 */
public final class PoolOptions {
    final int[] kernelSize;
    int[] stride; // null: kernel_size
    boolean ceilMode;
    // Arguments only some ops take: null until set, so that an op can refuse one it does not take.
    int[] padding;
    int[] dilation;
    Boolean countIncludePad;
    Integer divisorOverride;
    Boolean returnIndices;

    public PoolOptions(int... kernelSize) {
        this.kernelSize = kernelSize == null ? null : kernelSize.clone();
    }

    public PoolOptions stride(int... stride) {
        this.stride = stride == null ? null : stride.clone();
        return this;
    }

    /** Implicit padding on both sides of each dim: -inf for max pooling, zeros for average pooling. */
    public PoolOptions padding(int... padding) {
        this.padding = padding == null ? null : padding.clone();
        return this;
    }

    public PoolOptions dilation(int... dilation) {
        this.dilation = dilation == null ? null : dilation.clone();
        return this;
    }

    /**
     * Rounds the output size up instead of down; the last window must still start inside the input or its left
     * padding.
     */
    public PoolOptions ceilMode(boolean ceilMode) {
        this.ceilMode = ceilMode;
        return this;
    }

    /** Average pooling: whether the zero padding counts in the divisor. */
    public PoolOptions countIncludePad(boolean countIncludePad) {
        this.countIncludePad = countIncludePad;
        return this;
    }

    /** Average pooling (2-d and 3-d): divide every window sum by this instead of the window size; must not be 0. */
    public PoolOptions divisorOverride(int divisorOverride) {
        this.divisorOverride = divisorOverride;
        return this;
    }

    /**
     * Max pooling: whether the module returns the indices of the maxima too ({@link MaxPool#returnsIndices()}). The
     * functional API returns them from its {@code maxPool*WithIndices} methods, as {@code F.max_pool2d_with_indices}.
     */
    public PoolOptions returnIndices(boolean returnIndices) {
        this.returnIndices = returnIndices;
        return this;
    }
}
