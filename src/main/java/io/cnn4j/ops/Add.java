package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Element-wise sum of two or more tensors of the same shape (the residual connections of CNNs), summed left to
 * right as PyTorch's {@code a + b + c} does, so results match it bit for bit. Broadcasting is not offered: shapes
 * must be equal.
 *
 * <p>Lifecycle as {@link Convolution}; workspaceSize is 0. The output may be the first or second input itself
 * (in place); it must not overlap any later input, which it would overwrite before reading.
 */
public final class Add {
    private static final String OP = "add";
    private static final Add INSTANCE = new Add();

    private Add() {}

    public static Add create() {
        return INSTANCE;
    }

    /** The common shape of the inputs. */
    public long[] outputShape(long[]... inputShapes) {
        if (inputShapes == null || inputShapes.length < 2) {
            throw new IllegalArgumentException(OP + ": needs at least 2 inputs, got "
                    + (inputShapes == null ? 0 : inputShapes.length));
        }
        for (int i = 0; i < inputShapes.length; i++) {
            Args.checkInputShape(OP, inputShapes[i]);
            if (!Arrays.equals(inputShapes[i], inputShapes[0])) {
                throw new IllegalArgumentException(OP + ": all inputs must have the same shape (no broadcasting), got "
                        + "inputs[0] of shape " + Args.shape(inputShapes[0]) + " and inputs[" + i + "] of shape "
                        + Args.shape(inputShapes[i]));
            }
        }
        return inputShapes[0].clone();
    }

    /** Always 0. */
    public long workspaceSize(long[]... inputShapes) {
        outputShape(inputShapes);
        return 0;
    }

    /** output = inputs[0] + inputs[1] + ... */
    public void run(Tensor[] inputs, Tensor output, FloatPointer workspace) {
        long[][] shapes = Args.shapesOf(OP, inputs);
        Args.checkShape(OP, "output", output, outputShape(shapes));
        for (int i = 0; i < inputs.length; i++) {
            Args.checkNoOverlap(OP, output, "inputs[" + i + "]", inputs[i], i < 2);
        }
        long count = output.numel();
        FloatPointer out = output.pointer();
        NativeCore.check(NativeCore.cnn4j_add_forward(count, inputs[0].pointer(), inputs[1].pointer(), out),
                "cnn4j_add_forward");
        for (int i = 2; i < inputs.length; i++) {
            NativeCore.check(NativeCore.cnn4j_add_forward(count, out, inputs[i].pointer(), out), "cnn4j_add_forward");
        }
    }
}
