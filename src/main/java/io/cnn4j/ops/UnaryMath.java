package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Element-wise functions with ATen's formulas: the math functions torch.neg, abs, sqrt, exp and log (IEEE semantics:
 * sqrt and log of a negative number are NaN, log(0) is -inf), floor, ceil, round (half to even), sign (0 for 0 and
 * NaN, as torch.sign) and erf, and the activations softplus(beta, threshold), mish,
 * selu, celu(alpha), softsign, logsigmoid and hardtanh(min_val, max_val) (NaN passes through, as torch.clamp).
 * Lifecycle as {@link Activation}: the output has the input's shape, workspaceSize is 0, run may write in place.
 * Immutable and thread-safe.
 */
public final class UnaryMath extends ScratchFreeOp {
    private final String op;
    private final int code;
    private final float p0;
    private final float p1;

    private UnaryMath(String op, int code) {
        this(op, code, 0, 0);
    }

    private UnaryMath(String op, int code, float p0, float p1) {
        this.op = op;
        this.code = code;
        this.p0 = p0;
        this.p1 = p1;
    }

    /** log(1 + exp(beta * x)) / beta, x itself where beta * x > threshold (PyTorch's defaults: 1, 20). */
    public static UnaryMath softplus(double beta, double threshold) {
        return new UnaryMath("softplus", NativeCore.UNARY_SOFTPLUS, (float) beta, (float) threshold);
    }

    public static UnaryMath mish() {
        return new UnaryMath("mish", NativeCore.UNARY_MISH);
    }

    public static UnaryMath selu() {
        return new UnaryMath("selu", NativeCore.UNARY_SELU);
    }

    /** max(0, x) + min(0, alpha * (exp(x / alpha) - 1)); alpha must not be 0, as PyTorch refuses it. */
    public static UnaryMath celu(double alpha) {
        if (alpha == 0) {
            throw new IllegalArgumentException("celu: alpha must not be 0 (it divides by alpha), got alpha=0");
        }
        return new UnaryMath("celu", NativeCore.UNARY_CELU, (float) alpha, 0);
    }

    public static UnaryMath softsign() {
        return new UnaryMath("softsign", NativeCore.UNARY_SOFTSIGN);
    }

    public static UnaryMath logSigmoid() {
        return new UnaryMath("logsigmoid", NativeCore.UNARY_LOGSIGMOID);
    }

    /** x clamped to [min_val, max_val] (PyTorch's defaults: -1, 1); min_val must not exceed max_val. */
    public static UnaryMath hardtanh(double minVal, double maxVal) {
        if (!(minVal <= maxVal)) {
            throw new IllegalArgumentException("hardtanh: max_val must be greater than or equal to min_val, got "
                    + "min_val=" + minVal + ", max_val=" + maxVal);
        }
        return new UnaryMath("hardtanh", NativeCore.UNARY_HARDTANH, (float) minVal, (float) maxVal);
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

    public static UnaryMath floor() {
        return new UnaryMath("floor", NativeCore.UNARY_FLOOR);
    }

    public static UnaryMath ceil() {
        return new UnaryMath("ceil", NativeCore.UNARY_CEIL);
    }

    /** torch.round without decimals: to the nearest integer, halves to even (2.5 -> 2, 3.5 -> 4, -0.5 -> -0). */
    public static UnaryMath round() {
        return new UnaryMath("round", NativeCore.UNARY_ROUND);
    }

    /** torch.sign: -1, 0 or 1 (0 for -0 and for NaN, as torch computes it). */
    public static UnaryMath sign() {
        return new UnaryMath("sign", NativeCore.UNARY_SIGN);
    }

    public static UnaryMath erf() {
        return new UnaryMath("erf", NativeCore.UNARY_ERF);
    }

    /** Same as the input shape. */
    public long[] outputShape(long[] inputShape) {
        Args.checkInputShape(op, inputShape);
        return inputShape.clone();
    }

    /** output = f(input); output may be input itself, else must not overlap it. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkRun(op, input, output, this::outputShape, true);
        NativeCore.check(NativeCore.cnn4j_unary_math_forward(code, p0, p1, input.numel(), input.pointer(),
                output.pointer()), "cnn4j_unary_math_forward");
    }

    @Override
    public String toString() {
        return op + "()";
    }
}
