package io.cnn4j.ops;

/**
 * The part of the op lifecycle ({@link Convolution}'s) that pooling and padding share: they need no scratch, so
 * {@link #workspaceSize} only checks the input shape and is 0, and their {@code run} takes a workspace that may be
 * null, for callers (a model's planner) that treat every op alike.
 */
public abstract class ScratchFreeOp {
    ScratchFreeOp() {}

    /** The output shape for an input shape, after every check PyTorch makes on it. */
    public abstract long[] outputShape(long[] inputShape);

    /** Always 0, once the input shape is checked: this op needs no scratch. */
    public final long workspaceSize(long[] inputShape) {
        outputShape(inputShape);
        return 0;
    }
}
