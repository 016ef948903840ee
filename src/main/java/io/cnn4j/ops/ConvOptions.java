package io.cnn4j.ops;

/**
 * Hyperparameters of a convolution or transposed convolution, named and defaulted as in PyTorch's
 * {@code nn.Conv2d} / {@code nn.ConvTranspose2d}: {@code stride=1, padding=0, dilation=1, groups=1,
 * padding_mode='zeros', output_padding=0}, plus the {@code output_size} that {@code nn.ConvTranspose*d.forward}
 * takes. Each int-or-tuple argument takes one value (all dims) or one per dim; they are checked against the op
 * ({@link Convolution} or {@link ConvTranspose}) when it is created.
 */
public final class ConvOptions {
    int[] stride = {1};
    int[] padding = {0};
    String paddingString; // "same" or "valid", else null
    int[] dilation = {1};
    int groups = 1;
    PaddingMode paddingMode = PaddingMode.ZEROS;
    int[] outputPadding = {0};
    int[] outputSize; // transposed convolution only; null: output_padding decides

    public ConvOptions stride(int... stride) {
        this.stride = copy(stride);
        return this;
    }

    /** Explicit padding on both sides of each dim. */
    public ConvOptions padding(int... padding) {
        this.padding = copy(padding);
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
        this.dilation = copy(dilation);
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
        this.outputPadding = copy(outputPadding);
        return this;
    }

    /**
     * Transposed convolution only: the wanted output size, as {@code nn.ConvTranspose*d.forward(input, output_size)}
     * takes it (the spatial sizes, optionally preceded by the batch and channel sizes, which are ignored). It derives
     * output_padding per input shape and then takes the place of {@link #outputPadding}; it must lie between the
     * smallest output size for the input and that plus stride - 1.
     */
    public ConvOptions outputSize(int... outputSize) {
        this.outputSize = copy(outputSize);
        return this;
    }

    /** A null tuple stays null, for the op to reject with its name and argument. */
    private static int[] copy(int[] values) {
        return values == null ? null : values.clone();
    }
}
