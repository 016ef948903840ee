package io.cnn4j.ops;

/**
 * Which algorithm runs a convolution: the exact im2col + GEMM path ({@link Convolution}) or Winograd
 * ({@link WinogradConvolution}), chosen per layer shape by {@link #choose} from the measurements below.
 *
 * <p>Measured 2026-12-02 with cnn4j's own GEMM (native/kernels/gemm) under both algorithms, on a 2-core AMD EPYC
 * (Zen 5), cnn4j ISA avx512, 1 thread, 3x3 padding 1, groups 1, C -> C channels, one process alternating the
 * algorithms (io.cnn4j.bench.WinogradBench, 15 runs, min ms), the other core busy with builds: absolute times are
 * inflated, the ratios im2col / F(4,3) (above 1: Winograd faster) are the signal. "Tiles" are the F(4,3) tiles of
 * one call (batch x ceil(H/4) x ceil(W/4)), the width of its GEMMs.
 * <pre>
 *   channels  map  tiles(b1)  im2col/F(4,3) batch 1  batch 8     im2col/F(6,3) batch 1  batch 8
 *      4       56     196          1.23 *             1.57 *           0.94 *            1.02 *
 *      8       56     196          1.40 *             1.53 *           0.96 *            0.98 *
 *      8       14      16          1.51 *             1.82 *           1.07 *            1.27 *
 *     16       56     196          1.67               1.68             1.08              1.16
 *     16        7       4          1.31 *             2.43 *           0.66 *            1.23 *
 *     32        7       4          1.15               2.57             0.33              1.14
 *     64       56     196          2.51               2.42             1.74              1.85
 *     64        7       4          0.77 *               -              0.42 *              -
 *    128       28      49          2.82               3.31             2.24              2.39
 *    128        7       4          0.91 *             2.54 *           0.38 *            1.24 *
 *    256       14      16          1.52               2.18             0.67              1.63
 *    256        7       4          0.92 *               -              0.44 *              -
 *    512       14      16          1.70               2.45             0.78              1.89
 *    512        7       4          0.57               1.90             0.28              1.09
 * </pre>
 * (* measured before Winograd's channel-major layout, which made F(4,3) 1.2-1.6x faster: those ratios are now
 * higher where above 1; the losses at 4 tiles from 64 channels on stay losses, 512 channels measured after.)
 * What they say: with the weights packed once and nothing packed per call, F(4,3)'s 4x fewer multiplications win
 * from 4 channels on (the earlier OpenBLAS-based measurement needed 16). It loses only where a call has few tiles (4:
 * 7x7 maps at batch 1, from 64 channels; 32 won narrowly) and its 36 transformed weight matrices no longer sit in
 * cache: then the GEMMs stream them for 4 columns each (512 channels: 38 MB); 16 tiles already win. F(6,3) never
 * beats F(4,3), so it is never chosen; it stays available to callers. Groups > 1 were not timed: the rule applies the
 * same thresholds to the per-group GEMMs, which is what both algorithms run per group.
 *
 * <p>Where F(4,3) has too few tiles, F(2,3) has 4x as many, transformed weights 16/9 the raw size instead of 4x,
 * and still 2.25x fewer multiplications than im2col. Measured 2026-12-02 as above (min ms of 15, one core, the other
 * busy), the F(4,3)-losing shapes at batch 1:
 * <pre>
 *   channels  map  F(2,3) tiles  im2col/F(2,3)  im2col/F(4,3)
 *      32       7       16           0.92           0.87
 *      64       7       16           1.17           0.80
 *     128       7       16           1.25           0.73
 *     256       7       16           1.32           0.58
 *     512       7       16           1.26           0.46
 *     512       4        4           0.40           0.27
 * </pre>
 * So: F(2,3) where F(4,3) has fewer than {@link #MIN_TILES} tiles but F(2,3) has at least that many and both
 * channel counts per group are at least {@link #MIN_CHANNELS_PER_GROUP_F2}. Where F(4,3) has enough tiles it beats
 * F(2,3) (512 channels at 7x7, batch 8: 4.8 against 7.7 ms; 16 channels at 14x14, batch 8: 0.071 against 0.110).
 */
public enum ConvAlgorithm {
    /** im2col + GEMM: exact as a float32 dot product (Convolution). */
    IM2COL,
    /** Winograd F(2x2, 3x3). */
    WINOGRAD_F2,
    /** Winograd F(4x4, 3x3). */
    WINOGRAD_F4,
    /** Winograd F(6x6, 3x3). */
    WINOGRAD_F6;

    /** The Winograd tile of this algorithm; IM2COL has none. */
    public WinogradConvolution.Tile tile() {
        return switch (this) {
            case WINOGRAD_F2 -> WinogradConvolution.Tile.F2;
            case WINOGRAD_F4 -> WinogradConvolution.Tile.F4;
            case WINOGRAD_F6 -> WinogradConvolution.Tile.F6;
            case IM2COL -> throw new IllegalStateException("im2col has no Winograd tile");
        };
    }

    /** Fewest input and output channels per group where Winograd was measured (and was faster: 4 won). */
    static final long MIN_CHANNELS_PER_GROUP = 4;
    /** Fewest F(4,3) tiles per call where Winograd was measured faster (4 lost from 32 channels on, 16 won). */
    static final long MIN_TILES = 16;
    /** Fewest input and output channels per group where F(2,3) beat im2col on F(4,3)'s losing shapes (32 lost). */
    static final long MIN_CHANNELS_PER_GROUP_F2 = 64;

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
     * {@link #WINOGRAD_F4}, or {@link #WINOGRAD_F2} where F(4,3) has too few tiles and F(2,3) enough.
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
        long inPerGroup = weightShape[1], outPerGroup = weightShape[0] / options.groups;
        if (inPerGroup < MIN_CHANNELS_PER_GROUP || outPerGroup < MIN_CHANNELS_PER_GROUP) {
            return IM2COL;
        }
        if (batch * ((outH + 3) / 4) * ((outW + 3) / 4) >= MIN_TILES) {
            return WINOGRAD_F4;
        }
        boolean f2WorthIt = inPerGroup >= MIN_CHANNELS_PER_GROUP_F2 && outPerGroup >= MIN_CHANNELS_PER_GROUP_F2
                && batch * ((outH + 1) / 2) * ((outW + 1) / 2) >= MIN_TILES;
        return f2WorthIt ? WINOGRAD_F2 : IM2COL;
    }
}
