package io.cnn4j.ops;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Concatenation along one dim with {@code torch.cat}'s rules: one or more inputs of the same rank whose sizes agree
 * in every dim but the concatenated one; the dim may be negative, counted from the end. {@link #create()} uses
 * dim 1, the channel dim that CNNs concatenate along (torch.cat's own default is 0).
 *
 * <p>Lifecycle as {@link Convolution}; workspaceSize is 0 and the output must not overlap any input. Immutable and
 * thread-safe.
 */
public final class Concat {
    private static final String OP = "cat";
    private final int dim;

    private Concat(int dim) {
        this.dim = dim;
    }

    /** Concatenation along the channel dim, 1. */
    public static Concat create() {
        return new Concat(1);
    }

    public static Concat create(int dim) {
        return new Concat(dim);
    }

    public int dim() {
        return dim;
    }

    /** The inputs' common shape with the sizes at dim summed. */
    public long[] outputShape(long[]... inputShapes) {
        if (inputShapes == null || inputShapes.length == 0) {
            throw new IllegalArgumentException(OP + ": expected a non-empty list of inputs, got "
                    + (inputShapes == null ? "null" : "0 inputs"));
        }
        long[] first = inputShapes[0];
        Args.checkInputShape(OP, first);
        int d = Args.wrapDim(OP, "dim", dim, first.length);
        long[] out = first.clone();
        for (int i = 1; i < inputShapes.length; i++) {
            long[] s = inputShapes[i];
            Args.checkInputShape(OP, s);
            if (s.length != first.length) {
                throw new IllegalArgumentException(OP + ": all inputs must have the same number of dims, got inputs[0] "
                        + "of shape " + Args.shape(first) + " and inputs[" + i + "] of shape " + Args.shape(s));
            }
            for (int k = 0; k < s.length; k++) {
                if (k != d && s[k] != first[k]) {
                    throw new IllegalArgumentException(OP + ": sizes of inputs must match except in dim " + d + ", got "
                            + "inputs[0] of shape " + Args.shape(first) + " and inputs[" + i + "] of shape "
                            + Args.shape(s));
                }
            }
            if (s[d] > Long.MAX_VALUE - out[d]) {
                throw new IllegalArgumentException(OP + ": the output size at dim " + d + " overflows a long, got "
                        + "inputs[" + i + "] of shape " + Args.shape(s));
            }
            out[d] += s[d];
        }
        Shapes.numel(OP + ": output of shape", out);
        return out;
    }

    /** Always 0. */
    public long workspaceSize(long[]... inputShapes) {
        outputShape(inputShapes);
        return 0;
    }

    /** output = cat(inputs, dim). */
    public void run(Tensor[] inputs, Tensor output, FloatPointer workspace) {
        long[][] shapes = Args.shapesOf(OP, inputs);
        long[] outShape = outputShape(shapes);
        Args.checkShape(OP, "output", output, outShape);
        for (int i = 0; i < inputs.length; i++) {
            Args.checkNoOverlap(OP, output, "inputs[" + i + "]", inputs[i], false);
        }
        int d = Args.wrapDim(OP, "dim", dim, outShape.length);
        // Each input is a block of [outer, size_i * after] placed side by side in an output of [outer, out_d * after].
        long outer = Shapes.product(outShape, 0, d);
        long after = Shapes.product(outShape, d + 1, outShape.length);
        long outputInner = outShape[d] * after;
        long offset = 0;
        for (int i = 0; i < inputs.length; i++) {
            long inner = shapes[i][d] * after;
            NativeCore.check(NativeCore.cnn4j_copy_into(outer, inner, inputs[i].pointer(), outputInner, offset,
                    output.pointer()), "cnn4j_copy_into");
            offset += inner;
        }
    }
}
