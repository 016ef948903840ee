package io.cnn4j.ops;

import io.cnn4j.Shapes;

/**
 * {@code nn.Flatten(start_dim, end_dim)} / {@code torch.flatten}: merges dims start_dim..end_dim (negative dims
 * count from the end; start_dim must not come after end_dim) into one. A shape-only op: {@link #view} gives the
 * result without copying, {@link #run} copies it into an output of its own.
 */
public final class Flatten extends Reshape {
    private static final String OP = "flatten";
    private final int startDim;
    private final int endDim;

    private Flatten(int startDim, int endDim) {
        super(OP);
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /** {@code nn.Flatten()}: start_dim=1, end_dim=-1, which keeps the batch dim. */
    public static Flatten create() {
        return new Flatten(1, -1);
    }

    public static Flatten create(int startDim, int endDim) {
        return new Flatten(startDim, endDim);
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        Args.checkInputShape(OP, inputShape);
        int rank = inputShape.length;
        int s = Args.wrapDim(OP, "start_dim", startDim, rank);
        int e = Args.wrapDim(OP, "end_dim", endDim, rank);
        if (s > e) {
            throw new IllegalArgumentException(OP + ": start_dim cannot come after end_dim, got start_dim=" + startDim
                    + ", end_dim=" + endDim + " for a " + rank + "-d input");
        }
        long[] out = new long[rank - (e - s)];
        System.arraycopy(inputShape, 0, out, 0, s);
        out[s] = Shapes.product(inputShape, s, e + 1);
        System.arraycopy(inputShape, e + 1, out, s + 1, rank - e - 1);
        return out;
    }
}
