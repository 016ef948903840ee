package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;

/**
 * torch.where(condition, input, other): input's element where condition is true, other's where it is false, the three
 * broadcast against each other by NumPy/PyTorch rules. cnn4j computes float32, so condition is the float32 form of a
 * torch.bool tensor that the comparisons of {@link Binary} produce (1 true, 0 false); any nonzero element counts as
 * true. A Python scalar operand is a one-element tensor of shape [1].
 *
 * <p>{@link #outputShape} then {@link #run}, or {@link #prepare} for fixed shapes. The output may be an operand's own
 * memory when that operand has the output's shape; it must not overlap an operand otherwise. Stateless, thread-safe.
 */
public final class Where {
    private static final String OP = "where";

    private Where() {}

    /** The broadcast shape of the three operands, after checking each. */
    public static long[] outputShape(long[] condition, long[] input, long[] other) {
        Args.checkInputShape(OP, condition);
        Args.checkInputShape(OP, input);
        Args.checkInputShape(OP, other);
        return Broadcast.shape(OP, Broadcast.shape(OP, condition, input), other);
    }

    /** output = where(condition, input, other). */
    public static void run(Tensor condition, Tensor input, Tensor other, Tensor output) {
        Args.checkOpen(OP, "condition", condition);
        Args.checkOpen(OP, "input", input);
        Args.checkOpen(OP, "other", other);
        prepare(condition.shape(), input.shape(), other.shape()).run(condition, input, other, output);
    }

    /** where for fixed operand shapes: the broadcast walk planned once. */
    public static Prepared prepare(long[] conditionShape, long[] inputShape, long[] otherShape) {
        long[] out = outputShape(conditionShape, inputShape, otherShape);
        long[][] shapes = {conditionShape.clone(), inputShape.clone(), otherShape.clone()};
        String[] names = {"condition", "input", "other"};
        Broadcast walk = Broadcast.planAll(out, shapes);
        return (c, x, y, output) -> {
            Tensor[] operands = {c, x, y};
            for (int i = 0; i < 3; i++) {
                Args.checkShape(OP, names[i], operands[i], shapes[i]);
            }
            Args.checkShape(OP, "output", output, out);
            for (int i = 0; i < 3; i++) {
                Args.checkNoOverlap(OP, output, names[i], operands[i], java.util.Arrays.equals(shapes[i], out));
            }
            NativeCore.check(NativeCore.cnn4j_where_forward(walk.shape.length, walk.shape, c.pointer(),
                    walk.strides[0], x.pointer(), walk.strides[1], y.pointer(), walk.strides[2], output.pointer()),
                    "cnn4j_where_forward");
        };
    }

    /** where prepared for fixed operand shapes. */
    @FunctionalInterface
    public interface Prepared {
        void run(Tensor condition, Tensor input, Tensor other, Tensor output);
    }
}
