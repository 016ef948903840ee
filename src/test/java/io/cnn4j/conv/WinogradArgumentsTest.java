package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import io.cnn4j.ops.ConvAlgorithm;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.WinogradConvolution;
import io.cnn4j.ops.WinogradConvolution.Tile;
import io.cnn4j.ops.Workspaces;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** WinogradConvolution refuses bad arguments before any native call, and the algorithm choice follows its rules. */
class WinogradArgumentsTest {
    private static void refused(String expectedPart, Executable call) {
        String message = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertTrue(message.startsWith("winograd_conv2d: ") && message.contains(expectedPart), message);
    }

    @Test
    void createRefusesBadWeightsGroupsBiasPaddingAndTile() {
        try (Tensor w = Tensor.zeros(4, 2, 3, 3); Tensor w5 = Tensor.zeros(4, 2, 5, 5); Tensor w3d = Tensor.zeros(4, 2, 3);
                Tensor badBias = Tensor.zeros(3)) {
            refused("weight must be [out_channels, in_channels/groups, 3, 3]",
                    () -> WinogradConvolution.create(w5, null, 1, 1, 1, Tile.F4));
            refused("weight must be", () -> WinogradConvolution.create(w3d, null, 1, 1, 1, Tile.F4));
            refused("weight must not be null", () -> WinogradConvolution.create(null, null, 1, 1, 1, Tile.F4));
            refused("groups must be positive, got groups=0", () -> WinogradConvolution.create(w, null, 0, 1, 1, Tile.F4));
            refused("must be divisible by groups, got groups=3",
                    () -> WinogradConvolution.create(w, null, 3, 1, 1, Tile.F4));
            refused("bias must have shape [4]", () -> WinogradConvolution.create(w, badBias, 1, 1, 1, Tile.F4));
            refused("padding must be non-negative, got padding=[-1, 1]",
                    () -> WinogradConvolution.create(w, null, 1, -1, 1, Tile.F4));
            refused("tile must be F2, F4 or F6", () -> WinogradConvolution.create(w, null, 1, 1, 1, null));
        }
    }

