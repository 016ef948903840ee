package io.cnn4j.bench;

/**
 * The benchmarked conv2d layers (batch 1, with bias, dilation 1): the ResNet stem, the 3x3 layers of the four
 * ResNet stages, a 1x1 bottleneck projection, a MobileNet depthwise layer and LeNet's first layer. The constant
 * names are JMH's @Param values: in/out channels, kernel, stride (s), padding (p), groups (g), input size.
 */
public enum ConvShape {
    C3_64_K7_S2_P3_224(3, 64, 7, 2, 3, 1, 224),
    C64_64_K3_P1_56(64, 64, 3, 1, 1, 1, 56),
    C128_128_K3_P1_28(128, 128, 3, 1, 1, 1, 28),
    C256_256_K3_P1_14(256, 256, 3, 1, 1, 1, 14),
    C512_512_K3_P1_7(512, 512, 3, 1, 1, 1, 7),
    C256_64_K1_56(256, 64, 1, 1, 0, 1, 56),
    DW32_K3_P1_G32_112(32, 32, 3, 1, 1, 32, 112),
    C1_6_K5_P2_28(1, 6, 5, 1, 2, 1, 28);

    public final int inChannels;
    public final int outChannels;
    public final int kernel;
    public final int stride;
    public final int padding;
    public final int groups;
    public final int size;

    ConvShape(int inChannels, int outChannels, int kernel, int stride, int padding, int groups, int size) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        this.size = size;
    }

    public int outSize() {
        return (size + 2 * padding - kernel) / stride + 1;
    }

    public long[] inputShape() {
        return new long[] {1, inChannels, size, size};
    }

    public long[] weightShape() {
        return new long[] {outChannels, inChannels / groups, kernel, kernel};
    }

    public long[] outputShape() {
        return new long[] {1, outChannels, outSize(), outSize()};
    }

    /** Multiply-adds counted as two FLOPs: 2 * Cout * Hout * Wout * Cin/groups * kH * kW (bias not counted). */
    public double flops() {
        return 2.0 * outChannels * outSize() * outSize() * (inChannels / groups) * kernel * kernel;
    }

    /** How the report names the layer, e.g. "3→64 7x7 s2 p3 @224". */
    public String describe() {
        String channels = groups == inChannels && groups == outChannels && groups > 1
                ? "depthwise " + inChannels + "ch"
                : inChannels + "→" + outChannels;
        return channels + " " + kernel + "x" + kernel + (stride > 1 ? " s" + stride : "")
                + (padding > 0 ? " p" + padding : "") + (groups > 1 ? " g" + groups : "") + " @" + size;
    }

    /** Prints the constant names, one per line, for run.sh to loop over. */
    public static void main(String[] args) {
        for (ConvShape s : values()) {
            System.out.println(s.name());
        }
    }
}
