package io.cnn4j.onnx;

import io.cnn4j.Shapes;
import io.cnn4j.onnx.OnnxProto.Node;
import java.util.Arrays;

/**
 * Checks for files that parse but describe impossible graphs (sizes beyond what can be allocated, attribute lists
 * shorter than the op needs), and the node boundary that makes every refusal name the node it came from.
 */
final class NodeChecks {
    private NodeChecks() {}

    /**
     * Converts one node; a refusal that does not name the node yet gets its label in front, and size arithmetic
     * that overflowed a long ({@code Math.*Exact}) becomes a refusal naming the node.
     */
    static void inContext(Node n, Runnable conversion) {
        try {
            conversion.run();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            if (message != null && message.contains(n.label())) {
                throw e;
            }
            throw new IllegalArgumentException(n.label() + ": " + message, e);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(n.label() + ": the sizes its attributes and input shapes give "
                    + "overflow a 64-bit integer; the file's sizes are corrupt or far too large", e);
        }
    }

    /**
     * Fails unless one sample of a computed tensor of {@code shape} (dim 0 the batch, {@code -1} = known only at run
     * time) fits in {@link Shapes#MAX_ELEMENTS} elements.
     */
    static void checkSampleSize(String where, long[] shape) {
        long elements = 1;
        for (int d = 1; d < shape.length; d++) {
            if (shape[d] < -1) {
                throw new IllegalArgumentException(where + " has shape " + Arrays.toString(shape) + " with a "
                        + "negative size in dim " + d);
            }
            long size = Math.max(1, shape[d]);
            if (elements > Shapes.MAX_ELEMENTS / size) {
                throw new IllegalArgumentException(where + " has shape " + Arrays.toString(shape) + ", more than "
                        + Shapes.MAX_ELEMENTS + " (2^45) elements per sample, the most cnn4j can allocate for one "
                        + "tensor; the file's sizes are corrupt or far too large");
            }
            elements *= size;
        }
    }

    /**
     * Fails unless the list attribute or input {@code what} has one value per entry of {@code per}: ONNX pairs them
     * index by index (Slice's axes and steps with its starts).
     */
    static void sameLength(String where, String what, long[] values, String per, long[] reference) {
        if (values != null && values.length != reference.length) {
            throw new IllegalArgumentException(where + ": " + what + " " + Arrays.toString(values) + " has "
                    + values.length + " values, but " + per + " " + Arrays.toString(reference) + " has "
                    + reference.length + "; give one per entry of " + per);
        }
    }

    /**
     * The list attribute {@code name} of window sizes (strides, dilations, pads, output_padding) with {@code count}
     * entries ({@code fill} repeated when absent), each in [{@code min}, 2^31 - 1]: PyTorch's arguments are ints, and
     * bounded sizes keep the window arithmetic within a long.
     */
    static long[] windowSizes(Attributes a, String name, int count, long fill, long min) {
        long[] values = a.ints(name, count, fill);
        if (!inIntRange(values, min)) {
            throw a.error(name, "must be in " + min + ".." + Integer.MAX_VALUE + ", got " + name + "="
                    + Arrays.toString(values));
        }
        return values;
    }

    /** Pad's pads (an attribute or an input): crops or pads of at most 2^31 - 1, as PyTorch's int arguments. */
    static void checkPads(String where, long[] pads) {
        if (!inIntRange(pads, -Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(where + ": pads must be in " + -Integer.MAX_VALUE + ".."
                    + Integer.MAX_VALUE + ", got pads=" + Arrays.toString(pads));
        }
    }

    private static boolean inIntRange(long[] values, long min) {
        return Arrays.stream(values).allMatch(v -> v >= min && v <= Integer.MAX_VALUE);
    }

    /** An int attribute that must fit in 32 bits (an enum such as Cast's {@code to}). */
    static int int32(Attributes a, String name, long value) {
        if (value != (int) value) {
            throw a.error(name, "must be a 32-bit value, got " + name + "=" + value);
        }
        return (int) value;
    }
}