    @Test
    void runRefusesBadShapesWorkspacesActivationsResidualsNonFiniteInputsAndClosedOps() {
        try (Tensor w = Tensor.zeros(4, 2, 3, 3); Tensor input = Tensor.zeros(1, 2, 5, 5);
                Tensor output = Tensor.zeros(1, 4, 5, 5); Tensor wrongOutput = Tensor.zeros(1, 4, 3, 3);
                Tensor wrongResidual = Tensor.zeros(1, 4, 5, 4)) {
            WinogradConvolution op = WinogradConvolution.create(w, null, 1, 1, 1, Tile.F4);
            refused("to have 2 channels", () -> op.outputShape(new long[] {1, 3, 5, 5}));
            refused("expected 3-d (unbatched) or 4-d (batched) input", () -> op.outputShape(new long[] {2, 5}));
            refused("sizes must be >= 1", () -> op.outputShape(new long[] {0, 2, 5, 5}));
            try (WinogradConvolution unpadded = WinogradConvolution.create(w, null, 1, 0, 0, Tile.F6)) {
                refused("padded to 2 at spatial dim 1 is smaller than the kernel size 3",
                        () -> unpadded.outputShape(new long[] {2, 5, 2}));
            }
            long size = op.workspaceSize(input.shape());
            try (FloatPointer workspace = Workspaces.allocate(size); FloatPointer small = Workspaces.allocate(1)) {
                refused("output must have shape [1, 4, 5, 5]", () -> op.run(input, wrongOutput, workspace));
                refused("workspace has 1 floats, needs " + size, () -> op.run(input, output, small));
                refused("activationKind must be one of NativeCore.ACT_*",
                        () -> op.run(input, output, workspace, 12, 0, null));
                refused("residual must have shape [1, 4, 5, 5]",
                        () -> op.run(input, output, workspace, NativeCore.ACT_RELU, 0, wrongResidual));
                refused("output must not overlap residual",
                        () -> op.run(input, output, workspace, NativeCore.ACT_RELU, 0, output));
                try (Tensor bigInput = Tensor.zeros(1, 2, 5, 10)) {
                    Tensor overlapping = Tensor.wrap(bigInput.pointer(), 0, 1, 4, 5, 5);
                    Tensor input2 = Tensor.wrap(bigInput.pointer(), 0, 1, 2, 5, 5);
                    refused("output must not overlap input", () -> op.run(input2, overlapping, workspace));
                }
                op.run(input, output, workspace);
                for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    for (int at : new int[] {0, 24, 37, 49}) { // corners of both channels, the last column
                        float[] x = new float[50];
                        x[at] = bad;
                        try (Tensor poisoned = Tensor.of(x, 1, 2, 5, 5)) {
                            refused("the input holds NaN or Inf, which Winograd would spread over whole output "
                                    + "tiles; run it through the exact convolution",
                                    () -> op.run(poisoned, output, workspace));
                        }
                    }
                }
                op.close();
                op.close(); // idempotent
                String closed = assertThrows(IllegalStateException.class, () -> op.run(input, output, workspace))
                        .getMessage();
                assertTrue(closed.contains("closed"), closed);
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int before = Cnn4j.getNumThreads();
        Random random = new Random(2);
        float[] x = new float[2 * 40 * 30 * 30];
        float[] w = new float[48 * 40 * 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextFloat() - 0.5f;
        }
        WinogradConformanceTest.Config c = new WinogradConformanceTest.Config(2, 40, 48, 1, 30, 30, 1, 1, false, 0,
                false);
        long[] inShape = c.inputShape(), outShape = {2, 48, 30, 30};
        try {
            Cnn4j.setNumThreads(1);
            float[] one = WinogradConformanceTest.run(Tile.F4, c, x, inShape, w, new long[] {48, 40, 3, 3}, null, null,
                    outShape, 0, 0);
            Cnn4j.setNumThreads(2);
            float[] two = WinogradConformanceTest.run(Tile.F4, c, x, inShape, w, new long[] {48, 40, 3, 3}, null, null,
                    outShape, 0, 0);
            assertArrayEquals(one, two);
        } finally {
            Cnn4j.setNumThreads(before);
        }
    }

    @Test
    void applicabilityAndTheMeasuredChoice() {
        ConvOptions same = new ConvOptions().padding(1);
        long[] big = {64, 64, 3, 3};
        assertTrue(WinogradConvolution.applicable(2, big, same));
        assertTrue(WinogradConvolution.applicable(2, new long[] {64, 16, 3, 3}, new ConvOptions().groups(4)));
        assertFalse(WinogradConvolution.applicable(2, new long[] {64, 1, 3, 3}, new ConvOptions().groups(64)));
        assertFalse(WinogradConvolution.applicable(2, big, new ConvOptions().padding(1).stride(2)));
        assertFalse(WinogradConvolution.applicable(2, big, new ConvOptions().padding(1).dilation(2)));
        assertFalse(WinogradConvolution.applicable(2, big, new ConvOptions().padding(1).paddingMode("reflect")));
        assertFalse(WinogradConvolution.applicable(2, new long[] {64, 64, 5, 5}, same));
        assertFalse(WinogradConvolution.applicable(1, new long[] {64, 64, 3}, same));
        assertEquals(ConvAlgorithm.WINOGRAD_F4, ConvAlgorithm.choose(2, big, same, new long[] {1, 64, 56, 56}, false));
        assertEquals(ConvAlgorithm.IM2COL, ConvAlgorithm.choose(2, big, same, new long[] {1, 64, 56, 56}, true));
        // 7x7 at batch 1: 4 F(4,3) tiles (too few), 16 F(2,3) tiles (enough from 64 channels on)
        assertEquals(ConvAlgorithm.WINOGRAD_F2, ConvAlgorithm.choose(2, new long[] {512, 512, 3, 3}, same,
                new long[] {1, 512, 7, 7}, false));
        assertEquals(ConvAlgorithm.WINOGRAD_F2, ConvAlgorithm.choose(2, new long[] {64, 64, 3, 3}, same,
                new long[] {1, 64, 7, 7}, false));
        assertEquals(ConvAlgorithm.IM2COL, ConvAlgorithm.choose(2, new long[] {32, 32, 3, 3}, same,
                new long[] {1, 32, 7, 7}, false));
        assertEquals(ConvAlgorithm.IM2COL, ConvAlgorithm.choose(2, new long[] {512, 512, 3, 3}, same,
                new long[] {1, 512, 4, 4}, false));
        assertEquals(ConvAlgorithm.IM2COL, ConvAlgorithm.choose(2, new long[] {512, 512, 3, 3}, same,
                new long[] {1, 512, 7, 7}, true));
        assertEquals(ConvAlgorithm.WINOGRAD_F4, ConvAlgorithm.choose(2, new long[] {512, 512, 3, 3}, same,
                new long[] {8, 512, 7, 7}, false));
        assertEquals(ConvAlgorithm.WINOGRAD_F4, ConvAlgorithm.choose(2, new long[] {16, 16, 3, 3}, same,
                new long[] {1, 16, 56, 56}, false));
        assertEquals(ConvAlgorithm.WINOGRAD_F4, ConvAlgorithm.choose(2, new long[] {4, 4, 3, 3}, same,
                new long[] {1, 4, 56, 56}, false));
        assertEquals(ConvAlgorithm.IM2COL, ConvAlgorithm.choose(2, new long[] {3, 8, 3, 3}, same,
                new long[] {1, 3, 56, 56}, false));
    }
}
