package io.cnn4j.ops;

/**
 * Hyperparameters of a convolution or transposed convolution, named and defaulted as in PyTorch's
 * {@code nn.Conv2d} / {@code nn.ConvTranspose2d}: {@code stride=1, padding=0, dilation=1, groups=1,
 * padding_mode='zeros', output_padding=0}. Each int-or-tuple argument takes one value (all dims) or one per dim;
 * they are checked against the op when it is created.
 */
public final class ConvOptions {
    int[] stride = {1};
    int[] padding = {0};
    String paddingString; // "same" or "valid", else null
    int[] dilation = {1};
    int groups = 1;
    PaddingMode paddingMode = PaddingMode.ZEROS;
    int[] outputPadding = {0};

    public ConvOptions stride(int... stride) {
        this.stride = stride.clone();
        return this;
    }

    /** Explicit padding on both sides of each dim. */
    public ConvOptions padding(int... padding) {
        this.padding = padding.clone();
        this.paddingString = null;
        return this;
    }

    /** {@code "same"} (output size = input size; stride must be 1) or {@code "valid"} (no padding). */
    public ConvOptions padding(String padding) {
        if (!"same".equals(padding) && !"valid".equals(padding)) {
            throw new IllegalArgumentException("padding must be 'same', 'valid' or a number or tuple of numbers, got "
                    + "padding='" + padding + "'");
        }
        this.paddingString = padding;
        return this;
    }

    public ConvOptions dilation(int... dilation) {
        this.dilation = dilation.clone();
        return this;
    }

    public ConvOptions groups(int groups) {
        this.groups = groups;
        return this;
    }

    public ConvOptions paddingMode(PaddingMode mode) {
        this.paddingMode = mode;
        return this;
    }

    /** PyTorch's name: 'zeros', 'reflect', 'replicate' or 'circular'. */
    public ConvOptions paddingMode(String torchName) {
        return paddingMode(PaddingMode.fromTorchName(torchName));
    }

    /** Transposed convolution only: extra size added to one side of the output. */
    public ConvOptions outputPadding(int... outputPadding) {
        this.outputPadding = outputPadding.clone();
        return this;
    }
}
