package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.AdaptiveAvgPool;
import io.cnn4j.ops.AdaptiveMaxPool;
import io.cnn4j.ops.AvgPool;
import io.cnn4j.ops.LpPool;
import io.cnn4j.ops.MaxPool;
import io.cnn4j.ops.Pad;
import io.cnn4j.ops.PoolOptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every argument the pooling ops and F.pad refuse: each throws IllegalArgumentException whose message names the op,
 * the argument and the value it got.
 */
class PoolingArgumentsTest {
    @AutoClose
    private final Tensor x2d = Tensor.zeros(1, 2, 5, 6);
    @AutoClose
    private final Tensor x1d = Tensor.zeros(2, 3, 7);
    @AutoClose
    private final Tensor x3d = Tensor.zeros(1, 1, 2, 4, 4);

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    // ---- max_pool -------------------------------------------------------------------------------------------------

    @Test
    void kernelSizeMustBePositive() {
        rejects(() -> Functional.maxPool2d(x2d, new PoolOptions(0, 2)), "max_pool2d", "kernel_size=[0, 2]");
    }

    @Test
    void kernelSizeMustHaveOneOrDimsValues() {
        rejects(() -> Functional.maxPool2d(x2d, new PoolOptions(2, 2, 2)), "max_pool2d", "kernel_size=[2, 2, 2]");
    }

    @Test
    void kernelSizeIsRequired() {
        rejects(() -> Functional.maxPool1d(x1d, new PoolOptions((int[]) null)), "max_pool1d", "kernel_size=null");
        rejects(() -> Functional.maxPool1d(x1d, null), "max_pool1d", "options must not be null");
    }

    @Test
    void strideMustBePositive() {
        rejects(() -> Functional.maxPool2d(x2d, new PoolOptions(2).stride(0, 1)), "max_pool2d", "stride=[0, 1]");
    }

    @Test
    void strideMustHaveOneOrDimsValues() {
        rejects(() -> Functional.maxPool1d(x1d, new PoolOptions(2).stride(1, 1)), "max_pool1d", "stride=[1, 1]");
    }

    @Test
    void paddingMustBeNonNegative() {
        rejects(() -> Functional.maxPool2d(x2d, new PoolOptions(3).padding(-1)), "max_pool2d", "padding=[-1, -1]");
    }

    @Test
    void paddingMustBeAtMostHalfTheKernel() {
        rejects(() -> Functional.maxPool2d(x2d, new PoolOptions(3, 4).padding(2, 1)), "max_pool2d",
                "padding=[2, 1]", "kernel_size=[3, 4]");
    }

    @Test
    void dilationMustBePositive() {
        rejects(() -> Functional.maxPool1d(x1d, new PoolOptions(2).dilation(0)), "max_pool1d", "dilation=[0]");
    }

    @Test
    void outputMustNotBeEmpty() {
        rejects(() -> Functional.maxPool2d(x2d, new PoolOptions(3).dilation(3)), "max_pool2d",
                "input of shape [1, 2, 5, 6]", "dilation=[3, 3]");
    }

    @Test
    void inputMustHaveDimsPlusOneOrTwoDims() {
        try (Tensor flat = Tensor.zeros(6)) {
            rejects(() -> Functional.maxPool1d(flat, new PoolOptions(2)), "max_pool1d", "input of shape [6]");
        }
        rejects(() -> Functional.maxPool3d(x1d, new PoolOptions(2)), "max_pool3d", "input of shape [2, 3, 7]");
        rejects(() -> Functional.maxPool2d(null, new PoolOptions(2)), "max_pool2d", "input must not be null");
    }

    @Test
    void spatialDimsMustBeOneToThree() {
        rejects(() -> MaxPool.create(4, new PoolOptions(2)), "max_pool", "dims=4");
        rejects(() -> AvgPool.create(0, new PoolOptions(2)), "avg_pool", "dims=0");
        rejects(() -> AdaptiveAvgPool.create(4, 1), "adaptive_avg_pool", "dims=4");
    }

    @Test
    void maxPoolTakesNoAverageArguments() {
        rejects(() -> MaxPool.create(2, new PoolOptions(2).countIncludePad(false)), "max_pool2d",
                "count_include_pad=false");
        rejects(() -> MaxPool.create(2, new PoolOptions(2).divisorOverride(2)), "max_pool2d", "divisor_override=2");
    }

    @Test
    void returnIndicesNeedsTheWithIndicesCall() {
        rejects(() -> Functional.maxPool2d(x2d, new PoolOptions(2).returnIndices(true)), "max_pool2d",
                "return_indices=true", "maxPool2dWithIndices");
    }

