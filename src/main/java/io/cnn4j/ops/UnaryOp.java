package io.cnn4j.ops;

import io.cnn4j.Tensor;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The lifecycle every one-input op shares, after its {@code create}: shapes in, scratch size out, then runs into
 * caller-owned memory. Model layers drive any op through it.
 */
public interface UnaryOp {
    /** The output shape for an input shape, after every check PyTorch makes on it. */
    long[] outputShape(long[] inputShape);

    /** Floats of scratch {@link #run} needs for this input shape. */
    long workspaceSize(long[] inputShape);

    /**
     * Whether each sample of the batch (dim 0) of the output depends on the same sample of the input alone, the
     * batch dim staying dim 0: a model may then run this op on slices of the batch (see model/SplitExecution).
     * False unless an op says so.
     */
    default boolean samplewise() {
        return false;
    }

    /** output = op(input); output has {@link #outputShape}, workspace at least {@link #workspaceSize} floats. */
    void run(Tensor input, Tensor output, FloatPointer workspace);

    /**
     * This op for one input shape, checked and worked out once (what a model plan holds per layer). The default
     * runs {@link #run}, which checks everything again; ops on the hot path override it with a run that only
     * checks that the tensors have the planned shapes.
     */
    default Prepared prepare(long[] inputShape) {
        outputShape(inputShape);
        return this::run;
    }

    /** A one-input op prepared for one input shape. */
    @FunctionalInterface
    interface Prepared {
        void run(Tensor input, Tensor output, FloatPointer workspace);
    }
}
