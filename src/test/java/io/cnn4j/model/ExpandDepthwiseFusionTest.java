package io.cnn4j.model;

import static io.cnn4j.model.ConvPairFusion.check;

import io.cnn4j.Cnn4j;
import io.cnn4j.model.ConvPairFusion.Pair;
import io.cnn4j.model.ConvPairFusion.RandomCase;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An inverted-residual block's 1x1 expansion and the depthwise convolution that reads it run as one fused layer
 * (ConvPairLayer) and give bit for bit what the two layers give: randomized channels (panel tails), maps,
 * kernels, strides, padding, dilation, activations, biases and batches, on every ISA, through both of the op's forms
 * (planar, channels last) ({@link ConvPairFusion}). (A depthwise convolution of one channel is an ordinary
 * convolution, not fused: at least 2 channels.)
 */
class ExpandDepthwiseFusionTest {
    private static final Pair PAIR = Pair.EXPAND_DEPTHWISE;

    @Test
    void theFusedBlockEqualsTheSeparateLayersBitForBit() throws Exception {
        Random r = new Random(21);
        for (int i = 0; i < 24; i++) {
            int in = 1 + r.nextInt(12), mid = 2 + r.nextInt(40);
            check(PAIR, r, "case " + i, in, mid, RandomCase.draw(r));
        }
    }

    /**
     * Both forms of the fused op (native/ops/expand_depthwise.cpp): planar for wide stride-1 maps, channels last for
     * 14- and 7-wide rows and for stride 2 (where the ISA's GEMM writes channels last itself, AVX-512, also rows up
     * to 56 wide and stride 2 from any width, the expansion's depth up to 256), with channel groups cut short (mid
     * channels not a multiple of 8 or 16). Every ISA runs each case, so both forms run at every size.
     */
    @Test
    void bothFormsEqualTheSeparateLayers() throws Exception {
        Random r = new Random(22);
        check(PAIR, r, "planar, 3x3 at 30", 5, 21, 3, 1, 1, 1, 30, 30, "ReLU6", "ReLU6", true, true, 2);
        check(PAIR, r, "planar on every ISA, 3x3 at 60", 5, 21, 3, 1, 1, 1, 60, 60, "ReLU6", "ReLU6", true, true, 1);
        check(PAIR, r, "channels last, 3x3 at 7", 6, 37, 3, 1, 1, 1, 7, 7, "ReLU6", "ReLU6", true, true, 2);
        check(PAIR, r, "channels last, 5x5 at 14", 4, 19, 5, 1, 2, 1, 14, 14, "SiLU", "SiLU", true, false, 1);
        check(PAIR, r, "channels last, stride 2 from 40x38",
                3, 26, 3, 2, 1, 1, 40, 38, "ReLU", "Hardswish", false, true, 2);
        check(PAIR, r, "channels last, dilation 2, no padding", 7, 17, 3, 1, 0, 2, 11, 9, null, "ReLU", true, true, 1);
        check(PAIR, r, "channels last expanded by lanes, 3x3 at 28", 24, 40, 3, 1, 1, 1, 28, 28, "ReLU6", "ReLU6",
                true, true, 2);
        check(PAIR, r, "channels last expanded by lanes, stride 2 from 57x60, no bias", 9, 20, 3, 2, 1, 1, 57, 60,
                "ReLU", "ReLU6", false, false, 1);
        check(PAIR, r, "expansion depth 300: planes", 300, 18, 3, 2, 1, 1, 9, 9, "ReLU6", "ReLU6", true, true, 1);
    }

    /**
     * The planar form cuts each map into bands of output rows, one per thread, where a batch has fewer images than
     * threads and the bands can start on cache lines (native/ops/expand_depthwise.cpp): with 2 to 4 threads, at batch
     * 1 and 2, bands whose edges need the kernel's halo rows from both sides, strided and dilated windows, padding
     * inside a band only at the map's edges.
     */
    @Test
    void bandsOfRowsEqualTheSeparateLayers() throws Exception {
        Random r = new Random(23);
        int threadsBefore = Cnn4j.getNumThreads();
        try {
            for (int threads : new int[] {2, 3, 4}) {
                Cnn4j.setNumThreads(threads);
                String t = threads + " threads, ";
                check(PAIR, r, t + "3x3 at 56", 5, 21, 3, 1, 1, 1, 56, 56, "ReLU6", "ReLU6", true, true, 1);
                check(PAIR, r, t + "3x3 stride 2 from 112", 16, 24, 3, 2, 1, 1, 112, 112, "ReLU6", "ReLU6", true,
                        true, 1);
                check(PAIR, r, t + "5x5 at 32", 3, 9, 5, 1, 2, 1, 32, 32, "SiLU", null, false, true, 2);
                check(PAIR, r, t + "3x3 dilation 2, no padding, 36 -> 32", 4, 10, 3, 1, 0, 2, 36, 36, null, "ReLU",
                        true, false, 1);
                check(PAIR, r, t + "3x3 stride 2 from 63x64", 6, 17, 3, 2, 1, 1, 63, 64, "Hardswish", "ReLU6", true,
                        true, 1);
            }
        } finally {
            Cnn4j.setNumThreads(threadsBefore);
        }
    }
}
