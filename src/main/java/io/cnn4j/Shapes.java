package io.cnn4j;

import java.util.Arrays;

/** Shape arithmetic shared by tensors and ops: element counts, flat indices, views. */
public final class Shapes {
    private Shapes() {}

    /** Validates a tensor shape (every size >= 1) and returns its element count. */
    public static long checkShape(String name, long[] shape) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException(name + " must have at least one dimension, got "
                    + Arrays.toString(shape));
        }
        long numel = 1;
        for (long s : shape) {
            if (s < 1) {
                throw new IllegalArgumentException(name + " sizes must be >= 1, got " + name + "="
                        + Arrays.toString(shape));
            }
            numel = Math.multiplyExact(numel, s);
        }
        return numel;
    }

    /** Product of the sizes in [from, to). */
    public static long product(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p = Math.multiplyExact(p, shape[i]);
        }
        return p;
    }

    public static long numel(long[] shape) {
        return product(shape, 0, shape.length);
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
                known = Math.multiplyExact(known, out[i]);
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
