package io.cnn4j.ops;

import java.util.Arrays;

/**
 * The output size of the adaptive pooling ops: output_size as PyTorch takes it (one int for every dim, or one per
 * dim, where for 2-d and 3-d a None entry keeps that input size, as {@code F.adaptive_avg_pool2d}'s
 * {@code _list_with_default}). Output bin i of a dim covers input [floor(i*In/Out), ceil((i+1)*In/Out)).
 */
final class AdaptiveGeometry {
    final String op;
    final int dims;
    private final Integer[] outputSize; // dims entries; null keeps the input size

    private AdaptiveGeometry(String op, int dims, Integer[] outputSize) {
        this.op = op;
        this.dims = dims;
        this.outputSize = outputSize;
    }

    static AdaptiveGeometry create(String op, int dims, Integer[] outputSize) {
        if (outputSize == null || (outputSize.length != 1 && outputSize.length != dims)) {
            throw new IllegalArgumentException(op + ": output_size must be an int or a tuple of " + dims + " ints, got "
                    + "output_size=" + Arrays.toString(outputSize));
        }
        boolean hasNone = Arrays.asList(outputSize).contains(null);
        // PyTorch resolves None only inside a full tuple, and adaptive_*_pool1d not at all.
        if (hasNone && (dims == 1 || outputSize.length != dims)) {
            throw new IllegalArgumentException(op + ": output_size may hold None (keep the input size) only in a "
                    + "tuple of " + dims + " entries for 2-d and 3-d pooling, got output_size="
                    + Arrays.toString(outputSize));
        }
        for (Integer o : outputSize) {
            // PyTorch returns an empty tensor for 0; cnn4j tensors have no empty dims.
            if (o != null && o < 1) {
                throw new IllegalArgumentException(op + ": output_size must be positive, got output_size="
                        + Arrays.toString(outputSize));
            }
        }
        Integer[] full = new Integer[dims];
        for (int i = 0; i < dims; i++) {
            full[i] = outputSize.length == 1 ? outputSize[0] : outputSize[i];
        }
        return new AdaptiveGeometry(op, dims, full);
    }

    long[] outputShape(long[] inputShape) {
        int s = PoolGeometry.spatialStart(op, dims, inputShape);
        long[] out = Arrays.copyOf(inputShape, inputShape.length);
        for (int i = 0; i < dims; i++) {
            if (outputSize[i] != null) {
                out[s + i] = outputSize[i];
            }
        }
        io.cnn4j.Shapes.numel(op + ": output of shape", out);
        return out;
    }

    /** The input's spatial sizes, 3-d form. */
    long[] inSize(long[] inputShape) {
        return Window.to3d(Arrays.copyOfRange(inputShape, inputShape.length - dims, inputShape.length), 1);
    }

    /** The output's spatial sizes, 3-d form. */
    long[] outSize(long[] inputShape) {
        long[] out = outputShape(inputShape);
        return Window.to3d(Arrays.copyOfRange(out, out.length - dims, out.length), 1);
    }
}
