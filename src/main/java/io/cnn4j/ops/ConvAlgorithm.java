package io.cnn4j.ops;

/**
 * Which algorithm runs a convolution: the exact im2col + GEMM path ({@link Convolution}) or Winograd
 * ({@link WinogradConvolution}), chosen per layer shape by {@link #choose} from the measurements below.
 *
 * <p>Measured 2026-12-01 with {@code io.cnn4j.bench.WinogradBench} (test classes; run with OPENBLAS_CORETYPE and
 * OPENBLAS_L2_SIZE unset, so OpenBLAS runs its AVX-512 Cooperlake kernels; cnn4j ISA avx512; 1 thread; 3x3,
 * padding 1, groups 1; min of 15 runs alternating between the algorithms, ms; the machine was shared and heavily
 * loaded, so only ratios well away from 1 count). "Tiles" are the F(4,3) tiles of one call (batch x ceil(H/4) x
 * ceil(W/4)), the width of its GEMMs.
 * <pre>
 *   channels  map  batch  tiles   im2col   F(4,3)   F(6,3)   im2col/F(4,3)
 *      8      56     1     196    0.066    0.078    0.093     0.84
 *      8      56     8    1568    0.390    0.639    0.729     0.61
 *     16      56     1     196    0.144    0.148    0.188     0.97
 *     16      56     8    1568    1.28     1.74     1.97      0.74
 *     32      28     1      49    0.196    0.175    0.213     1.12
 *     32      28     8     392    1.52     1.21     1.54      1.26
 *     64      56     1     196    2.2      1.1-1.2  1.35-1.6  1.8-2.0
 *     64      56     8    1568    17-39    16-22    18-27     1.0-2.0
 *    128      28     1      49    2.26     1.39     1.73      1.63
 *    128      28     8     392    28.9     21.1     24.5      1.37
 *    256      14     1      16    2.0-2.2  1.6-1.8  2.9-3.4   1.16-1.33
 *    256      14     8     128    24-36    18-24    20-25     1.35-1.55
 *    512      14     1      16    9.95     4.91     9.21      2.03
 *    512      14     8     128    123      48       73        2.55
 *    512       7     1       4    2.8-8.5  3.5-7.7  6.6-14.8  0.79-1.10
 *    512       7     8      32    21-48    16-40    28-66     1.16-1.41 (0.90 once, 2 threads)
 * </pre>
 * A second full run (1 and 2 threads) gave the same picture; with 2 threads the ratios were within noise of the
 * 1-thread ones (the second core was rarely free on this machine). 512 @7 batch 8 is the closest call.
 * What they say: Winograd pays once the GEMMs have enough rows and depth for its 2.25x fewer multiplications to
 * outweigh the transforms, which cost per channel and tile: from 32 channels per group (16 lost, 32 won). It needs
 * GEMMs wide enough to amortize streaming the 36 transformed weight matrices: 4 tiles lost (512 @7, batch 1), 16
 * won (256 and 512 @14, batch 1). F(6,3) never beat F(4,3) (its 64 GEMMs are thinner, and on OpenBLAS the GEMM
 * phase, not the multiplication count, dominates), so it is never chosen; it stays available to callers.
 * Groups > 1 were not timed: the rule applies the same thresholds to the per-group GEMMs, which is what both
 * algorithms run per group.
 */
public enum ConvAlgorithm {
    /** im2col + GEMM: exact as a float32 dot product (Convolution). */
    IM2COL,
    /** Winograd F(4x4, 3x3). */
    WINOGRAD_F4,
    /** Winograd F(6x6, 3x3). */
    WINOGRAD_F6;

    /** Fewest input and output channels per group where Winograd was measured faster (16 lost, 32 won). */
    static final long MIN_CHANNELS_PER_GROUP = 32;
    /** Fewest F(4,3) tiles per call where Winograd was measured faster (4 lost, 16 won). */
    static final long MIN_TILES = 16;

    /**
     * Whether {@link #choose} can pick Winograd for this layer for some input shape: it is {@link
     * WinogradConvolution#applicable applicable} and has enough channels per group. A model transforms the weights
     * of these layers at load.
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
