package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * PyTorch's {@code F.max_unpool1d/2d/3d(input, indices, kernel_size, stride, padding, output_size)} where the indices
 * are those a {@link MaxPool} returned for its input: instead of an index tensor it takes that pooling and its input
 * (the tensor the model pooled), recomputes the argmax with the same kernel (so the indices are exactly
 * {@code MaxPool*(return_indices=True)}'s), and scatters each value to its index in a zeroed output plane. The
 * output's spatial size is {@code (in - 1) * stride - 2 * padding + kernel_size}, or {@code output_size} within
 * {@code [that, that + stride)}, as PyTorch checks it. The pool's input planes must not be larger than the output's
 * (an index could fall outside; PyTorch raises then). Immutable and thread-safe.
 */
public final class MaxUnpool {
    private final String op;
    private final int dims;
    private final long[] kernel;
    private final long[] stride;
    private final long[] padding;
    private final long[] outputSize;
    private final MaxPool pool;

    private MaxUnpool(String op, int dims, long[] kernel, long[] stride, long[] padding, long[] outputSize,
            MaxPool pool) {
        this.op = op;
        this.dims = dims;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.outputSize = outputSize;
        this.pool = pool;
    }

    /**
     * @param stride null for kernel_size; @param outputSize null, or the output's spatial sizes (or all its sizes)
     * @param pool the max pooling whose indices this unpooling uses
     */
    public static MaxUnpool create(int dims, int[] kernelSize, int[] stride, int[] padding, long[] outputSize,
            MaxPool pool) {
        String op = "max_unpool" + dims + "d";
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("max_unpool: dims must be 1, 2 or 3, got " + dims);
        }
        if (pool == null || pool.dims() != dims) {
            throw new IllegalArgumentException(op + ": needs the max_pool" + dims + "d whose indices it uses");
        }
        long[] k = Args.expand(op, "kernel_size", kernelSize, dims);
        long[] s = stride == null ? k : Args.expand(op, "stride", stride, dims);
        long[] p = Args.expand(op, "padding", padding == null ? new int[] {0} : padding, dims);
        Args.checkPositive(op, "kernel_size", k);
        Args.checkPositive(op, "stride", s);
        Args.checkNonNegative(op, "padding", p);
        if (outputSize != null && outputSize.length != dims && outputSize.length != dims + 2) {
            throw new IllegalArgumentException(op + ": output_size must have " + dims + " or " + (dims + 2)
                    + " elements, got " + Arrays.toString(outputSize));
        }
        return new MaxUnpool(op, dims, k, s, p, outputSize == null ? null : outputSize.clone(), pool);
    }

    /** The output shape for the pooled values and the pool's input (both [N, C, spatial...] or [C, spatial...]). */
    public long[] outputShape(long[] values, long[] poolInput) {
        Args.checkInputShape(op, values);
        Args.checkInputShape(op, poolInput);
        long[] pooled = pool.outputShape(poolInput);
        if (!Arrays.equals(pooled, values)) {
            throw new IllegalArgumentException(op + ": input of shape " + Args.shape(values) + " is not the shape "
                    + Args.shape(pooled) + " the max pooling of the indices' source " + Args.shape(poolInput)
                    + " gives");
        }
        int s = values.length - dims;
        long[] out = values.clone();
        for (int d = 0; d < dims; d++) {
            long natural = (values[s + d] - 1) * stride[d] - 2 * padding[d] + kernel[d];
            long size = natural;
            if (outputSize != null) {
                size = outputSize[outputSize.length - dims + d];
                if (size < natural || size >= natural + stride[d]) {
                    throw new IllegalArgumentException(op + ": invalid output_size " + Arrays.toString(outputSize)
                            + " (dim " + d + " must be between " + natural + " and " + (natural + stride[d] - 1)
                            + ")");
                }
            }
            if (size < 1) {
                throw new IllegalArgumentException(op + ": output size " + size + " in spatial dim " + d
                        + " is not positive (input " + Args.shape(values) + ", kernel_size "
                        + Arrays.toString(kernel) + ", stride " + Arrays.toString(stride) + ", padding "
                        + Arrays.toString(padding) + ")");
            }
            out[s + d] = size;
        }
        long inPlane = io.cnn4j.Shapes.product(poolInput, s, poolInput.length);
        long outPlane = io.cnn4j.Shapes.product(out, s, out.length);
        if (inPlane > outPlane) {
            throw new IllegalArgumentException(op + ": the pooled tensor's planes " + Args.shape(Arrays.copyOfRange(
                    poolInput, s, poolInput.length)) + " are larger than the output's " + Args.shape(
                    Arrays.copyOfRange(out, s, out.length)) + ", so an index could fall outside; give output_size "
                    + "the pooled tensor's size");
        }
        return out;
    }

    /** Floats of scratch a run needs: the recomputed pooling and its int64 indices. */
    public long workspaceSize(long[] values, long[] poolInput) {
        outputShape(values, poolInput);
        return 3 * io.cnn4j.Shapes.numel(values) + 2;
    }

    /** output = max_unpool(values, indices of pool(poolInput)). */
    public void run(Tensor values, Tensor poolInput, Tensor output, FloatPointer workspace) {
        Args.checkOpen(op, "input", values);
        Args.checkOpen(op, "pool input", poolInput);
        prepare(values.shape(), poolInput.shape()).run(values, poolInput, output, workspace);
    }

    /** This unpooling for fixed shapes. */
    public Prepared prepare(long[] valuesShape, long[] poolInputShape) {
        long[] out = outputShape(valuesShape, poolInputShape);
        long[] window = pool.window(poolInputShape);
        long planes = PoolGeometry.planes(valuesShape, dims);
        long outPlane = io.cnn4j.Shapes.product(out, out.length - dims, out.length);
        long scratch = workspaceSize(valuesShape, poolInputShape);
        long[] values = valuesShape.clone();
        long[] source = poolInputShape.clone();
        return (v, x, y, workspace) -> {
            Args.checkShape(op, "input", v, values);
            Args.checkShape(op, "pool input", x, source);
            Args.checkShape(op, "output", y, out);
            Workspaces.checkSize(op, workspace, scratch);
            Args.checkNoOverlap(op, y, "input", v, false);
            Args.checkNoOverlap(op, y, "pool input", x, false);
            int status = NativeCore.cnn4j_max_unpool_forward(window, planes, x.pointer(), v.pointer(), outPlane,
                    y.pointer(), workspace);
            if (status == 1) {
                throw new IllegalArgumentException(op + ": found an invalid max index (a pooling window with no "
                        + "input element), as PyTorch reports it");
            }
            NativeCore.check(status, "cnn4j_max_unpool_forward");
        };
    }

    /** An unpooling prepared for fixed shapes. */
    @FunctionalInterface
    public interface Prepared {
        void run(Tensor values, Tensor poolInput, Tensor output, FloatPointer workspace);
    }
}