    @Test
    void runChecksItsTensors() {
        MaxPool pool = MaxPool.create(2, new PoolOptions(2).returnIndices(true));
        assertTrue(pool.returnsIndices());
        long[] shape = pool.outputShape(x2d.shape());
        assertArrayEquals(new long[] {1, 2, 2, 3}, shape);
        try (Tensor wrong = Tensor.empty(1, 2, 3, 3); Tensor out = Tensor.empty(shape);
                IndexTensor wrongIndices = IndexTensor.empty(1, 2, 3, 2); IndexTensor closed = IndexTensor.empty(shape);
                Tensor closedInput = Tensor.zeros(1, 2, 5, 6)) {
            rejects(() -> pool.run(x2d, wrong, null), "max_pool2d", "output must have shape [1, 2, 2, 3]",
                    "[1, 2, 3, 3]");
            rejects(() -> pool.run(x2d, out, wrongIndices, null), "max_pool2d", "indices must have shape",
                    "[1, 2, 3, 2]");
            closed.close();
            assertTrue(assertThrows(IllegalStateException.class, () -> pool.run(x2d, out, closed, null))
                    .getMessage().contains("max_pool2d: indices is closed"));
            closedInput.close();
            assertTrue(assertThrows(IllegalStateException.class, () -> pool.run(closedInput, out, null))
                    .getMessage().contains("max_pool2d: input is closed"));
            rejects(() -> pool.run(null, out, null), "max_pool2d", "input must not be null");
        }
    }

    // ---- avg_pool -------------------------------------------------------------------------------------------------

    @Test
    void divisorOverrideMustNotBeZero() {
        rejects(() -> Functional.avgPool2d(x2d, new PoolOptions(2).divisorOverride(0)), "avg_pool2d",
                "divisor_override=0");
    }

    @Test
    void divisorOverrideIsOnlyFor2dAnd3d() {
        rejects(() -> Functional.avgPool1d(x1d, new PoolOptions(2).divisorOverride(3)), "avg_pool1d",
                "divisor_override=3");
    }

    @Test
    void avgPoolTakesNoMaxArguments() {
        rejects(() -> Functional.avgPool2d(x2d, new PoolOptions(2).dilation(2)), "avg_pool2d", "dilation=[2]");
        rejects(() -> AvgPool.create(2, new PoolOptions(2).returnIndices(false)), "avg_pool2d",
                "return_indices=false");
    }

    @Test
    void avgPool3dInputMustBeAtLeastTheKernel() {
        rejects(() -> Functional.avgPool3d(x3d, new PoolOptions(3).padding(1)), "avg_pool3d",
                "input of shape [1, 1, 2, 4, 4]", "kernel_size=[3, 3, 3]");
    }

    @Test
    void avgPoolChecksTheSlidingWindowArgumentsToo() {
        rejects(() -> Functional.avgPool2d(x2d, new PoolOptions(2).stride(-1)), "avg_pool2d", "stride=[-1, -1]");
        rejects(() -> Functional.avgPool1d(x1d, new PoolOptions(2).padding(2)), "avg_pool1d", "padding=[2]");
    }

    // ---- lp_pool --------------------------------------------------------------------------------------------------

    @Test
    void normTypeMustNotBeZero() {
        rejects(() -> Functional.lpPool2d(x2d, 0, new PoolOptions(2)), "lp_pool2d", "norm_type=0.0");
    }

    @Test
    void lpPoolTakesOnlyKernelStrideAndCeilMode() {
        rejects(() -> Functional.lpPool2d(x2d, 2, new PoolOptions(2).padding(1)), "lp_pool2d", "padding=[1]");
        rejects(() -> Functional.lpPool1d(x1d, 2, new PoolOptions(2).dilation(2)), "lp_pool1d", "dilation=[2]");
        rejects(() -> LpPool.create(2, 2, new PoolOptions(2).countIncludePad(true)), "lp_pool2d",
                "count_include_pad=true");
        rejects(() -> LpPool.create(2, 2, new PoolOptions(2).divisorOverride(4)), "lp_pool2d", "divisor_override=4");
        rejects(() -> LpPool.create(2, 2, new PoolOptions(2).returnIndices(true)), "lp_pool2d", "return_indices=true");
    }

    @Test
    void lpPool3dInputMustBeAtLeastTheKernel() {
        rejects(() -> Functional.lpPool3d(x3d, 2, new PoolOptions(3)), "lp_pool3d", "input of shape [1, 1, 2, 4, 4]",
                "kernel_size=[3, 3, 3]");
    }

    // ---- adaptive pooling -----------------------------------------------------------------------------------------

    @Test
    void outputSizeMustBePositive() {
        rejects(() -> Functional.adaptiveAvgPool2d(x2d, 0, 2), "adaptive_avg_pool2d", "output_size=[0, 2]");
        rejects(() -> Functional.adaptiveMaxPool1d(x1d, -1), "adaptive_max_pool1d", "output_size=[-1]");
    }

    @Test
    void outputSizeMustHaveOneOrDimsValues() {
        rejects(() -> Functional.adaptiveAvgPool2d(x2d, 1, 2, 3), "adaptive_avg_pool2d", "output_size=[1, 2, 3]");
        rejects(() -> Functional.adaptiveMaxPool3d(x3d, (Integer[]) null), "adaptive_max_pool3d", "output_size=null");
    }

