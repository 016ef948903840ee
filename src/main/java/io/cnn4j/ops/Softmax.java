package io.cnn4j.ops;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Softmax and LogSoftmax along one dim, as {@code nn.Softmax(dim)} / {@code nn.LogSoftmax(dim)}: the dim must be
 * given (PyTorch's implicit-dim legacy is not offered) and may be negative, counted from the end. Computed the
 * numerically stable way ATen does (subtract the max first; log_softmax = x - max - log(sum(exp(x - max))), in that
 * order), so large inputs do not overflow and NaN / inf give what PyTorch gives.
 *
 * <p>Lifecycle as {@link Convolution}: the output has the input's shape, workspaceSize is 0, and run may write
 * in place (output == input). Immutable and thread-safe.
 */
public final class Softmax implements UnaryOp {
    private final String op;
    private final boolean log;
    private final int dim;

    private Softmax(boolean log, int dim) {
        this.op = log ? "log_softmax" : "softmax";
        this.log = log;
        this.dim = dim;
    }

    /** {@code nn.Softmax(dim)}. */
    public static Softmax softmax(int dim) {
        return new Softmax(false, dim);
    }

    /** {@code nn.LogSoftmax(dim)}. */
    public static Softmax logSoftmax(int dim) {
        return new Softmax(true, dim);
    }

    /** Same as the input shape; checks that dim is within the input's rank. */
    public long[] outputShape(long[] inputShape) {
        Args.checkInputShape(op, inputShape);
        Args.wrapDim(op, "dim", dim, inputShape.length);
        return inputShape.clone();
    }

    /** Always 0. */
    public long workspaceSize(long[] inputShape) {
        outputShape(inputShape);
        return 0;
    }

    /** output = softmax(input, dim); output may be input itself, else must not overlap it. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] shape = Args.checkRun(op, input, output, this::outputShape, true);
        int d = Args.wrapDim(op, "dim", dim, shape.length);
        NativeCore.check(NativeCore.cnn4j_softmax_forward(log ? 1 : 0, Shapes.product(shape, 0, d), shape[d],
                Shapes.product(shape, d + 1, shape.length), input.pointer(), output.pointer()),
                "cnn4j_softmax_forward");
    }
}
