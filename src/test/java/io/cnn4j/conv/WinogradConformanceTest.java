package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.ops.WinogradConvolution;
import io.cnn4j.ops.WinogradConvolution.Tile;
import io.cnn4j.ops.Workspaces;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.reference.NaiveDense;
import io.cnn4j.Cnn4j;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/**
 * Winograd convolution against the float64 naive reference, for every instruction set this CPU runs and every tile.
 *
 * <p>Tolerance. Winograd is exact in real arithmetic; in float32 each output is a sum over 9 C/G products that passes
 * through B^T.B, the element-wise GEMM products and A^T.A, whose entries (1 for F(2,3), up to 5 and 8 for F(4,3), 21/4
 * and 32 for F(6,3)) amplify the rounding of every term. For random data those errors add up like a random walk, as the output
 * itself does, so the error relative to the output's scale is about (transform amplification) x float32 epsilon,
 * nearly independent of the channel count (measured below from 9 to 4608 terms per output). The bound is applied to
 * the pre-activation scale (conv + bias + residual): the activations are at most 1.5-Lipschitz (hardswish), so the
 * error after them is no larger than 1.5x the error before, while their outputs (sigmoid, tanh) may have a much
 * smaller scale. Measured (max |error| / scale, uniform [-1, 1) data and weights, every ISA): on the random small
 * configurations (9 to 72 terms) F(4,3) 2.8e-6, F(6,3) 6.4e-6; on the real-scale layers below, F(4,3) 6.6e-6 at
 * 64 channels and 1.1e-5 at 512, F(6,3) 8.7e-6 and 1.4e-5 (the ratio grows slowly with the channel count, as the
 * largest of more errors is compared with the largest of more outputs); F(2,3), whose transforms only add and halve,
 * 3.1e-7 at 64 channels and 4.6e-7 at 512, close to im2col's own rounding. The tolerances leave 2.7x (F(4,3)), 3.6x
 * (F(6,3)) and 4.3x (F(2,3)) headroom over the worst measured case.
 */
class WinogradConformanceTest {
    /** Max |error| / scale allowed per algorithm (see the class comment). */
    static double tolerance(Tile tile) {
        return tile == Tile.F2 ? 2e-6 : tile == Tile.F4 ? 3e-5 : 5e-5;
    }

    private static final String[] ACTIVATIONS = {null, "relu", "relu6", "leaky_relu", "elu", "gelu", "gelu_tanh",
        "silu", "sigmoid", "tanh", "hardswish", "hardsigmoid"};

    /** One convolution; batch 0 means an unbatched [C, H, W] input. */
    record Config(long batch, long inPerGroup, long outPerGroup, long groups, long h, long w, long padH, long padW,
            boolean bias, int activation, boolean residual) {
        long[] inputShape() {
            return batch == 0 ? new long[] {inPerGroup * groups, h, w}
                    : new long[] {batch, inPerGroup * groups, h, w};
        }
    }

    /** Runs {@code test} with every ISA this CPU supports made active, for each tile; restores the ISA. */
    private static void forEveryIsaAndTile(java.util.function.BiConsumer<String, Tile> test) {
        Isas.forEach(isa -> {
            for (Tile tile : Tile.values()) {
                test.accept(isa, tile);
            }
        });
    }

    @Test
    void randomConfigurationsMatchTheFloat64ReferenceOnEveryIsaAndTile() {
        forEveryIsaAndTile((isa, tile) -> {
            Random random = new Random(8 + tile.size);
            for (int i = 0; i < 60; i++) {
                long pad = random.nextInt(3);
                Config c = new Config(random.nextInt(4), 1 + random.nextInt(8), 1 + random.nextInt(5),
                        1 + random.nextInt(3), Math.max(3 - 2 * pad, 1 + random.nextInt(30)), 1 + random.nextInt(30),
                        pad, random.nextInt(3), random.nextBoolean(), random.nextInt(ACTIVATIONS.length),
                        random.nextBoolean());
                if (c.w + 2 * c.padW >= 3) {
                    check(isa, tile, c, random);
                }
            }
        });
    }

