package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The shape-only ops, {@link Flatten} and {@link Unflatten}: their result holds the input's elements in the same
 * order under a new shape, so it is either a view of the input ({@link #view}) or a plain copy ({@link #run}).
 *
 * <p>Lifecycle as {@link Convolution}; workspaceSize is 0. Immutable and thread-safe.
 */
public abstract sealed class Reshape implements UnaryOp permits Flatten, Unflatten {
    private final String op;

    Reshape(String op) {
        this.op = op;
    }

    /** The shape of the result for an input of this shape (same element count). */
    public abstract long[] outputShape(long[] inputShape);

    /** Always 0. */
    public long workspaceSize(long[] inputShape) {
        outputShape(inputShape);
        return 0;
    }

    /** Copies input into output (of {@link #outputShape}); output may be a view of the input itself (no copy then). */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkRun(op, input, output, this::outputShape, true);
        if (output.address() != input.address()) {
            long n = input.numel();
            NativeCore.check(NativeCore.cnn4j_copy_into(1, n, input.pointer(), n, 0, output.pointer()),
                    "cnn4j_copy_into");
        }
    }

    /** The result without a copy: a view over the input's memory, valid while the input is open. */
    public Tensor view(Tensor input) {
        Args.checkOpen(op, "input", input);
        return input.view(outputShape(input.shape()));
    }
}
