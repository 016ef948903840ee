package io.cnn4j.conv;

import static io.cnn4j.conv.WeightedCase.at;
import static io.cnn4j.conv.WeightedCase.numel;
import static io.cnn4j.conv.WeightedCase.tuple;

import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;

/**
 * One F.unfold or F.fold configuration, runnable through cnn4j, the naive reference and libtorch (ATen's im2col /
 * col2im, which F.unfold / F.fold call after expanding each int argument to a pair with _pair).
 */
final class BlocksCase {
    boolean fold;
    long[] inputShape;
    int[] outputSize; // fold only
    int[] kernel;
    int[] dilation;
    int[] padding;
    int[] stride;
    float[] x;

    @Override
    public String toString() {
        return (fold ? "fold" : "unfold") + " input=" + Arrays.toString(inputShape)
                + (fold ? " output_size=" + Arrays.toString(outputSize) : "") + " kernel_size="
                + Arrays.toString(kernel) + " dilation=" + Arrays.toString(dilation) + " padding="
                + Arrays.toString(padding) + " stride=" + Arrays.toString(stride);
    }

    static BlocksCase valid(Random r, boolean fold) {
        BlocksCase c = new BlocksCase();
        c.fold = fold;
        c.kernel = tuple(r, 2, 1, 4);
        c.dilation = tuple(r, 2, 1, 3);
        c.padding = tuple(r, 2, 0, 2);
        c.stride = tuple(r, 2, 1, 3);
        long[] size = new long[2];
        for (int i = 0; i < 2; i++) {
            long effective = (long) at(c.dilation, i) * (at(c.kernel, i) - 1) + 1;
            size[i] = Math.max(Math.max(1, effective - 2L * at(c.padding, i)), Oracle.between(r, 1, 9));
        }
        long batch = r.nextInt(5) == 0 ? 0 : Oracle.between(r, 1, 3);
        long channels = Oracle.between(r, 1, 3);
        if (fold) {
            c.outputSize = new int[] {(int) size[0], (int) size[1]};
            long[] blocks = c.blocks();
            long rows = channels * at(c.kernel, 0) * at(c.kernel, 1);
            c.inputShape = batch > 0 ? new long[] {batch, rows, blocks[0] * blocks[1]}
                    : new long[] {rows, blocks[0] * blocks[1]};
        } else {
            c.inputShape = batch > 0 ? new long[] {batch, channels, size[0], size[1]}
                    : new long[] {channels, size[0], size[1]};
        }
        c.x = Oracle.uniform(r, numel(c.inputShape));
        return c;
    }

    static BlocksCase maybeInvalid(Random r, boolean fold) {
        BlocksCase c = valid(r, fold);
        int s = c.inputShape.length - 2; // fold: the [C*K, L] dims; unfold: the spatial ones
        switch (r.nextInt(fold ? 10 : 7)) {
            case 0 -> c.kernel = tuple(r, 2, -1, 2);
            case 1 -> c.dilation = tuple(r, 2, -1, 1);
            case 2 -> c.padding = tuple(r, 2, -2, 1);
            case 3 -> c.stride = tuple(r, 2, -1, 1);
            case 4 -> c.kernel = new int[] {at(c.kernel, 0) + Oracle.between(r, 3, 8), at(c.kernel, 1)};
            case 5 -> c.inputShape = Arrays.copyOf(c.inputShape, c.inputShape.length + (r.nextBoolean() ? 1 : -1));
            case 6 -> {
                int[] wrong = {2, 2, 2};
                switch (r.nextInt(fold ? 5 : 4)) {
                    case 0 -> c.kernel = wrong;
                    case 1 -> c.dilation = wrong;
                    case 2 -> c.padding = wrong;
                    case 3 -> c.stride = wrong;
                    default -> c.outputSize = wrong;
                }
            }
            case 7 -> c.inputShape[s] += r.nextBoolean() ? 1 : -1;
            case 8 -> c.inputShape[s + 1] += r.nextBoolean() ? 1 : -1;
            default -> c.outputSize = new int[] {Oracle.between(r, -1, 0), c.outputSize[1]};
        }
        for (int i = 0; i < c.inputShape.length; i++) {
            c.inputShape[i] = Math.max(1, c.inputShape[i]);
        }
        c.x = Oracle.uniform(r, numel(c.inputShape));
        return c;
    }

    /** Blocks per dim over the image (unfold: the input, fold: output_size); valid configurations only. */
    private long[] blocks() {
        long[] image = fold ? new long[] {outputSize[0], outputSize[1]}
                : Arrays.copyOfRange(inputShape, inputShape.length - 2, inputShape.length);
        return NaiveConv.blocks(image, pair(kernel), pair(dilation), pair(padding), pair(stride));
    }

    Float32Result cnn4j() {
        try (Tensor tx = Tensor.of(x, inputShape);
                Tensor y = fold ? Functional.fold(tx, outputSize, kernel, dilation, padding, stride)
                        : Functional.unfold(tx, kernel, dilation, padding, stride)) {
            return new Float32Result(y.shape(), y.toFloatArray());
        }
    }

    Float32Result torch() {
        try (PointerScope scope = new PointerScope()) {
            var tx = LibTorch.tensor(x, inputShape);
            var y = fold
                    ? torch.col2im(tx, pair(outputSize), pair(kernel), pair(dilation), pair(padding), pair(stride))
                    : torch.im2col(tx, pair(kernel), pair(dilation), pair(padding), pair(stride));
            return new Float32Result(LibTorch.shape(y), LibTorch.floats(y));
        }
    }

    NaiveConv.Result naive() {
        boolean batched = inputShape.length == (fold ? 3 : 4);
        long[] xShape = batched ? inputShape : WeightedCase.prepend(1, inputShape);
        double[] x64 = Oracle.widen(x);
        NaiveConv.Result y = fold
                ? NaiveConv.fold(x64, xShape, pair(outputSize), pair(kernel), pair(dilation), pair(padding),
                        pair(stride))
                : NaiveConv.unfold(x64, xShape, pair(kernel), pair(dilation), pair(padding), pair(stride));
        return batched ? y : new NaiveConv.Result(Arrays.copyOfRange(y.shape(), 1, y.shape().length), y.data());
    }

    /** Python's _pair: an int becomes (v, v); a tuple passes as it is. */
    private static long[] pair(int[] values) {
        return values.length == 1 ? new long[] {values[0], values[0]} : WeightedCase.longs(values);
    }
}