    @Test
    void sizesAroundTheTileAndRunBoundariesOnEveryIsa() {
        forEveryIsaAndTile((isa, tile) -> {
            Random random = new Random(3);
            // widths around one vector and one run (64 tiles) of tiles; a height that leaves partial tiles
            for (long w : new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 31, 62, 65, 66, 255, 258, 386, 400}) {
                check(isa, tile, new Config(2, 3, 2, 1, 7, w, 1, 1, true, 1, true), random);
            }
        });
    }

    /** Real-scale layers: the accuracy the tolerances rest on (printed), and blocks of many tiles. */
    @Test
    void realScaleLayersStayWithinTheStatedTolerance() {
        Random random = new Random(56);
        for (Tile tile : Tile.values()) {
            check(Cnn4j.isa(), tile, new Config(1, 64, 64, 1, 56, 56, 1, 1, true, 1, false), random);
            check(Cnn4j.isa(), tile, new Config(1, 512, 512, 1, 7, 7, 1, 1, true, 0, true), random);
            check(Cnn4j.isa(), tile, new Config(2, 64, 32, 4, 28, 28, 1, 1, false, 2, false), random);
        }
    }

    private static void check(String isa, Tile tile, Config c, Random random) {
        long[] inShape = c.inputShape();
        long inChannels = c.inPerGroup * c.groups, outChannels = c.outPerGroup * c.groups;
        long[] wShape = {outChannels, c.inPerGroup, 3, 3};
        float[] x = Oracle.uniform(random, io.cnn4j.Shapes.numel(inShape));
        float[] w = Oracle.uniform(random, io.cnn4j.Shapes.numel(wShape));
        float[] b = c.bias ? Oracle.uniform(random, outChannels) : null;
        long[] batchedIn = c.batch == 0 ? new long[] {1, inChannels, c.h, c.w} : inShape;
        NaiveConv.Result conv = NaiveConv.conv(Oracle.widen(x), batchedIn, Oracle.widen(w), wShape,
                Oracle.widen(b), new long[] {1, 1}, new long[] {c.padH, c.padW}, new long[] {c.padH, c.padW},
                new long[] {1, 1}, c.groups, "zeros");
        double[] preActivation = conv.data();
        float[] residual = c.residual ? Oracle.uniform(random, preActivation.length) : null;
        if (residual != null) {
            for (int i = 0; i < preActivation.length; i++) {
                preActivation[i] += residual[i];
            }
        }
        String act = ACTIVATIONS[c.activation];
        double alpha = "leaky_relu".equals(act) ? 0.1 : "elu".equals(act) ? 0.7 : 0;
        double[] expected = new double[preActivation.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = act == null ? preActivation[i] : NaiveDense.activation(act, alpha, preActivation[i]);
        }
        long[] outShape = c.batch == 0 ? java.util.Arrays.copyOfRange(conv.shape(), 1, 4) : conv.shape();
        float[] actual = run(tile, c, x, inShape, w, wShape, b, residual, outShape, c.activation, alpha);
        double scale = Oracle.scale(preActivation);
        double error = maxError(expected, actual);
        String context = isa + " " + tile + " " + c + ": max error " + error + " = " + (error / scale)
                + " x scale " + scale;
        if (inChannels * outChannels >= 64 * 64) {
            System.out.println("winograd accuracy, " + context);
        }
        assertTrue(error <= tolerance(tile) * scale, context);
    }

    static float[] run(Tile tile, Config c, float[] x, long[] inShape, float[] w, long[] wShape, float[] b,
            float[] residual, long[] outShape, int activation, double alpha) {
        try (Tensor input = Tensor.of(x, inShape); Tensor weight = Tensor.of(w, wShape);
                Tensor bias = b == null ? null : Tensor.of(b, wShape[0]);
                Tensor res = residual == null ? null : Tensor.of(residual, outShape);
                WinogradConvolution op = WinogradConvolution.create(weight, bias, c.groups, c.padH, c.padW, tile)) {
            assertArrayEquals(outShape, op.outputShape(inShape));
            try (Tensor output = Tensor.empty(outShape);
                    FloatPointer workspace = Workspaces.allocate(op.workspaceSize(inShape))) {
                op.run(input, output, workspace, activation, alpha, res);
                return output.toFloatArray();
            }
        }
    }

    private static double maxError(double[] expected, float[] actual) {
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(actual[i] - expected[i]);
            if (!(e <= max)) { // NaN counts as failure
                max = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
            }
        }
        return max;
    }
}
