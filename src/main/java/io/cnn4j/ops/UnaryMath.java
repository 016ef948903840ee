package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Element-wise math functions as torch.neg, abs, sqrt, exp and log (IEEE semantics: sqrt and log of a negative
 * number are NaN, log(0) is -inf). Lifecycle as {@link Activation}: the output has the input's shape, workspaceSize
 * is 0, run may write in place. Immutable and thread-safe.
 */
public final class UnaryMath implements UnaryOp {
    private final String op;
    private final int code;

    private UnaryMath(String op, int code) {
        this.op = op;
        this.code = code;
    }

    public static UnaryMath neg() {
        return new UnaryMath("neg", NativeCore.UNARY_NEG);
    }

    public static UnaryMath abs() {
        return new UnaryMath("abs", NativeCore.UNARY_ABS);
    }

    public static UnaryMath sqrt() {
        return new UnaryMath("sqrt", NativeCore.UNARY_SQRT);
    }

    public static UnaryMath exp() {
        return new UnaryMath("exp", NativeCore.UNARY_EXP);
    }

    public static UnaryMath log() {
        return new UnaryMath("log", NativeCore.UNARY_LOG);
    }

    /** Same as the input shape. */
    public long[] outputShape(long[] inputShape) {
        Args.checkInputShape(op, inputShape);
        return inputShape.clone();
    }

    /** Always 0. */
    public long workspaceSize(long[] inputShape) {
        Args.checkInputShape(op, inputShape);
        return 0;
    }

    /** output = f(input); output may be input itself, else must not overlap it. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkRun(op, input, output, this::outputShape, true);
        NativeCore.check(NativeCore.cnn4j_unary_math_forward(code, input.numel(), input.pointer(), output.pointer()),
                "cnn4j_unary_math_forward");
    }

    @Override
    public String toString() {
        return op + "()";
    }
}
