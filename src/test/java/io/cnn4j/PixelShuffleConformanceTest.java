package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.PixelShuffle;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * pixel_shuffle / pixel_unshuffle: pure data movement, so cnn4j must equal the reference (the index formula of
 * PyTorch's documentation, element by element) exactly, and libtorch too (any difference is a bug: the values are
 * only moved); random factors, leading dims, sizes down to 1; shuffle then unshuffle is the identity.
 */
class PixelShuffleConformanceTest {
    @Test
    void randomShapesMoveEveryElementWherePyTorchDoes() {
        Oracle.forEachSeed("pixel shuffle", 300, (r, seed) -> {
            int factor = Oracle.between(r, 1, 4);
            int lead = Oracle.between(r, 0, 2);
            long[] shape = new long[lead + 3];
            for (int d = 0; d < lead; d++) {
                shape[d] = Oracle.between(r, 1, 3);
            }
            long c = Oracle.between(r, 1, 3);
            long h = Oracle.between(r, 1, 5);
            long w = Oracle.between(r, 1, 5);
            shape[lead] = c * factor * factor;
            shape[lead + 1] = h;
            shape[lead + 2] = w;
            float[] x = Oracle.uniform(r, Shapes.numel(shape));
            PixelShuffle up = PixelShuffle.pixelShuffle(factor);
            long[] outShape = up.outputShape(shape);
            float[] expected = new float[x.length];
            long outer = Shapes.product(shape, 0, lead);
            for (long o = 0; o < outer; o++) {
                for (long ci = 0; ci < c; ci++) {
                    for (long y = 0; y < h * factor; y++) {
                        for (long xx = 0; xx < w * factor; xx++) {
                            long channel = ci * factor * factor + (y % factor) * factor + (xx % factor);
                            long src = ((o * c * factor * factor + channel) * h + y / factor) * w + xx / factor;
                            long dst = ((o * c + ci) * h * factor + y) * w * factor + xx;
                            expected[(int) dst] = x[(int) src];
                        }
                    }
                }
            }
            String context = "factor " + factor + " " + Arrays.toString(shape);
            try (Tensor in = Tensor.of(x, shape); Tensor out = Tensor.empty(outShape);
                    Tensor back = Tensor.empty(shape)) {
                up.run(in, out, null);
                assertArrayEquals(expected, out.toFloatArray(), context);
                assertArrayEquals(LibTorch.floats(torch.pixel_shuffle(LibTorch.tensor(x, shape), factor)),
                        out.toFloatArray(), context + " libtorch");
                PixelShuffle.pixelUnshuffle(factor).run(out, back, null);
                assertArrayEquals(x, back.toFloatArray(), context + " unshuffle");
            }
        });
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        assertMessage(() -> PixelShuffle.pixelShuffle(0), "pixel_shuffle: upscale_factor must be greater than 0");
        assertMessage(() -> PixelShuffle.pixelShuffle(2).outputShape(new long[] {1, 6, 3, 3}),
                "input.size(-3)=6 is not divisible by 4");
        assertMessage(() -> PixelShuffle.pixelShuffle(2).outputShape(new long[] {4, 3}), "at least 3 dimensions");
        assertMessage(() -> PixelShuffle.pixelUnshuffle(2).outputShape(new long[] {1, 1, 4, 3}),
                "pixel_unshuffle: expects height and width to be divisible by downscale_factor");
        assertMessage(() -> PixelShuffle.pixelUnshuffle(-1), "downscale_factor must be greater than 0");
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
