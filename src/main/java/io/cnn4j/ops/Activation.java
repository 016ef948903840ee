package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Element-wise activations with the formulas of ATen's CPU kernels, NaN propagation included: ReLU, ReLU6,
 * LeakyReLU(negative_slope), ELU(alpha), GELU(approximate='none' or 'tanh'), SiLU, Sigmoid, Tanh, Hardswish,
 * Hardsigmoid. Parameters are taken as PyTorch takes them (any value, converted to float).
 *
 * <p>One known difference: for GELU with approximate='none', PyTorch sends tensors of more than one element
 * through oneDNN, whose gelu_erf gives NaN at +inf; cnn4j gives +inf there, as ATen's own kernel does (and as
 * PyTorch does for a one-element tensor).
 *
 * <p>Lifecycle as {@link Convolution}: the output has the input's shape, workspaceSize is 0, and run may write
 * in place (output == input). Immutable and thread-safe.
 */
public final class Activation extends ScratchFreeOp {
    private final String op;
    private final int kind;
    private final float alpha;

    private Activation(String op, int kind, double alpha) {
        this.op = op;
        this.kind = kind;
        this.alpha = (float) alpha;
    }

    public static Activation relu() {
        return new Activation("relu", NativeCore.ACT_RELU, 0);
    }

    /** min(max(x, 0), 6), as {@code nn.ReLU6} (hardtanh(x, 0, 6)). */
    public static Activation relu6() {
        return new Activation("relu6", NativeCore.ACT_RELU6, 0);
    }

    /** x if x > 0 else x * negativeSlope; PyTorch's default slope is 0.01. */
    public static Activation leakyRelu(double negativeSlope) {
        return new Activation("leaky_relu", NativeCore.ACT_LEAKY_RELU, negativeSlope);
    }

    /** x if x > 0 else alpha * (exp(x) - 1); PyTorch's default alpha is 1.0. */
    public static Activation elu(double alpha) {
        return new Activation("elu", NativeCore.ACT_ELU, alpha);
    }

    /** @param approximate {@code "none"} (exact, with erf) or {@code "tanh"}, as {@code nn.GELU} */
    public static Activation gelu(String approximate) {
        if ("none".equals(approximate)) {
            return new Activation("gelu", NativeCore.ACT_GELU, 0);
        }
        if ("tanh".equals(approximate)) {
            return new Activation("gelu", NativeCore.ACT_GELU_TANH, 0);
        }
        throw new IllegalArgumentException("gelu: approximate must be 'none' or 'tanh', got approximate="
                + (approximate == null ? "null" : "'" + approximate + "'"));
    }

    public static Activation silu() {
        return new Activation("silu", NativeCore.ACT_SILU, 0);
    }

    public static Activation sigmoid() {
        return new Activation("sigmoid", NativeCore.ACT_SIGMOID, 0);
    }

    public static Activation tanh() {
        return new Activation("tanh", NativeCore.ACT_TANH, 0);
    }

    public static Activation hardswish() {
        return new Activation("hardswish", NativeCore.ACT_HARDSWISH, 0);
    }

    public static Activation hardsigmoid() {
        return new Activation("hardsigmoid", NativeCore.ACT_HARDSIGMOID, 0);
    }

    /** This activation as the output pass of a convolution or linear layer. */
    public Epilogue asEpilogue() {
        return new Epilogue(kind, alpha, toString());
    }

    /** PyTorch's functional name, e.g. {@code "leaky_relu"}. */
    public String name() {
        return op;
    }

    /** Same as the input shape. */
    public long[] outputShape(long[] inputShape) {
        Args.checkInputShape(op, inputShape);
        return inputShape.clone();
    }

    /** output = act(input); output may be input itself, else must not overlap it. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkRun(op, input, output, this::outputShape, true);
        NativeCore.check(NativeCore.cnn4j_activation_forward(kind, alpha, input.numel(), input.pointer(),
                output.pointer()), "cnn4j_activation_forward");
    }

    @Override
    public String toString() {
        return op + (kind == NativeCore.ACT_LEAKY_RELU ? "(negative_slope=" + alpha + ")"
                : kind == NativeCore.ACT_ELU ? "(alpha=" + alpha + ")"
                : kind == NativeCore.ACT_GELU_TANH ? "(approximate='tanh')" : "()");
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
