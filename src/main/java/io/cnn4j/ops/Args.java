package io.cnn4j.ops;

import io.cnn4j.IndexTensor;
import io.cnn4j.Tensor;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Argument checks shared by the ops. Every message names the op, the argument and the value it got, in the form
 * {@code "conv2d: stride must be positive, got stride=[0, 1]"}, so a user can find the offending call.
 */
final class Args {
    private Args() {}

    /** An int-or-tuple argument as PyTorch takes it: one value for every dim, or one per dim. */
    static long[] expand(String op, String name, int[] values, int dims) {
        if (values == null || (values.length != 1 && values.length != dims)) {
            throw new IllegalArgumentException(op + ": " + name + " must be an int or a tuple of " + dims
                    + " ints, got " + name + "=" + Arrays.toString(values));
        }
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = values.length == 1 ? values[0] : values[i];
        }
        return out;
    }

    static void checkPositive(String op, String name, long[] values) {
        for (long v : values) {
            if (v <= 0) {
                throw new IllegalArgumentException(op + ": " + name + " must be positive, got " + name + "="
                        + Arrays.toString(values));
            }
        }
    }

    static void checkNonNegative(String op, String name, long[] values) {
        for (long v : values) {
            if (v < 0) {
                throw new IllegalArgumentException(op + ": " + name + " must be non-negative, got " + name + "="
                        + Arrays.toString(values));
            }
        }
    }

    static void checkOpen(String op, String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + name + " must not be null");
        }
        if (t.isClosed()) { // a closed tensor is a state error, as any other use of it (Tensor's contract)
            throw new IllegalStateException(op + ": " + name + " is closed");
        }
    }

    /** The output tensor a run writes to must have exactly the planned shape. */
    static void checkShape(String op, String name, Tensor t, long[] expected) {
        checkOpen(op, name, t);
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must have shape " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(t.shape()));
        }
    }

    /**
     * The run-time check of a prepared op: the tensors are open and have the planned shapes (residual may be null
     * if none was planned), and the workspace is large enough. No allocation.
     */
    static void checkPrepared(String op, Tensor input, long[] inputShape, Tensor output, long[] outputShape,
            Tensor residual, FloatPointer workspace, long workspaceFloats) {
        if (input == null || output == null || input.isClosed() || output.isClosed()
                || !input.hasShape(inputShape) || !output.hasShape(outputShape)
                || (residual != null && (residual.isClosed() || !residual.hasShape(outputShape)))) {
            checkShape(op, "input", input, inputShape); // throws the precise message
            checkShape(op, "output", output, outputShape);
            checkShape(op, "residual", residual, outputShape);
        }
        Workspaces.checkSize(op, workspace, workspaceFloats);
    }

    /** A residual added in an output pass: null, or the output's shape in memory that does not overlap it. */
    static void checkResidual(String op, Tensor residual, Tensor output) {
        if (residual == null) {
            return;
        }
        checkShape(op, "residual", residual, output.shape());
        long bytes = output.numel() * Float.BYTES;
        if (residual.address() < output.address() + bytes && output.address() < residual.address() + bytes) {
            throw new IllegalArgumentException(op + ": residual must not overlap the output");
        }
    }

    /** Every GEMM dimension handed to OpenBLAS must fit its int arguments. */
    static void checkFitsInt(String op, String what, long value) {
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + what + " = " + value + " exceeds what one BLAS call "
                    + "takes (2^31 - 1); split the input into smaller batches or tiles");
        }
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }

    // ---- pooling ----

    /** The indices a max pooling run writes to must be open and have exactly the output's shape. */
    static void checkShape(String op, String name, IndexTensor t, long[] expected) {
        if (t.isClosed()) { // a closed tensor is a state error, as any other use of it (Tensor's contract)
            throw new IllegalStateException(op + ": " + name + " is closed");
        }
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must have shape " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(t.shape()));
        }
    }
    // ---- dense and element-wise: dims, input shapes, aliasing ------------------------------------------------------

    /** A dim as PyTorch takes it (negative counts from the end), checked against a tensor of {@code rank} dims. */
    static int wrapDim(String op, String name, long dim, int rank) {
        if (dim < -rank || dim >= rank) {
            throw new IllegalArgumentException(op + ": " + name + " must be in range [" + (-rank) + ", " + (rank - 1)
                    + "] for a " + rank + "-d input, got " + name + "=" + dim);
        }
        return (int) (dim < 0 ? dim + rank : dim);
    }

    /**
     * The output of a run must not share memory with an input, except that ops computing element by element may
     * write over an input that starts at the same address ({@code inPlace}): a partial overlap would read values
     * the op has already overwritten.
     */
    static void checkNoOverlap(String op, Tensor output, String inputName, Tensor input, boolean inPlace) {
        long out = output.address();
        long in = input.address();
        if (inPlace && out == in) {
            return;
        }
        if (out < in + input.numel() * Float.BYTES && in < out + output.numel() * Float.BYTES) {
            throw new IllegalArgumentException(op + ": output must not overlap " + inputName
                    + (inPlace ? " (in place, it must be the same memory exactly)" : "") + ", got output "
                    + shape(output.shape()) + " at 0x" + Long.toHexString(out) + " and " + inputName + " "
                    + shape(input.shape()) + " at 0x" + Long.toHexString(in));
        }
    }

    /** An input shape handed to outputShape: at least one dim, every size >= 1, element count within the limit. */
    static void checkInputShape(String op, long[] shape) {
        try {
            io.cnn4j.Shapes.checkShape("input shape", shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }

    /** The shapes of a list of inputs, each checked open, named inputs[i] in messages. */
    static long[][] shapesOf(String op, Tensor[] inputs) {
        if (inputs == null) {
            throw new IllegalArgumentException(op + ": inputs must not be null");
        }
        long[][] shapes = new long[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            checkOpen(op, "inputs[" + i + "]", inputs[i]);
            shapes[i] = inputs[i].shape();
        }
        return shapes;
    }

    /**
     * The checks of every single-input run: input open, output of the shape {@code outputShape} plans for it, no
     * overlap but in place where allowed. Returns the input's shape.
     */
    static long[] checkRun(String op, Tensor input, Tensor output, java.util.function.UnaryOperator<long[]> outputShape,
            boolean inPlace) {
        checkOpen(op, "input", input);
        long[] shape = input.shape();
        checkShape(op, "output", output, outputShape.apply(shape));
        checkNoOverlap(op, output, "input", input, inPlace);
        return shape;
    }
}
