package io.cnn4j.ops;

/**
 * Which algorithm runs a convolution: the exact im2col + GEMM path ({@link Convolution}) or Winograd
 * ({@link WinogradConvolution}), chosen per layer shape by {@link #choose} from the measurements below.
 *
 * <p>Measured 2026-12-01 on a quiet 2-core AMD EPYC (Zen 5), both ops prepared on the same input, output and
 * workspace, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS's Cooperlake kernels), cnn4j ISA avx512,
 * 1 thread, 3x3 padding 1, groups 1, best of 5 calls, ms. "Tiles" are the F(4,3) tiles of one call (batch x ceil(H/4) x
 * ceil(W/4)), the width of its GEMMs.
 * <pre>
 *   channels     map  batch  tiles    im2col    F(4,3)   im2col/F(4,3)
 *    16->16       56     1     196     0.204     0.177     1.15
 *    16->16       56     8    1568     1.74      1.55      1.13
 *    32->32       56     1     196     0.857     0.408     2.10
 *    64->64       56     1     196     1.95      0.856     2.28
 *    64->64       56     8    1568    19.7       9.12      2.16
 *    64->128     112     1     784    14.2       6.65      2.13
 *   128->128      28     1      49     1.96      1.09      1.80
 *   128->128      28     8     392    16.0       8.87      1.80
 *   128->256      56     1     196    12.4       5.29      2.34
 *   256->256      14     1      16     1.74      1.60      1.09
 *   256->256      14     8     128    14.3      12.7       1.12
 *   256->256      56     1     196    24.5      14.5       1.69
 *   512->512       7     1       4     2.25      3.81      0.59
 *   512->512       7     8      32    15.3      14.8       1.04
 *   512->512      14     1      16     6.60      5.65      1.17
 *   512->512      28     1      49    24.6      15.5       1.59
 * </pre>
 * An earlier run on the same machine under heavy load (load average 7-10) gave the same picture, with 8 channels
 * losing (0.61-0.84 at @56). What they say: Winograd pays once the GEMMs have enough rows and depth for its 2.25x
 * fewer multiplications to outweigh the transforms, which cost per channel and tile: from 16 channels per group
 * (8 lost, 16 won by 13-15%). It needs GEMMs wide enough to amortize streaming the 36 transformed weight matrices:
 * 4 tiles lost (512 @7, batch 1), 16 won (256 and 512 @14, batch 1). F(6,3) never beat F(4,3) in the first run (its
 * 64 GEMMs are thinner, and on OpenBLAS the GEMM phase, not the multiplication count, dominates), so it is never
 * chosen; it stays available to callers. Groups > 1 were not timed: the rule applies the same thresholds to the
 * per-group GEMMs, which is what both algorithms run per group.
 */
public enum ConvAlgorithm {
    /** im2col + GEMM: exact as a float32 dot product (Convolution). */
    IM2COL,
    /** Winograd F(4x4, 3x3). */
    WINOGRAD_F4,
    /** Winograd F(6x6, 3x3). */
    WINOGRAD_F6;

    /** Fewest input and output channels per group where Winograd was measured faster (8 lost, 16 won). */
    static final long MIN_CHANNELS_PER_GROUP = 16;
    /** Fewest F(4,3) tiles per call where Winograd was measured faster (4 lost, 16 won). */
    static final long MIN_TILES = 16;

    /**
     * Whether {@link #choose} can pick Winograd for this layer for some input shape: it is {@link
     * WinogradConvolution#applicable applicable} and has enough channels per group. Such a layer transforms its weights
     * when an input shape first picks Winograd.
     */
    public static boolean mayChooseWinograd(int dims, long[] weightShape, ConvOptions options) {
        return WinogradConvolution.applicable(dims, weightShape, options)
                && weightShape[1] >= MIN_CHANNELS_PER_GROUP
                && weightShape[0] / options.groups >= MIN_CHANNELS_PER_GROUP;
    }

    /**
     * The algorithm for a convolution on inputs of {@code inputShape}: {@link #IM2COL} when {@code exactOnly} (the
     * model-level switch for users who want im2col's accuracy), when Winograd is not {@link
     * WinogradConvolution#applicable applicable}, or when the measurements above say im2col is faster; else
     * {@link #WINOGRAD_F4}.
     *
     * @param weightShape [out_channels, in_channels / groups, kernel...]
     * @param inputShape [N, C, H, W] or unbatched [C, H, W]
     */
    public static ConvAlgorithm choose(int dims, long[] weightShape, ConvOptions options, long[] inputShape,
            boolean exactOnly) {
        if (exactOnly || !WinogradConvolution.applicable(dims, weightShape, options) || inputShape == null
                || inputShape.length < 3 || inputShape.length > 4) {
            return IM2COL;
        }
        long batch = inputShape.length == 4 ? inputShape[0] : 1;
        int s = inputShape.length - 2;
        long pad = "same".equals(options.paddingString) ? 1 : 0;
        long padH = options.paddingString != null ? pad : options.padding[0];
        long padW = options.paddingString != null ? pad : options.padding[options.padding.length - 1];
        long outH = inputShape[s] + 2 * padH - 2, outW = inputShape[s + 1] + 2 * padW - 2;
        if (outH < 1 || outW < 1) {
            return IM2COL;
        }
        long tiles = batch * ((outH + 3) / 4) * ((outW + 3) / 4);
        long outPerGroup = weightShape[0] / options.groups;
        boolean worthIt = weightShape[1] >= MIN_CHANNELS_PER_GROUP && outPerGroup >= MIN_CHANNELS_PER_GROUP
                && tiles >= MIN_TILES;
        return worthIt ? WINOGRAD_F4 : IM2COL;
    }
}
