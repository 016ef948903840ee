package io.cnn4j;

import java.util.Arrays;

/**
 * Shape arithmetic shared by tensors and ops: element counts, flat indices, views.
 *
 * <p>Every size product is checked: a shape whose element count exceeds {@link #MAX_ELEMENTS} (or overflows a
 * long) is an {@link IllegalArgumentException} naming the shape, never an {@link ArithmeticException} or a native
 * allocation that cannot be made.
 */
public final class Shapes {
    private Shapes() {}

    /**
     * The most elements one tensor, workspace or arena may have: 2^45 floats are 128 TiB, the most a 48-bit
     * virtual address space could ever map. Larger sizes can only come from a malformed model or argument, and
     * asking the native allocator for them would abort the process instead of failing.
     */
    public static final long MAX_ELEMENTS = 1L << 45;

    /** Validates a tensor shape (every size >= 1) and returns its element count. */
    public static long checkShape(String name, long[] shape) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException(name + " must have at least one dimension, got "
                    + Arrays.toString(shape));
        }
        for (long s : shape) {
            if (s < 1) {
                throw new IllegalArgumentException(name + " sizes must be >= 1, got " + name + "="
                        + Arrays.toString(shape));
            }
        }
        return checkedProduct(name, shape, 0, shape.length);
    }

    /**
     * Product of the sizes in [from, to) of a shape whose sizes are >= 0; a product above {@link #MAX_ELEMENTS}
     * is an IllegalArgumentException.
     */
    public static long product(long[] shape, int from, int to) {
        return checkedProduct("shape", shape, from, to);
    }

    private static long checkedProduct(String name, long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(name + " " + Arrays.toString(shape) + " has a negative size");
            }
            if (shape[i] != 0 && p > MAX_ELEMENTS / shape[i]) {
                throw tooLarge(name, shape);
            }
            p *= shape[i];
        }
        return p;
    }

    /**
     * {@code count} elements, checked against {@link #MAX_ELEMENTS}: for sizes that are sums and products of
     * shapes (workspaces, arenas), computed with Math.*Exact by the caller.
     */
    public static long checkElements(String what, long count) {
        if (count < 0 || count > MAX_ELEMENTS) {
            throw new IllegalArgumentException(what + " would need " + (count < 0 ? "more than 2^63" : count)
                    + " elements, more than the " + MAX_ELEMENTS + " (2^45) cnn4j can allocate");
        }
        return count;
    }

    private static IllegalArgumentException tooLarge(String name, long[] shape) {
        return new IllegalArgumentException(name + " " + Arrays.toString(shape) + " has more than " + MAX_ELEMENTS
                + " (2^45) elements, the most cnn4j can allocate for one tensor; check the sizes that made it");
    }

    public static long numel(long[] shape) {
        return product(shape, 0, shape.length);
    }

    /** The element count of {@code shape}; above {@link #MAX_ELEMENTS}, an error that starts with {@code what}. */
    public static long numel(String what, long[] shape) {
        return checkedProduct(what, shape, 0, shape.length);
    }

    static long flatIndex(long[] shape, long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " dims, tensor has " + shape.length);
        }
        long flat = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape "
                        + Arrays.toString(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /** Resolves a view shape with at most one -1 against the element count of {@code shape}. */
    static long[] resolveView(long[] shape, long[] view) {
        long numel = numel(shape);
        long[] out = view.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1 && infer < 0) {
                infer = i;
            } else if (out[i] < 1) {
                throw new IllegalArgumentException("view shape " + Arrays.toString(view) + " is invalid: sizes must be "
                        + ">= 1, with at most one -1");
            } else {
                if (known > MAX_ELEMENTS / out[i]) {
                    throw tooLarge("view shape", view);
                }
                known *= out[i];
            }
        }
        if (infer >= 0 && known > 0 && numel % known == 0) {
            out[infer] = numel / known;
        }
        if (numel(out) != numel || (infer >= 0 && out[infer] < 1)) {
            throw new IllegalArgumentException("view shape " + Arrays.toString(view) + " does not match "
                    + Arrays.toString(shape) + " (" + numel + " elements)");
        }
        return out;
    }
}
