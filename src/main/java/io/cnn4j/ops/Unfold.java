package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Sliding-block extraction with PyTorch's {@code F.unfold} (ATen im2col) semantics: input [N, C, H, W] or unbatched
 * [C, H, W] -> output [N, C*kH*kW, L] or [C*kH*kW, L], L = number of blocks; row c*kH*kW + i*kW + j of the output
 * holds, for every block, the input value under kernel tap (i, j) of channel c (0 where it falls in the padding).
 *
 * <p>Lifecycle as {@link Convolution}; needs no workspace ({@link #workspaceSize} is 0, run accepts null).
 */
public final class Unfold implements UnaryOp {
    private static final String OP = "unfold";
    private final SlidingBlocks blocks;

    private Unfold(SlidingBlocks blocks) {
        this.blocks = blocks;
    }

    /** Each argument is an int (one value) or a pair (height, width). */
    public static Unfold create(int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        return new Unfold(new SlidingBlocks(OP, kernelSize, dilation, padding, stride));
    }

    public long[] outputShape(long[] inputShape) {
        long[] grid = checkInput(inputShape);
        boolean batched = inputShape.length == 4;
        long rows = inputShape[batched ? 1 : 0] * blocks.kernelVolume();
        long columns = grid[0] * grid[1];
        return batched ? new long[] {inputShape[0], rows, columns} : new long[] {rows, columns};
    }

    public long workspaceSize(long[] inputShape) {
        checkInput(inputShape);
        return 0;
    }

    /** output = unfold(input); output must have {@link #outputShape}; workspace is unused. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkOpen(OP, "input", input);
        long[] inShape = input.shape();
        Args.checkShape(OP, "output", output, outputShape(inShape));
        boolean batched = inShape.length == 4;
        long batch = batched ? inShape[0] : 1;
        long channels = inShape[batched ? 1 : 0];
        long[] spatial = Arrays.copyOfRange(inShape, inShape.length - 2, inShape.length);
        long[] window = blocks.window(spatial, blocks.blocks(spatial));
        SlidingBlocks.perImage(batch, input, output, "cnn4j_im2col",
                (image, columns) -> NativeCore.cnn4j_im2col(window, channels, image, columns));
    }

    /** Validates an input shape; returns its grid of blocks (height, width). */
    private long[] checkInput(long[] inputShape) {
        if (inputShape == null || (inputShape.length != 3 && inputShape.length != 4)) {
            throw new IllegalArgumentException(OP + ": expected 3-d (unbatched) or 4-d (batched) input, got input of "
                    + "shape " + Args.shape(inputShape));
        }
        long[] spatial = Arrays.copyOfRange(inputShape, inputShape.length - 2, inputShape.length);
        long[] grid = blocks.blocks(spatial);
        if (grid[0] < 1 || grid[1] < 1) {
            throw new IllegalArgumentException(OP + ": input of shape " + Args.shape(inputShape) + " with "
                    + blocks.describe() + " gives a grid of blocks " + Arrays.toString(grid) + ", but each must be at "
                    + "least 1 (the kernel does not fit the padded input)");
        }
        return grid;
    }
}
