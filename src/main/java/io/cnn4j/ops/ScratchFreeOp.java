package io.cnn4j.ops;

/**
 * The part of the op lifecycle ({@link Convolution}'s) that the scratch-free ops share (pooling, padding,
 * activations, element-wise math, resizing, pixel shuffle): they need no scratch, so
 * {@link #workspaceSize} only checks the input shape and is 0, and their {@code run} takes a workspace that may be
 * null, for callers (a model's planner) that treat every op alike.
 */
public abstract class ScratchFreeOp implements UnaryOp {
    ScratchFreeOp() {}

    @Override
    public abstract long[] outputShape(long[] inputShape);

    /** Always 0, once the input shape is checked: this op needs no scratch. */
    @Override
    public final long workspaceSize(long[] inputShape) {
        outputShape(inputShape);
        return 0;
    }
}
