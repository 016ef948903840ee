package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * torch.nn.functional.pixel_shuffle(upscale_factor r): [..., C * r * r, H, W] -> [..., C, H * r, W * r], and
 * pixel_unshuffle(downscale_factor r), its inverse: output[c, h * r + i, w * r + j] = input[c * r * r + i * r + j,
 * h, w]. Inputs have at least 3 dims (any leading dims are kept). Lifecycle as {@link Activation}; the output must
 * not overlap the input. Immutable and thread-safe.
 */
public final class PixelShuffle extends ScratchFreeOp {
    private final String op;
    private final String argument;
    private final long factor;
    private final boolean shuffle;

    private PixelShuffle(String op, String argument, long factor, boolean shuffle) {
        this.op = op;
        this.argument = argument;
        this.factor = factor;
        this.shuffle = shuffle;
    }

    public static PixelShuffle pixelShuffle(long upscaleFactor) {
        return create("pixel_shuffle", "upscale_factor", upscaleFactor, true);
    }

    public static PixelShuffle pixelUnshuffle(long downscaleFactor) {
        return create("pixel_unshuffle", "downscale_factor", downscaleFactor, false);
    }

    private static PixelShuffle create(String op, String argument, long factor, boolean shuffle) {
        if (factor < 1) {
            throw new IllegalArgumentException(op + ": " + argument + " must be greater than 0, but got " + factor);
        }
        return new PixelShuffle(op, argument, factor, shuffle);
    }

    public long[] outputShape(long[] inputShape) {
        Args.checkInputShape(op, inputShape);
        int rank = inputShape.length;
        if (rank < 3) {
            throw new IllegalArgumentException(op + ": expects input to have at least 3 dimensions, but got input "
                    + "with " + rank + " dimension(s) " + Args.shape(inputShape));
        }
        long c = inputShape[rank - 3];
        long h = inputShape[rank - 2];
        long w = inputShape[rank - 1];
        long[] out = inputShape.clone();
        long square = Math.multiplyExact(factor, factor);
        if (shuffle) {
            if (c % square != 0) {
                throw new IllegalArgumentException(op + ": expects its input's 'channel' dimension to be divisible "
                        + "by the square of " + argument + ", but input.size(-3)=" + c + " is not divisible by "
                        + square);
            }
            out[rank - 3] = c / square;
            out[rank - 2] = Math.multiplyExact(h, factor);
            out[rank - 1] = Math.multiplyExact(w, factor);
        } else {
            if (h % factor != 0 || w % factor != 0) {
                throw new IllegalArgumentException(op + ": expects height and width to be divisible by "
                        + argument + ", but input.size(-2)=" + h + " and input.size(-1)=" + w + " for "
                        + argument + "=" + factor);
            }
            out[rank - 3] = Math.multiplyExact(c, square);
            out[rank - 2] = h / factor;
            out[rank - 1] = w / factor;
        }
        Args.checkInputShape(op, out);
        return out;
    }

    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] in = Args.checkRun(op, input, output, this::outputShape, false);
        int rank = in.length;
        long r = factor;
        long outer = io.cnn4j.Shapes.product(in, 0, rank - 3);
        long[] shape;
        long[] strides;
        if (shuffle) { // output [outer, C, H, r, W, r] reads input [outer, C, r, r, H, W]
            long c = in[rank - 3] / (r * r);
            long h = in[rank - 2];
            long w = in[rank - 1];
            shape = new long[] {outer, c, h, r, w, r};
            strides = new long[] {c * r * r * h * w, r * r * h * w, w, r * h * w, 1, h * w};
        } else { // output [outer, C, r, r, H, W] reads input [outer, C, H, r, W, r]
            long c = in[rank - 3];
            long h = in[rank - 2] / r;
            long w = in[rank - 1] / r;
            shape = new long[] {outer, c, r, r, h, w};
            strides = new long[] {c * h * r * w * r, h * r * w * r, w * r, 1, r * w * r, r};
        }
        NativeCore.check(NativeCore.cnn4j_strided_copy(shape.length, shape, strides, 0, input.pointer(),
                output.pointer()), "cnn4j_strided_copy");
    }
}
