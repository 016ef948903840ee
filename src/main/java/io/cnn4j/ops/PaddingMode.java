package io.cnn4j.ops;

/** How a convolution pads its input: PyTorch's {@code padding_mode} values, with the native core's codes. */
public enum PaddingMode {
    ZEROS("zeros", 0),
    REFLECT("reflect", 1),
    REPLICATE("replicate", 2),
    CIRCULAR("circular", 3);

    /** The name PyTorch uses. */
    public final String torchName;
    final int nativeCode;

    PaddingMode(String torchName, int nativeCode) {
        this.torchName = torchName;
        this.nativeCode = nativeCode;
    }

    /** Parses PyTorch's name ('zeros', 'reflect', 'replicate', 'circular'). */
    public static PaddingMode fromTorchName(String name) {
        for (PaddingMode m : values()) {
            if (m.torchName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("padding_mode must be one of 'zeros', 'reflect', 'replicate', "
                + "'circular', got padding_mode='" + name + "'");
    }
}
