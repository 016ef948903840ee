package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvAlgorithm;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A model runs a 3x3 convolution by Winograd where {@link ConvAlgorithm} measured it faster, and by the exact
 * im2col path when loaded with exact convolutions; both against the float64 reference, each with its own stated
 * tolerance (im2col: Oracle.RTOL, 1e-5 of the output scale; Winograd F(4,3): 3e-5, F(2,3): 2e-6, as
 * WinogradConformanceTest derives them), with the layer's ReLU and the residual Add fused into either.
 */
class ConvAlgorithmChoiceTest {
    private static final String BLOCK = """
            {"cnn4j": 1, "inputs": [{"name": "x", "shape": [-1, 64, -1, -1]}],
             "layers": [
               {"type": "Conv2d", "name": "c", "in_channels": 64, "out_channels": 64, "kernel_size": 3,
                "padding": 1},
               {"type": "Add", "inputs": ["c", "x"]},
               {"type": "ReLU"}
             ]}""";

    @Test
    void smallMapsRunF2WhereF4HasTooFewTiles() throws Exception {
        Random r = new Random(6);
        float[] w = Oracle.uniform(r, 64 * 64 * 9), b = Oracle.uniform(r, 64);
        MapWeights weights = new MapWeights().put("c.weight", w, 64, 64, 3, 3).put("c.bias", b, 64);
        ConvOptions same = new ConvOptions().padding(1);
        long[] wShape = {64, 64, 3, 3};
        // 7x7: 4 F(4,3) tiles per image, 16 F(2,3) tiles; 4 images make 16 F(4,3) tiles.
        assertEquals(ConvAlgorithm.WINOGRAD_F2, ConvAlgorithm.choose(2, wShape, same, new long[] {1, 64, 7, 7}, false));
        assertEquals(ConvAlgorithm.WINOGRAD_F4, ConvAlgorithm.choose(2, wShape, same, new long[] {4, 64, 7, 7}, false));
        for (int batch : new int[] {1, 4}) {
            float[] x = Oracle.uniform(r, batch * 64L * 7 * 7);
            double[] expected = reference(x, batch, 7, w, b);
            float[] fast = run(ModelOptions.DEFAULT, x, batch, 7, weights);
            float[] exact = run(ModelOptions.DEFAULT.withExactConvolutions(true), x, batch, 7, weights);
            // F(2,3)'s bound as WinogradConformanceTest states it (2e-6), F(4,3)'s 3e-5
            Oracle.assertClose("winograd, batch " + batch, expected, fast, batch == 1 ? 2e-6 : 3e-5);
            Oracle.assertClose("exact, batch " + batch, expected, exact, Oracle.RTOL);
            assertFalse(Arrays.equals(fast, exact), "the two algorithms ran (their roundings differ)");
        }
    }

    @Test
    void winogradWhereMeasuredFasterAndExactOnRequest() throws Exception {
        Random r = new Random(5);
        float[] w = Oracle.uniform(r, 64 * 64 * 9), b = Oracle.uniform(r, 64);
        MapWeights weights = new MapWeights().put("c.weight", w, 64, 64, 3, 3).put("c.bias", b, 64);
        // 16x16 at batch 1 is 16 F(4,3) tiles, the measured threshold: Winograd; batch 1 of 4x4 maps would not be.
        assertEquals(ConvAlgorithm.WINOGRAD_F4, ConvAlgorithm.choose(2, new long[] {64, 64, 3, 3},
                new ConvOptions().padding(1), new long[] {1, 64, 16, 16}, false));
        assertEquals(ConvAlgorithm.IM2COL, ConvAlgorithm.choose(2, new long[] {64, 64, 3, 3},
                new ConvOptions().padding(1), new long[] {1, 64, 16, 16}, true));
        for (int batch : new int[] {1, 2}) {
            float[] x = Oracle.uniform(r, batch * 64L * 16 * 16);
            double[] expected = reference(x, batch, 16, w, b);
            float[] fast = run(ModelOptions.DEFAULT, x, batch, 16, weights);
            float[] exact = run(ModelOptions.DEFAULT.withExactConvolutions(true), x, batch, 16, weights);
            Oracle.assertClose("winograd, batch " + batch, expected, fast, 3e-5);
            Oracle.assertClose("exact, batch " + batch, expected, exact, Oracle.RTOL);
            assertFalse(Arrays.equals(fast, exact), "the two algorithms ran (their roundings differ)");
        }
    }

    /**
     * NaN and Inf in the input give PyTorch's result, the exact path's: Winograd would spread each over its whole
     * output tile, so a Winograd layer hands such an input to the exact path (both forms, batch 1 and 4; in the
     * model, and through the op run directly).
     */
    @Test
    void nanAndInfInputsGiveTheExactResult() throws Exception {
        Random r = new Random(7);
        float[] w = Oracle.uniform(r, 64 * 64 * 9), b = Oracle.uniform(r, 64);
        MapWeights weights = new MapWeights().put("c.weight", w, 64, 64, 3, 3).put("c.bias", b, 64);
        for (int[] shape : new int[][] {{1, 16}, {4, 7}, {1, 7}}) {
            int batch = shape[0], size = shape[1];
            float[] x = Oracle.uniform(r, batch * 64L * size * size);
            float[] clean = run(ModelOptions.DEFAULT, x, batch, size, weights);
            x[5 * size + 3] = Float.NaN;                          // image 0, channel 0, row 5
            x[x.length - 1] = Float.POSITIVE_INFINITY;            // the last image's last channel, bottom-right
            x[(batch - 1) * 64 * size * size + 9] = Float.NEGATIVE_INFINITY;
            float[] fast = run(ModelOptions.DEFAULT, x, batch, size, weights);
            float[] exact = run(ModelOptions.DEFAULT.withExactConvolutions(true), x, batch, size, weights);
            String context = "batch " + batch + " at " + size + "x" + size;
            assertArrayEquals(exact, fast, context + ": the exact path's result, NaN and Inf where PyTorch puts them");
            int finite = 0;
            for (float v : fast) {
                finite += Float.isFinite(v) ? 1 : 0;
            }
            assertTrue(finite > fast.length / 2, context + ": most outputs stay finite (" + finite + ")");
            // The next clean input runs by Winograd again.
            x = Oracle.uniform(new Random(8), batch * 64L * size * size);
            assertFalse(Arrays.equals(run(ModelOptions.DEFAULT, x, batch, size, weights),
                    run(ModelOptions.DEFAULT.withExactConvolutions(true), x, batch, size, weights)), context);
            assertFalse(Arrays.equals(clean, fast), context);
        }
    }

    private static float[] run(ModelOptions options, float[] x, int batch, int size, MapWeights weights)
            throws Exception {
        try (Model model = ModelGraphTest.build(BLOCK, weights, options);
                Tensor in = Tensor.of(x, batch, 64, size, size);
                Tensor out = model.run(in)) {
            return out.toFloatArray();
        }
    }

    /** relu(conv(x) + bias + x) in float64. */
    private static double[] reference(float[] x, int batch, int size, float[] w, float[] b) {
        long[] one = {1, 1};
        NaiveConv.Result conv = NaiveConv.conv(Oracle.widen(x), new long[] {batch, 64, size, size}, Oracle.widen(w),
                new long[] {64, 64, 3, 3}, Oracle.widen(b), one, one, one, one, 1, "zeros");
        double[] y = conv.data();
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(0, y[i] + x[i]);
        }
        return y;
    }
}
