package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The 2-d sliding-block geometry that {@link Unfold} and {@link Fold} share ({@code F.unfold} / {@code F.fold}, ATen's
 * im2col / col2im): kernel_size, dilation, padding and stride, each an int or a pair, checked as ATen checks them.
 */
final class SlidingBlocks {
    static final int DIMS = 2;

    final String op;
    final long[] kernel;
    final long[] dilation;
    final long[] padding;
    final long[] stride;

    SlidingBlocks(String op, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        this.op = op;
        this.kernel = Args.expand(op, "kernel_size", kernelSize, DIMS);
        this.dilation = Args.expand(op, "dilation", dilation, DIMS);
        this.padding = Args.expand(op, "padding", padding, DIMS);
        this.stride = Args.expand(op, "stride", stride, DIMS);
        Args.checkPositive(op, "kernel_size", this.kernel);
        Args.checkPositive(op, "dilation", this.dilation);
        Args.checkNonNegative(op, "padding", this.padding);
        Args.checkPositive(op, "stride", this.stride);
    }

    long kernelVolume() {
        return kernel[0] * kernel[1];
    }

    /** Blocks along each dim of an image of {@code spatial} size; ATen rounds down, so it is < 1 when none fit. */
    long[] blocks(long[] spatial) {
        long[] out = new long[DIMS];
        for (int i = 0; i < DIMS; i++) {
            out[i] = WindowSizes.outputSize(spatial[i], kernel[i], padding[i], stride[i], dilation[i], false);
        }
        return out;
    }

    /** The arguments as a message tail: "kernel_size=[2, 2], dilation=[1, 1], padding=[0, 0], stride=[1, 1]". */
    String describe() {
        return "kernel_size=" + Arrays.toString(kernel) + ", dilation=" + Arrays.toString(dilation) + ", padding="
                + Arrays.toString(padding) + ", stride=" + Arrays.toString(stride);
    }

    /** Native geometry between an image of {@code imageSpatial} size and its {@code blocks}. */
    long[] window(long[] imageSpatial, long[] blocks) {
        return Window.of(imageSpatial, blocks, kernel, stride, padding, dilation);
    }

    /** The native transform of one image (im2col or col2im), returning the native status. */
    interface ImageTransform {
        int apply(FloatPointer in, FloatPointer out);
    }

    /** Applies {@code transform} to each of {@code batch} images, input and output split evenly between them. */
    static void perImage(long batch, Tensor input, Tensor output, String function, ImageTransform transform) {
        long inSize = input.numel() / batch;
        long outSize = output.numel() / batch;
        FloatPointer in = input.pointer();
        FloatPointer out = output.pointer();
        for (long n = 0; n < batch; n++) {
            NativeCore.check(transform.apply(Workspaces.slice(in, n * inSize), Workspaces.slice(out, n * outSize)),
                    function);
        }
    }
}
