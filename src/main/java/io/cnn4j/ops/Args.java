package io.cnn4j.ops;

import io.cnn4j.IndexTensor;
import io.cnn4j.Tensor;
import java.util.Arrays;

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
        if (t.isClosed()) {
            throw new IllegalArgumentException(op + ": " + name + " is closed");
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
        if (t.isClosed()) {
            throw new IllegalArgumentException(op + ": " + name + " is closed");
        }
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must have shape " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(t.shape()));
        }
    }
}