    @Test
    void outputSizeNoneOnlyInFull2dOr3dTuples() {
        rejects(() -> Functional.adaptiveAvgPool1d(x1d, (Integer) null), "adaptive_avg_pool1d", "output_size=[null]");
        rejects(() -> Functional.adaptiveMaxPool2d(x2d, (Integer) null), "adaptive_max_pool2d", "output_size=[null]");
        try (Tensor y = Functional.adaptiveAvgPool2d(x2d, null, 3)) {
            assertArrayEquals(new long[] {1, 2, 5, 3}, y.shape());
        }
    }

    @Test
    void adaptiveInputMustHaveDimsPlusOneOrTwoDims() {
        rejects(() -> Functional.adaptiveAvgPool2d(x1d.view(42), 2), "adaptive_avg_pool2d", "input of shape [42]");
    }

    @Test
    void adaptiveOutputMustFitALong() {
        int big = Integer.MAX_VALUE;
        rejects(() -> AdaptiveMaxPool.create(3, new Integer[] {big}, false).outputShape(new long[] {4, 1, 1, 1, 1}),
                "adaptive_max_pool3d", "output of shape [4, 1, " + big);
    }

    // ---- pad ------------------------------------------------------------------------------------------------------

    @Test
    void padMustNotBeNull() {
        rejects(() -> Functional.pad(x1d, null), "pad", "pad must not be null");
    }

    @Test
    void padLengthMustBeEven() {
        rejects(() -> Functional.pad(x1d, new int[] {1, 2, 3}), "pad", "pad=[1, 2, 3]");
    }

    @Test
    void padCoversAtMostThreeDims() {
        rejects(() -> Functional.pad(x3d, new int[8]), "pad", "pad=[0, 0, 0, 0, 0, 0, 0, 0]");
    }

    @Test
    void padLengthAtMostTwiceTheInputDims() {
        try (Tensor v = Tensor.zeros(4)) {
            rejects(() -> Functional.pad(v, new int[] {1, 1, 1, 1}), "pad", "pad=[1, 1, 1, 1]", "input of shape [4]");
        }
    }

    @Test
    void modeMustBeKnown() {
        rejects(() -> Functional.pad(x1d, new int[] {1, 1}, "wrap"), "pad", "mode='wrap'");
        rejects(() -> Functional.pad(x1d, new int[] {1, 1}, null), "pad", "mode=null");
    }

    @Test
    void valueOnlyForConstantMode() {
        rejects(() -> Functional.pad(x1d, new int[] {1, 1}, "replicate", 1.5), "pad", "mode='replicate'",
                "value=1.5");
    }

    @Test
    void nonConstantModesNeedPadding() {
        rejects(() -> Functional.pad(x1d, new int[0], "circular"), "pad", "mode='circular'", "pad=[]");
    }

    @Test
    void nonConstantModesNeedPaddedDimsPlusOneOrTwo() {
        try (Tensor v = Tensor.zeros(4)) {
            rejects(() -> Functional.pad(v, new int[] {1, 1}, "reflect"), "pad", "mode='reflect'",
                    "input of shape [4]");
        }
    }

    @Test
    void reflectPaddingMustBeSmallerThanTheSize() {
        rejects(() -> Functional.pad(x1d, new int[] {7, 0}, "reflect"), "pad", "pad=[7, 0]", "size 7");
    }

    @Test
    void circularWrapsAtMostOnce() {
        rejects(() -> Functional.pad(x1d, new int[] {8, 0}, "circular"), "pad", "pad=[8, 0]", "size 7");
        // PyTorch lets this through (8 <= 7 is false, but 7 <= 7 is true) and reads memory it never wrote.
        rejects(() -> Functional.pad(x1d, new int[] {7, -1}, "circular"), "pad", "pad=[7, -1]");
    }

    @Test
    void constantPaddingMayRemoveAtMostTheInput() {
        rejects(() -> Functional.pad(x1d, new int[] {-8, 2}), "pad", "pad=[-8, 2]", "size 7");
    }

    @Test
    void paddedSizeMustBePositive() {
        rejects(() -> Functional.pad(x1d, new int[] {-4, -3}), "pad", "pad=[-4, -3]", "output size 0");
        rejects(() -> Pad.create(new int[] {-4, -4}, "replicate", 0).outputShape(x1d.shape()), "pad",
                "pad=[-4, -4]", "output size -1");
    }

    // ---- IndexTensor ----------------------------------------------------------------------------------------------

    @Test
    void indexTensorRefusesUseAfterClose() {
        IndexTensor t = IndexTensor.empty(2, 3);
        assertArrayEquals(new long[] {2, 3}, t.shape());
        t.close();
        t.close(); // idempotent
        assertTrue(t.isClosed());
        assertThrows(IllegalStateException.class, t::toLongArray);
        assertThrows(IllegalStateException.class, t::pointer);
        rejects(() -> IndexTensor.empty(2, 0), "shape=[2, 0]");
    }
}
