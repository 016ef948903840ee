package io.cnn4j.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor of a weights file, converted to float32 and laid out dense and row-major (C order), whatever its
 * dtype and strides were in the file.
 *
 * <p>{@code data} is not copied (weights can be large): treat it as read-only. {@code shape} is copied in and out.
 * A scalar has shape {@code []} and one value.
 */
public record WeightTensor(String name, long[] shape, float[] data) {
    public WeightTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long numel = numel(shape);
        if (numel < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': shape must be non-negative and its product "
                    + "must fit a long, got shape=" + Arrays.toString(shape));
        }
        if (numel != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs "
                    + numel + " values, got " + data.length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements, {@code data().length}. */
    public int numel() {
        return data.length;
    }

    /** The number of dimensions. */
    public int dim() {
        return shape.length;
    }

    /** Size of dimension {@code i}. */
    public long size(int i) {
        return shape[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "WeightTensor[" + name + ", shape=" + Arrays.toString(shape) + "]";
    }

    /** The product of {@code shape}, or -1 when a dimension is negative or the product overflows a long. */
    static long numel(long[] shape) {
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            numel = Math.multiplyHigh(numel, d) == 0 ? numel * d : -1;
            if (numel < 0) {
                return -1;
            }
        }
        return numel;
    }
}
