package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Cnn4j;
import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.ConvTranspose;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Fold;
import io.cnn4j.ops.Unfold;
import io.cnn4j.ops.Workspaces;
import java.util.function.Function;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every argument the convolution family rejects: an IllegalArgumentException whose message names the op, the
 * argument and the value it got.
 */
class ConvArgumentsTest {
    /** Runs {@code call} on zero-filled tensors of the given shapes (null shape: null tensor). */
    private static void withTensors(long[][] shapes, Function<Tensor[], Tensor> call) {
        Tensor[] t = new Tensor[shapes.length];
        try {
            for (int i = 0; i < shapes.length; i++) {
                t[i] = shapes[i] == null ? null : Tensor.zeros(shapes[i]);
            }
            call.apply(t).close();
        } finally {
            for (Tensor x : t) {
                if (x != null) {
                    x.close();
                }
            }
        }
    }

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
    }

    /** conv{dims}d on input/weight/bias shapes. */
    private static Executable conv(int dims, long[] input, long[] weight, long[] bias, ConvOptions options) {
        return () -> withTensors(new long[][] {input, weight, bias}, t -> switch (dims) {
            case 1 -> Functional.conv1d(t[0], t[1], t[2], options);
            case 2 -> Functional.conv2d(t[0], t[1], t[2], options);
            default -> Functional.conv3d(t[0], t[1], t[2], options);
        });
    }

    private static Executable convTranspose(int dims, long[] input, long[] weight, long[] bias, ConvOptions options) {
        return () -> withTensors(new long[][] {input, weight, bias}, t -> switch (dims) {
            case 1 -> Functional.convTranspose1d(t[0], t[1], t[2], options);
            case 2 -> Functional.convTranspose2d(t[0], t[1], t[2], options);
            default -> Functional.convTranspose3d(t[0], t[1], t[2], options);
        });
    }

    private static long[] s(long... shape) {
        return shape;
    }

    // ---- convolution ----

    @Test
    void convGroupsNotDividingOutChannels() {
        rejects(conv(2, s(1, 6, 5, 5), s(4, 2, 3, 3), null, new ConvOptions().groups(3)), "conv2d", "groups=3",
                "out_channels");
    }

    @Test
    void convGroupsNotPositive() {
        rejects(conv(2, s(1, 2, 5, 5), s(2, 2, 3, 3), null, new ConvOptions().groups(0)), "conv2d", "groups=0");
    }

    @Test
    void convInputChannelsNotMatchingWeightTimesGroups() {
        rejects(conv(2, s(1, 5, 5, 5), s(4, 3, 3, 3), null, new ConvOptions().groups(2)), "conv2d",
                "got 5 channels", "6 channels");
    }

    @Test
    void convSamePaddingWithStride() {
        rejects(conv(1, s(1, 1, 9), s(1, 1, 3), null, new ConvOptions().padding("same").stride(2)), "conv1d",
                "padding='same'", "stride=[2]");
    }

    @Test
    void convNegativePadding() {
        rejects(conv(2, s(1, 1, 5, 5), s(1, 1, 3, 3), null, new ConvOptions().padding(1, -1)), "conv2d", "padding",
                "padding=[1, -1]");
    }

    @Test
    void convNonPositiveStride() {
        rejects(conv(2, s(1, 1, 5, 5), s(1, 1, 3, 3), null, new ConvOptions().stride(0, 1)), "conv2d",
                "stride=[0, 1]");
    }

    @Test
    void convNonPositiveDilation() {
        rejects(conv(3, s(1, 1, 5, 5, 5), s(1, 1, 1, 1, 1), null, new ConvOptions().dilation(0)), "conv3d",
                "dilation=[0, 0, 0]");
    }

    @Test
    void convTupleOfWrongLength() {
        rejects(conv(2, s(1, 1, 5, 5), s(1, 1, 3, 3), null, new ConvOptions().stride(1, 1, 1)), "conv2d",
                "stride=[1, 1, 1]");
    }

    @Test
    void convWrongWeightRank() {
        rejects(conv(2, s(1, 1, 5, 5), s(1, 1, 3), null, new ConvOptions()), "conv2d", "weight of shape [1, 1, 3]");
    }

    @Test
    void convWrongBiasShape() {
        rejects(conv(2, s(1, 1, 5, 5), s(4, 1, 3, 3), s(3), new ConvOptions()), "conv2d", "bias of shape [3]");
        rejects(conv(2, s(1, 1, 5, 5), s(4, 1, 3, 3), s(1, 4), new ConvOptions()), "bias of shape [1, 4]");
    }

    @Test
    void convWrongInputRank() {
        rejects(conv(2, s(5, 5), s(1, 1, 3, 3), null, new ConvOptions()), "conv2d", "input of shape [5, 5]");
    }

    @Test
    void convKernelLargerThanPaddedInput() {
        rejects(conv(2, s(1, 1, 4, 9), s(1, 1, 5, 3), null, new ConvOptions()), "conv2d", "kernel_size=[5, 3]",
                "input of shape [1, 1, 4, 9]");
        rejects(conv(1, s(1, 1, 4), s(1, 1, 3), null, new ConvOptions().dilation(2)), "dilation=[2]");
    }

    @Test
    void convReflectPaddingNotSmallerThanInput() {
        rejects(conv(1, s(1, 1, 3), s(1, 1, 3), null, new ConvOptions().padding(3).paddingMode("reflect")),
                "conv1d", "padding_mode='reflect'", "padding=[3, 3]", "size 3");
    }

    @Test
    void convCircularPaddingLargerThanInput() {
        rejects(conv(2, s(1, 1, 2, 6), s(1, 1, 1, 1), null, new ConvOptions().padding(3).paddingMode("circular")),
                "conv2d", "padding_mode='circular'", "padding=[3, 3]", "size 2");
    }

    @Test
    void convUnknownPaddingStringAndMode() {
        rejects(() -> new ConvOptions().padding("full"), "padding='full'");
        rejects(() -> new ConvOptions().paddingMode("mirror"), "padding_mode='mirror'");
        rejects(conv(1, s(1, 1, 5), s(1, 1, 3), null, new ConvOptions().paddingMode((io.cnn4j.ops.PaddingMode) null)),
                "conv1d", "padding_mode");
    }

    @Test
    void convRejectsTransposedOnlyArguments() {
        rejects(conv(1, s(1, 1, 5), s(1, 1, 3), null, new ConvOptions().outputPadding(1)), "conv1d",
                "output_padding=[1]");
        rejects(conv(1, s(1, 1, 5), s(1, 1, 3), null, new ConvOptions().outputSize(7)), "conv1d", "output_size=[7]");
    }

    @Test
    void convNullAndClosedTensors() {
        rejects(conv(1, s(1, 1, 5), null, null, new ConvOptions()), "conv1d", "weight must not be null");
        rejects(conv(1, null, s(1, 1, 3), null, new ConvOptions()), "conv1d", "input must not be null");
        rejects(conv(1, s(1, 1, 5), s(1, 1, 3), s(1), new ConvOptions().stride((int[]) null)), "stride=null");
        try (Tensor x = Tensor.zeros(1, 1, 5); Tensor w = Tensor.zeros(1, 1, 3)) {
            x.close();
            assertTrue(assertThrows(IllegalStateException.class, () -> Functional.conv1d(x, w, null, null))
                    .getMessage().contains("conv1d: input is closed"));
        }
    }

    @Test
    void convSpatialDims() {
        try (Tensor w = Tensor.zeros(1, 1, 3)) {
            rejects(() -> Convolution.create(4, w, null, new ConvOptions()), "dims=4");
            rejects(() -> ConvTranspose.create(0, w, null, new ConvOptions()), "dims=0");
        }
    }

    @Test
    void convRunChecksOutputAndWorkspace() {
        try (Tensor x = Tensor.zeros(1, 2, 6, 6); Tensor w = Tensor.zeros(3, 2, 3, 3);
                Tensor wrong = Tensor.zeros(1, 3, 5, 5); Tensor y = Tensor.zeros(1, 3, 4, 4);
                FloatPointer small = Workspaces.allocate(5); FloatPointer enough = Workspaces.allocate(1 << 12);
                Convolution conv = Convolution.create(2, w, null, new ConvOptions())) {
            rejects(() -> conv.run(x, wrong, enough), "conv2d", "output", "[1, 3, 5, 5]");
            rejects(() -> conv.run(x, y, small), "conv2d", "workspace has 5 floats");
        }
    }

    // ---- transposed convolution ----

    @Test
    void convTransposeOutputPaddingNotSmallerThanStrideOrDilation() {
        rejects(convTranspose(2, s(1, 1, 4, 4), s(1, 1, 3, 3), null,
                new ConvOptions().stride(2, 1).outputPadding(2, 0)), "conv_transpose2d", "output_padding=[2, 0]", "stride=[2, 1]", "dilation=[1, 1]");
        rejects(convTranspose(1, s(1, 1, 4), s(1, 1, 3), null, new ConvOptions().outputPadding(-1)),
                "conv_transpose1d", "output_padding=[-1]");
    }

    @Test
    void convTransposeOutputPaddingBelowDilationIsAccepted() {
        try (Tensor x = Tensor.zeros(1, 1, 4); Tensor w = Tensor.zeros(1, 1, 3);
                Tensor y = Functional.convTranspose1d(x, w, null, new ConvOptions().dilation(3).outputPadding(2))) {
            assertArrayEquals(new long[] {1, 1, 4 - 1 + 3 * 2 + 2 + 1}, y.shape());
        }
    }

    @Test
    void convTransposeStringPadding() {
        rejects(convTranspose(1, s(1, 1, 4), s(1, 1, 3), null, new ConvOptions().padding("same")),
                "conv_transpose1d", "padding='same'");
    }

    @Test
    void convTransposeNonZerosPaddingMode() {
        rejects(convTranspose(2, s(1, 1, 4, 4), s(1, 1, 3, 3), null, new ConvOptions().paddingMode("reflect")),
                "conv_transpose2d", "padding_mode='reflect'");
    }

    @Test
    void convTransposeGroupsNotDividingInChannels() {
        rejects(convTranspose(2, s(1, 3, 4, 4), s(3, 1, 3, 3), null, new ConvOptions().groups(2)),
                "conv_transpose2d", "groups=2", "in_channels");
    }

    @Test
    void convTransposeChannelMismatch() {
        rejects(convTranspose(1, s(1, 2, 4), s(3, 1, 3), null, new ConvOptions()), "conv_transpose1d",
                "got 2 channels");
    }

    @Test
    void convTransposeWrongBiasShape() {
        // out_channels = weight.size(1) * groups = 4, not weight.size(1)
        rejects(convTranspose(1, s(1, 4, 4), s(4, 2, 3), s(2), new ConvOptions().groups(2)), "conv_transpose1d",
                "bias of shape [2]", "[4]");
    }

    @Test
    void convTransposeWrongWeightRank() {
        rejects(convTranspose(3, s(1, 1, 3, 3, 3), s(1, 1, 3, 3), null, new ConvOptions()), "conv_transpose3d",
                "weight of shape [1, 1, 3, 3]");
    }

    @Test
    void convTransposeOutputTooSmall() {
        rejects(convTranspose(1, s(1, 1, 2), s(1, 1, 1), null, new ConvOptions().padding(1)), "conv_transpose1d",
                "padding=[1]", "[0]");
    }

    @Test
    void convTransposeOutputSizeOutOfRange() {
        // input 4, stride 2, kernel 3: sizes 9 and 10 are reachable
        rejects(convTranspose(1, s(1, 1, 4), s(1, 1, 3), null, new ConvOptions().stride(2).outputSize(11)),
                "conv_transpose1d", "output_size=[11]", "[9] to [10]");
        rejects(convTranspose(1, s(1, 1, 4), s(1, 1, 3), null, new ConvOptions().stride(2).outputSize(1, 1, 8)),
                "output_size=[1, 1, 8]");
        rejects(convTranspose(1, s(1, 1, 4), s(1, 1, 3), null, new ConvOptions().stride(2).outputSize(1, 10)),
                "output_size=[1, 10]", "1 or 3 elements");
    }

    @Test
    void convTransposeOutputSizeDerivesOutputPadding() {
        try (Tensor w = Tensor.zeros(4, 1, 3)) {
            ConvTranspose op = ConvTranspose.create(1, w, null, new ConvOptions().stride(2).outputSize(10));
            assertArrayEquals(new long[] {1, 1, 10}, op.outputShape(new long[] {1, 4, 4}));
            assertArrayEquals(new long[] {1, 10}, op.outputShape(new long[] {4, 4}));
        }
    }

    // ---- unfold / fold ----

    @Test
    void unfoldWrongInputRank() {
        rejects(() -> withTensors(new long[][] {s(4, 4)}, t -> Functional.unfold(t[0], new int[] {2}, new int[] {1},
                new int[] {0}, new int[] {1})), "unfold", "input of shape [4, 4]");
    }

    @Test
    void unfoldNonPositiveKernelAndStrideAndDilation() {
        rejects(() -> Unfold.create(new int[] {0, 2}, new int[] {1}, new int[] {0}, new int[] {1}), "unfold",
                "kernel_size=[0, 2]");
        rejects(() -> Unfold.create(new int[] {2}, new int[] {1}, new int[] {0}, new int[] {-1}), "stride=[-1, -1]");
        rejects(() -> Unfold.create(new int[] {2}, new int[] {0}, new int[] {0}, new int[] {1}), "dilation=[0, 0]");
        rejects(() -> Unfold.create(new int[] {2}, new int[] {1}, new int[] {-1}, new int[] {1}), "padding=[-1, -1]");
        rejects(() -> Unfold.create(new int[] {2, 2, 2}, new int[] {1}, new int[] {0}, new int[] {1}),
                "kernel_size=[2, 2, 2]");
    }

    @Test
    void unfoldKernelLargerThanPaddedInput() {
        rejects(() -> withTensors(new long[][] {s(1, 1, 2, 5)}, t -> Functional.unfold(t[0], new int[] {3},
                new int[] {1}, new int[] {0}, new int[] {1})), "unfold", "kernel_size=[3, 3]", "[1, 1, 2, 5]");
    }

    @Test
    void foldOutputSizeNotPositive() {
        rejects(() -> Fold.create(new int[] {0, 4}, new int[] {2}, new int[] {1}, new int[] {0}, new int[] {1}),
                "fold", "output_size=[0, 4]");
        rejects(() -> Fold.create(new int[] {2}, new int[] {3}, new int[] {1}, new int[] {0}, new int[] {1}),
                "fold", "output_size=[2, 2]", "kernel_size=[3, 3]");
    }

    @Test
    void foldChannelsNotDivisibleByKernel() {
        rejects(() -> withTensors(new long[][] {s(1, 5, 9)}, t -> Functional.fold(t[0], new int[] {4}, new int[] {2},
                new int[] {1}, new int[] {0}, new int[] {1})), "fold", "5", "kernel_size=[2, 2]");
    }

    @Test
    void foldBlockCountMismatch() {
        rejects(() -> withTensors(new long[][] {s(1, 4, 8)}, t -> Functional.fold(t[0], new int[] {4}, new int[] {2},
                new int[] {1}, new int[] {0}, new int[] {1})), "fold", "3 * 3 = 9", "[1, 4, 8]");
    }

    @Test
    void foldWrongInputRank() {
        rejects(() -> withTensors(new long[][] {s(1, 1, 4, 9)}, t -> Functional.fold(t[0], new int[] {4},
                new int[] {2}, new int[] {1}, new int[] {0}, new int[] {1})), "fold", "input of shape [1, 1, 4, 9]");
    }

    // ---- threads ----

    @Test
    void setNumThreadsRejectsLessThanOneAndMoreThanTheMaximum() {
        int before = Cnn4j.getNumThreads();
        rejects(() -> Cnn4j.setNumThreads(0), "setNumThreads", "threads=0");
        rejects(() -> Cnn4j.setNumThreads(Cnn4j.MAX_THREADS + 1), "setNumThreads", "1 to 256",
                "threads=" + (Cnn4j.MAX_THREADS + 1));
        assertEquals(before, Cnn4j.getNumThreads());
    }
}
