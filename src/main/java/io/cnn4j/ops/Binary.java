package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;

/**
 * Element-wise arithmetic of two tensors with NumPy/PyTorch broadcasting, as torch.add, sub, mul, div (true
 * division), maximum, minimum (both NaN-propagating) and pow (with ATen's special exponents 2, 3, 0.5, -0.5, -1,
 * -2), and the comparisons torch.gt, ge, lt, le, eq, whose torch.bool result is a float32 tensor of 1 (true) and 0
 * (false) here (cnn4j computes float32; torch.where reads it as its condition). A Python scalar operand is a
 * one-element tensor of shape [1], as float32: PyTorch computes a float32 tensor op a Python number in float32.
 *
 * <p>{@link #outputShape} then {@link #run}, or {@link #prepare} for fixed shapes (what a model plan holds). The
 * output may be an operand's own memory when that operand has the output's shape (in place); it must not overlap an
 * operand otherwise. Immutable and thread-safe.
 */
public final class Binary {
    /** The operations, with PyTorch's function names. */
    public enum Kind {
        ADD("add", NativeCore.BINARY_ADD),
        SUB("sub", NativeCore.BINARY_SUB),
        MUL("mul", NativeCore.BINARY_MUL),
        DIV("div", NativeCore.BINARY_DIV),
        MAXIMUM("maximum", NativeCore.BINARY_MAXIMUM),
        MINIMUM("minimum", NativeCore.BINARY_MINIMUM),
        POW("pow", NativeCore.BINARY_POW),
        GT("gt", NativeCore.BINARY_GT),
        GE("ge", NativeCore.BINARY_GE),
        LT("lt", NativeCore.BINARY_LT),
        LE("le", NativeCore.BINARY_LE),
        EQ("eq", NativeCore.BINARY_EQ),
        /** torch.fmod: the remainder with the sign of the dividend, as C's fmod. */
        FMOD("fmod", NativeCore.BINARY_FMOD),
        /** torch.remainder: the remainder with the sign of the divisor, as Python's %. */
        REMAINDER("remainder", NativeCore.BINARY_REMAINDER);

        final String op;
        final int code;

        Kind(String op, int code) {
            this.op = op;
            this.code = code;
        }

        /** PyTorch's function name, e.g. {@code "mul"}. */
        public String op() {
            return op;
        }
    }

    private final Kind kind;

    private Binary(Kind kind) {
        this.kind = kind;
    }

    public static Binary create(Kind kind) {
        if (kind == null) {
            throw new IllegalArgumentException("binary op: kind must not be null");
        }
        return new Binary(kind);
    }

    public Kind kind() {
        return kind;
    }

    /** The broadcast shape of the operands, after checking both. */
    public long[] outputShape(long[] input, long[] other) {
        Args.checkInputShape(kind.op, input);
        Args.checkInputShape(kind.op, other);
        return Broadcast.shape(kind.op, input, other);
    }

    /** output = input op other, broadcasting both to {@link #outputShape}. */
    public void run(Tensor input, Tensor other, Tensor output) {
        Args.checkOpen(kind.op, "input", input);
        Args.checkOpen(kind.op, "other", other);
        prepare(input.shape(), other.shape()).run(input, other, output);
    }

    /** This op for fixed operand shapes: the broadcast walk planned once, runs that check only the shapes. */
    public Prepared prepare(long[] inputShape, long[] otherShape) {
        long[] out = outputShape(inputShape, otherShape);
        Broadcast walk = Broadcast.plan(inputShape, otherShape, out);
        long[] input = inputShape.clone();
        long[] other = otherShape.clone();
        boolean inputInPlace = java.util.Arrays.equals(input, out);
        boolean otherInPlace = java.util.Arrays.equals(other, out);
        return (a, b, output) -> {
            if (a == null || b == null || output == null || a.isClosed() || b.isClosed() || output.isClosed()
                    || !a.hasShape(input) || !b.hasShape(other) || !output.hasShape(out)) {
                Args.checkShape(kind.op, "input", a, input); // throws the precise message
                Args.checkShape(kind.op, "other", b, other);
                Args.checkShape(kind.op, "output", output, out);
            }
            Args.checkNoOverlap(kind.op, output, "input", a, inputInPlace);
            Args.checkNoOverlap(kind.op, output, "other", b, otherInPlace);
            NativeCore.check(NativeCore.cnn4j_binary_forward(kind.code, walk.shape.length, walk.shape, a.pointer(),
                    walk.aStrides, b.pointer(), walk.bStrides, output.pointer()), "cnn4j_binary_forward");
        };
    }

    /** A binary op prepared for fixed operand shapes. */
    @FunctionalInterface
    public interface Prepared {
        void run(Tensor input, Tensor other, Tensor output);
    }

    @Override
    public String toString() {
        return kind.op;
    }
}
