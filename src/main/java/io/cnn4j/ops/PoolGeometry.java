package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;

/**
 * Geometry and argument checks shared by the pooling ops, with the rules of ATen's Pool.h:
 * {@code pooling_output_shape} ({@link WindowSizes#outputSize}) and {@code pool2d_shape_check}/{@code
 * pool3d_shape_check} (padding at most half the kernel, output size at least 1, and for avg_pool3d an input at least
 * as large as the kernel).
 */
final class PoolGeometry {
    final String op;
    final int dims;
    final long[] kernel;
    final long[] stride;
    final long[] padding;
    final long[] dilation;
    final boolean ceilMode;
    private final boolean inputAtLeastKernel;

    private PoolGeometry(String op, int dims, long[] kernel, long[] stride, long[] padding, long[] dilation,
            boolean ceilMode, boolean inputAtLeastKernel) {
        this.op = op;
        this.dims = dims;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
        this.inputAtLeastKernel = inputAtLeastKernel;
    }

    /** The op's name, e.g. "max_pool2d", after checking that dims is 1, 2 or 3. */
    static String opName(String family, int dims) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException(family + ": spatial dims must be 1, 2 or 3, got dims=" + dims);
        }
        return family + dims + "d";
    }

    /**
     * Sliding-window geometry from options; padding and dilation default to 0 and 1 when unset.
     * {@code inputAtLeastKernel}: avg_pool3d's extra rule that no spatial size may be smaller than the kernel.
     */
    static PoolGeometry create(String op, int dims, PoolOptions options, boolean inputAtLeastKernel) {
        if (options == null) {
            throw new IllegalArgumentException(op + ": options must not be null (kernel_size is required)");
        }
        long[] kernel = Args.expand(op, "kernel_size", options.kernelSize, dims);
        Args.checkPositive(op, "kernel_size", kernel);
        long[] stride = options.stride == null ? kernel.clone() : Args.expand(op, "stride", options.stride, dims);
        Args.checkPositive(op, "stride", stride);
        long[] padding = options.padding == null ? new long[dims] : Args.expand(op, "padding", options.padding, dims);
        Args.checkNonNegative(op, "padding", padding);
        for (int i = 0; i < dims; i++) {
            if (padding[i] > kernel[i] / 2) {
                throw new IllegalArgumentException(op + ": padding must be at most half the kernel size, got padding="
                        + Arrays.toString(padding) + " for kernel_size=" + Arrays.toString(kernel));
            }
        }
        long[] dilation = options.dilation == null ? ones(dims) : Args.expand(op, "dilation", options.dilation, dims);
        Args.checkPositive(op, "dilation", dilation);
        return new PoolGeometry(op, dims, kernel, stride, padding, dilation, options.ceilMode, inputAtLeastKernel);
    }

    /** PyTorch has no such argument for this op: refuse it rather than ignore it. */
    static void refuse(String op, String name, Object value, String whose) {
        if (value != null) {
            String shown = value instanceof int[] a ? Arrays.toString(a) : String.valueOf(value);
            throw new IllegalArgumentException(op + ": takes no " + name + " (" + whose + " only), got " + name + "="
                    + shown);
        }
    }

    /**
     * Checks an input shape [N, C, spatial...] or unbatched [C, spatial...]; returns where the spatial dims start.
     */
    static int spatialStart(String op, int dims, long[] inputShape) {
        if (inputShape == null || (inputShape.length != dims + 1 && inputShape.length != dims + 2)) {
            throw new IllegalArgumentException(op + ": expected " + (dims + 1) + "-d (unbatched) or " + (dims + 2)
                    + "-d (batched) input, got input of shape " + Arrays.toString(inputShape));
        }
        for (long s : inputShape) {
            if (s < 1) {
                throw new IllegalArgumentException(op + ": input sizes must be >= 1, got input of shape "
                        + Arrays.toString(inputShape));
            }
        }
        return inputShape.length - dims;
    }

    /** (N*C): the planes pooled independently. */
    static long planes(long[] inputShape, int dims) {
        return io.cnn4j.Shapes.product(inputShape, 0, inputShape.length - dims);
    }

    /** The input's leading dims followed by the given spatial sizes. */
    static long[] withSpatial(long[] inputShape, long[] spatial) {
        long[] out = Arrays.copyOf(inputShape, inputShape.length);
        System.arraycopy(spatial, 0, out, inputShape.length - spatial.length, spatial.length);
        return out;
    }

    /** Output shape for an input shape, after every check PyTorch makes on it. */
    long[] outputShape(long[] inputShape) {
        return withSpatial(inputShape, outputSpatial(inputShape));
    }

    long[] outputSpatial(long[] inputShape) {
        int s = spatialStart(op, dims, inputShape);
        long[] in = Arrays.copyOfRange(inputShape, s, s + dims);
        if (inputAtLeastKernel) {
            for (int i = 0; i < dims; i++) {
                if (in[i] < kernel[i]) {
                    throw new IllegalArgumentException(op + ": input of shape " + Arrays.toString(inputShape)
                            + " is smaller than kernel_size=" + Arrays.toString(kernel) + " (" + op + " needs each "
                            + "spatial size >= the kernel size, padding not counted)");
                }
            }
        }
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = WindowSizes.outputSize(in[i], kernel[i], padding[i], stride[i], dilation[i], ceilMode);
        }
        for (long o : out) {
            if (o < 1) {
                throw new IllegalArgumentException(op + ": output size " + Arrays.toString(out) + " is too small for "
                        + "input of shape " + Arrays.toString(inputShape) + " (kernel_size=" + Arrays.toString(kernel)
                        + ", stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                        + ", dilation=" + Arrays.toString(dilation) + ", ceil_mode=" + ceilMode
                        + "); every size must be >= 1");
            }
        }
        return out;
    }

    /** Checks run's input, output and (nullable) indices; returns the input shape. */
    long[] checkRun(io.cnn4j.Tensor input, io.cnn4j.Tensor output, io.cnn4j.IndexTensor indices) {
        return checkRun(op, input, output, indices, this::outputShape);
    }

    static long[] checkRun(String op, io.cnn4j.Tensor input, io.cnn4j.Tensor output, io.cnn4j.IndexTensor indices,
            java.util.function.UnaryOperator<long[]> outputShape) {
        Args.checkOpen(op, "input", input);
        long[] inShape = input.shape();
        long[] outShape = outputShape.apply(inShape);
        Args.checkShape(op, "output", output, outShape);
        if (indices != null) {
            Args.checkShape(op, "indices", indices, outShape);
        }
        return inShape;
    }

    /** One pooling's native call over an input's window and (n, c) planes; returns the core's status. */
    @FunctionalInterface
    interface NativeCall {
        int run(long[] window, long planes, Tensor input, Tensor output);
    }

    /**
     * A pooling prepared for one input shape: the output shape, window and planes worked out once; a run only checks
     * that the tensors have the planned shapes and makes the native call ({@code function} names it in errors).
     */
    UnaryOp.Prepared prepare(long[] inputShape, String function, NativeCall call) {
        long[] outShape = outputShape(inputShape);
        long[] window = window(inputShape);
        long planes = planes(inputShape, dims);
        return (input, output, workspace) -> {
            Args.checkPrepared(op, input, inputShape, output, outShape, null, workspace, 0);
            NativeCore.check(call.run(window, planes, input, output), function);
        };
    }

    /** The native window for an input shape. */
    long[] window(long[] inputShape) {
        int s = spatialStart(op, dims, inputShape);
        return Window.of(Arrays.copyOfRange(inputShape, s, s + dims), outputSpatial(inputShape), kernel, stride,
                padding, dilation);
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        Arrays.fill(a, 1);
        return a;
    }
}
