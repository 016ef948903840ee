package io.cnn4j.model;

import static io.cnn4j.model.ConvPairFusion.check;

import io.cnn4j.model.ConvPairFusion.Pair;
import io.cnn4j.model.ConvPairFusion.RandomCase;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A depthwise convolution and the 1x1 convolution that reads it run as one fused layer (ConvPairLayer with
 * native/ops/depthwise_pointwise.cpp) and give bit for bit what the two layers give: randomized channels, maps (one
 * band of output rows or many), kernels, strides, padding, dilation, activations, biases and batches, on every ISA
 * ({@link ConvPairFusion}).
 */
class DepthwisePointwiseFusionTest {
    private static final Pair PAIR = Pair.DEPTHWISE_POINTWISE;

    @Test
    void theFusedPairEqualsTheSeparateLayersBitForBit() throws Exception {
        Random r = new Random(31);
        for (int i = 0; i < 24; i++) {
            int channels = 2 + r.nextInt(40), out = 1 + r.nextInt(40);
            check(PAIR, r, "case " + i, channels, out, RandomCase.draw(r));
        }
    }

    /** Maps cut into many bands of output rows (64 Ki floats per band): band edges inside the padding and not. */
    @Test
    void manyBandsEqualTheSeparateLayers() throws Exception {
        Random r = new Random(32);
        check(PAIR, r, "MobileNetV2's first block, smaller", 32, 16, 3, 1, 1, 1, 60, 112, "ReLU6", null, true, true, 2);
        check(PAIR, r, "stride 2, odd height", 24, 8, 3, 2, 1, 1, 97, 90, "ReLU", "ReLU6", false, true, 1);
        check(PAIR, r, "5x5 dilation 2, partial padding",
                40, 24, 5, 1, 3, 2, 70, 64, "SiLU", "Hardswish", true, false, 1);
        check(PAIR, r, "one output row per band", 600, 8, 3, 1, 1, 1, 9, 120, null, "ReLU", true, true, 1);
    }
}
