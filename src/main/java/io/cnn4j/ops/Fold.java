package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Sums sliding blocks back into an image with PyTorch's {@code F.fold} (ATen col2im) semantics, the adjoint of
 * {@link Unfold}: input [N, C*kH*kW, L] or unbatched [C*kH*kW, L] -> output [N, C, H, W] or [C, H, W] with
 * (H, W) = output_size; overlapping blocks add up, padded taps are dropped.
 *
 * <p>Lifecycle as {@link Convolution}; needs no workspace ({@link #workspaceSize} is 0, run accepts null).
 */
public final class Fold implements UnaryOp {
    private static final String OP = "fold";
    private final SlidingBlocks blocks;
    private final long[] outputSize;

    private Fold(SlidingBlocks blocks, long[] outputSize) {
        this.blocks = blocks;
        this.outputSize = outputSize;
    }

    /** Each argument is an int (one value) or a pair (height, width). */
    public static Fold create(int[] outputSize, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        SlidingBlocks blocks = new SlidingBlocks(OP, kernelSize, dilation, padding, stride);
        long[] size = Args.expand(OP, "output_size", outputSize, SlidingBlocks.DIMS);
        Args.checkPositive(OP, "output_size", size);
        long[] grid = blocks.blocks(size);
        if (grid[0] < 1 || grid[1] < 1) {
            throw new IllegalArgumentException(OP + ": output_size=" + Arrays.toString(size) + " with "
                    + blocks.describe() + " gives a grid of blocks " + Arrays.toString(grid) + ", but each must be at "
                    + "least 1 (the kernel does not fit the padded output)");
        }
        return new Fold(blocks, size);
    }

    public long[] outputShape(long[] inputShape) {
        checkInput(inputShape);
        boolean batched = inputShape.length == 3;
        long channels = inputShape[batched ? 1 : 0] / blocks.kernelVolume();
        return batched ? new long[] {inputShape[0], channels, outputSize[0], outputSize[1]}
                : new long[] {channels, outputSize[0], outputSize[1]};
    }

    public long workspaceSize(long[] inputShape) {
        checkInput(inputShape);
        return 0;
    }

    /** output = fold(input); output must have {@link #outputShape}; workspace is unused. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkOpen(OP, "input", input);
        long[] inShape = input.shape();
        long[] outShape = outputShape(inShape);
        Args.checkShape(OP, "output", output, outShape);
        boolean batched = inShape.length == 3;
        long batch = batched ? inShape[0] : 1;
        long channels = outShape[batched ? 1 : 0];
        long[] window = blocks.window(outputSize, blocks.blocks(outputSize));
        SlidingBlocks.perImage(batch, input, output, "cnn4j_col2im",
                (columns, image) -> NativeCore.cnn4j_col2im(window, channels, columns, image));
    }

    private void checkInput(long[] inputShape) {
        if (inputShape == null || (inputShape.length != 2 && inputShape.length != 3)) {
            throw new IllegalArgumentException(OP + ": expected 2-d (unbatched) or 3-d (batched) input, got input of "
                    + "shape " + Args.shape(inputShape));
        }
        int s = inputShape.length - 2;
        if (inputShape[s] % blocks.kernelVolume() != 0) {
            throw new IllegalArgumentException(OP + ": expected size " + inputShape[s] + " of input dim " + s
                    + " to be divisible by the product of kernel_size=" + Arrays.toString(blocks.kernel) + " ("
                    + blocks.kernelVolume() + "), got input of shape " + Args.shape(inputShape));
        }
        long[] grid = blocks.blocks(outputSize);
        if (inputShape[s + 1] != grid[0] * grid[1]) {
            throw new IllegalArgumentException(OP + ": expected size " + inputShape[s + 1] + " of input dim " + (s + 1)
                    + " to match the number of sliding blocks " + grid[0] + " * " + grid[1] + " = " + grid[0] * grid[1]
                    + " for output_size=" + Arrays.toString(outputSize) + ", " + blocks.describe()
                    + ", got input of shape " + Args.shape(inputShape));
        }
    }
}
