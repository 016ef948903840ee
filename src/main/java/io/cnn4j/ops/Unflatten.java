package io.cnn4j.ops;

import java.util.Arrays;

/**
 * {@code nn.Unflatten(dim, unflattened_size)} / {@code torch.unflatten}: splits dim (negative counts from the end)
 * into {@code sizes}, whose product must equal its size; one entry may be -1, inferred. A shape-only op:
 * {@link #view} gives the result without copying, {@link #run} copies it into an output of its own.
 */
public final class Unflatten extends Reshape {
    private static final String OP = "unflatten";
    private final int dim;
    private final long[] sizes;

    private Unflatten(int dim, long[] sizes) {
        super(OP);
        this.dim = dim;
        this.sizes = sizes;
    }

    public static Unflatten create(int dim, long... sizes) {
        if (sizes == null || sizes.length == 0) {
            throw new IllegalArgumentException(OP + ": sizes must be non-empty, got sizes=" + Arrays.toString(sizes));
        }
        int inferred = 0;
        for (long s : sizes) {
            if (s == -1) {
                inferred++;
            }
            if ((s < 1 && s != -1) || inferred > 1) {
                throw new IllegalArgumentException(OP + ": sizes must be >= 1, with at most one -1 (inferred), got "
                        + "sizes=" + Arrays.toString(sizes));
            }
        }
        return new Unflatten(dim, sizes.clone());
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        Args.checkInputShape(OP, inputShape);
        int rank = inputShape.length;
        int d = Args.wrapDim(OP, "dim", dim, rank);
        long[] split = sizes.clone();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < split.length; i++) {
            if (split[i] == -1) {
                infer = i;
            } else {
                // Only the comparison with the dim's size matters: cap the product just above it, never overflowing.
                known = split[i] > inputShape[d] / known ? inputShape[d] + 1 : known * split[i];
            }
        }
        if (infer >= 0 && inputShape[d] % known == 0) {
            split[infer] = inputShape[d] / known;
        }
        if ((infer >= 0 && split[infer] == -1) || (infer < 0 && known != inputShape[d])) {
            throw new IllegalArgumentException(OP + ": sizes must multiply up to the size " + inputShape[d] + " of dim "
                    + dim + ", got sizes=" + Arrays.toString(sizes) + " for input of shape " + Args.shape(inputShape));
        }
        long[] out = new long[rank - 1 + split.length];
        System.arraycopy(inputShape, 0, out, 0, d);
        System.arraycopy(split, 0, out, d, split.length);
        System.arraycopy(inputShape, d + 1, out, d + split.length, rank - d - 1);
        return out;
    }
}
