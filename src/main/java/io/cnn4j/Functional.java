package io.cnn4j;

import io.cnn4j.ops.Activation;
import io.cnn4j.ops.AdaptiveAvgPool;
import io.cnn4j.ops.AdaptiveMaxPool;
import io.cnn4j.ops.Add;
import io.cnn4j.ops.AvgPool;
import io.cnn4j.ops.BatchNorm;
import io.cnn4j.ops.Concat;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.ConvTranspose;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Flatten;
import io.cnn4j.ops.Fold;
import io.cnn4j.ops.Linear;
import io.cnn4j.ops.LpPool;
import io.cnn4j.ops.MaxPool;
import io.cnn4j.ops.Pad;
import io.cnn4j.ops.PoolOptions;
import io.cnn4j.ops.Softmax;
import io.cnn4j.ops.Unfold;
import io.cnn4j.ops.UnaryOp;
import io.cnn4j.ops.Workspaces;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The functional API, named after {@code torch.nn.functional}: each call checks its arguments with PyTorch's rules,
 * allocates its output (the caller closes it) and any scratch it needs, and computes. For repeated runs on the same
 * shapes, use the op classes in {@code io.cnn4j.ops} (or a loaded model), which plan scratch once.
 *
 * <pre>{@code
 * try (Tensor x = Tensor.of(signal, 1, 1, 7); Tensor w = Tensor.of(filter, 1, 1, 3);
 *      Tensor y = Functional.conv1d(x, w, null, new ConvOptions().padding(1))) {
 *     float[] out = y.toFloatArray();
 * }
 * }</pre>
 */
public final class Functional {
    private Functional() {}

    // ---- convolution -------------------------------------------------------------------------------------------

    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return conv(1, input, weight, bias, options);
    }

    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return conv(2, input, weight, bias, options);
    }

    public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return conv(3, input, weight, bias, options);
    }

    private static Tensor conv(int dims, Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        try (Convolution conv = Convolution.create(dims, weight, bias,
                options == null ? new ConvOptions() : options)) {
            return runOp("conv" + dims + "d", conv, input);
        }
    }

    // ---- transposed convolution, unfold / fold ------------------------------------------------------------------

    /** {@code F.conv_transpose1d}; options may also carry the output_size of {@code nn.ConvTranspose1d.forward}. */
    public static Tensor convTranspose1d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return convTranspose(1, input, weight, bias, options);
    }

    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return convTranspose(2, input, weight, bias, options);
    }

    public static Tensor convTranspose3d(Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        return convTranspose(3, input, weight, bias, options);
    }

    private static Tensor convTranspose(int dims, Tensor input, Tensor weight, Tensor bias, ConvOptions options) {
        ConvTranspose op = ConvTranspose.create(dims, weight, bias, options == null ? new ConvOptions() : options);
        return runOp("conv_transpose" + dims + "d", op, input);
    }

    /**
     * {@code F.unfold}: [N, C, H, W] or [C, H, W] -> [N, C*kH*kW, L] or [C*kH*kW, L]. Each argument is one int or a
     * pair; PyTorch's defaults are dilation {1}, padding {0}, stride {1}.
     */
    public static Tensor unfold(Tensor input, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        Unfold op = Unfold.create(kernelSize, dilation, padding, stride);
        return runOp("unfold", op, input);
    }

    /** {@code F.fold}: [N, C*kH*kW, L] or [C*kH*kW, L] -> [N, C, H, W] or [C, H, W], (H, W) = outputSize. */
    public static Tensor fold(Tensor input, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding,
            int[] stride) {
        Fold op = Fold.create(outputSize, kernelSize, dilation, padding, stride);
        return runOp("fold", op, input);
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    private static long[] inputShape(String op, Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException(op + ": input must not be null");
        }
        return input.shape();
    }

    // ---- pooling ----------------------------------------------------------------------------------------------
    // Pooling and padding need no scratch; inputs are [N, C, spatial...] or unbatched [C, spatial...].

    public static Tensor maxPool1d(Tensor input, PoolOptions options) {
        return maxPool(1, input, options);
    }

    public static Tensor maxPool2d(Tensor input, PoolOptions options) {
        return maxPool(2, input, options);
    }

    public static Tensor maxPool3d(Tensor input, PoolOptions options) {
        return maxPool(3, input, options);
    }

    /** {@code F.max_pool1d_with_indices}: the values and the flat in-plane index of each maximum. */
    public static TensorWithIndices maxPool1dWithIndices(Tensor input, PoolOptions options) {
        return maxPoolWithIndices(1, input, options);
    }

    public static TensorWithIndices maxPool2dWithIndices(Tensor input, PoolOptions options) {
        return maxPoolWithIndices(2, input, options);
    }

    public static TensorWithIndices maxPool3dWithIndices(Tensor input, PoolOptions options) {
        return maxPoolWithIndices(3, input, options);
    }

    public static Tensor avgPool1d(Tensor input, PoolOptions options) {
        return avgPool(1, input, options);
    }

    public static Tensor avgPool2d(Tensor input, PoolOptions options) {
        return avgPool(2, input, options);
    }

    public static Tensor avgPool3d(Tensor input, PoolOptions options) {
        return avgPool(3, input, options);
    }

    /** {@code F.lp_pool1d(input, norm_type, kernel_size, stride, ceil_mode)}; options take only those three. */
    public static Tensor lpPool1d(Tensor input, double normType, PoolOptions options) {
        return lpPool(1, input, normType, options);
    }

    public static Tensor lpPool2d(Tensor input, double normType, PoolOptions options) {
        return lpPool(2, input, normType, options);
    }

    public static Tensor lpPool3d(Tensor input, double normType, PoolOptions options) {
        return lpPool(3, input, normType, options);
    }

    /** One output size, or one per dim. */
    public static Tensor adaptiveAvgPool1d(Tensor input, Integer... outputSize) {
        return adaptiveAvgPool(1, input, outputSize);
    }

    /** One output size, or one per dim where null keeps that input size. */
    public static Tensor adaptiveAvgPool2d(Tensor input, Integer... outputSize) {
        return adaptiveAvgPool(2, input, outputSize);
    }

    public static Tensor adaptiveAvgPool3d(Tensor input, Integer... outputSize) {
        return adaptiveAvgPool(3, input, outputSize);
    }

    public static Tensor adaptiveMaxPool1d(Tensor input, Integer... outputSize) {
        return adaptiveMaxPool(1, input, outputSize);
    }

    public static Tensor adaptiveMaxPool2d(Tensor input, Integer... outputSize) {
        return adaptiveMaxPool(2, input, outputSize);
    }

    public static Tensor adaptiveMaxPool3d(Tensor input, Integer... outputSize) {
        return adaptiveMaxPool(3, input, outputSize);
    }

    public static TensorWithIndices adaptiveMaxPool1dWithIndices(Tensor input, Integer... outputSize) {
        return adaptiveMaxPoolWithIndices(1, input, outputSize);
    }

    public static TensorWithIndices adaptiveMaxPool2dWithIndices(Tensor input, Integer... outputSize) {
        return adaptiveMaxPoolWithIndices(2, input, outputSize);
    }

    public static TensorWithIndices adaptiveMaxPool3dWithIndices(Tensor input, Integer... outputSize) {
        return adaptiveMaxPoolWithIndices(3, input, outputSize);
    }

    /** {@code F.pad(input, pad)}: constant padding with zeros; pad lists (left, right) pairs from the last dim. */
    public static Tensor pad(Tensor input, int[] pad) {
        return pad(input, pad, "constant", 0);
    }

    /** {@code F.pad(input, pad, mode)}: 'constant' (zeros), 'reflect', 'replicate' or 'circular'. */
    public static Tensor pad(Tensor input, int[] pad, String mode) {
        return pad(input, pad, mode, 0);
    }

    /** {@code F.pad(input, pad, mode, value)}: only 'constant' takes a value other than 0. */
    public static Tensor pad(Tensor input, int[] pad, String mode, double value) {
        Pad op = Pad.create(pad, mode, value);
        return runOp("pad", op, input);
    }

    private static Tensor maxPool(int dims, Tensor input, PoolOptions options) {
        MaxPool pool = MaxPool.create(dims, options);
        String op = "max_pool" + dims + "d";
        if (pool.returnsIndices()) {
            throw new IllegalArgumentException(op + ": return_indices=true returns the indices too; call maxPool"
                    + dims + "dWithIndices");
        }
        return runOp(op, pool, input);
    }

    private static TensorWithIndices maxPoolWithIndices(int dims, Tensor input, PoolOptions options) {
        MaxPool pool = MaxPool.create(dims, options);
        return pooledWithIndices("max_pool" + dims + "d", input, pool::outputShape,
                (x, y, i) -> pool.run(x, y, i, null));
    }

    private static Tensor avgPool(int dims, Tensor input, PoolOptions options) {
        AvgPool pool = AvgPool.create(dims, options);
        return runOp("avg_pool" + dims + "d", pool, input);
    }

    private static Tensor lpPool(int dims, Tensor input, double normType, PoolOptions options) {
        LpPool pool = LpPool.create(dims, normType, options);
        return runOp("lp_pool" + dims + "d", pool, input);
    }

    private static Tensor adaptiveAvgPool(int dims, Tensor input, Integer[] outputSize) {
        AdaptiveAvgPool pool = AdaptiveAvgPool.create(dims, outputSize);
        return runOp("adaptive_avg_pool" + dims + "d", pool, input);
    }

    private static Tensor adaptiveMaxPool(int dims, Tensor input, Integer[] outputSize) {
        AdaptiveMaxPool pool = AdaptiveMaxPool.create(dims, outputSize, false);
        return runOp("adaptive_max_pool" + dims + "d", pool, input);
    }

    private static TensorWithIndices adaptiveMaxPoolWithIndices(int dims, Tensor input, Integer[] outputSize) {
        AdaptiveMaxPool pool = AdaptiveMaxPool.create(dims, outputSize, true);
        return pooledWithIndices("adaptive_max_pool" + dims + "d", input, pool::outputShape,
                (x, y, i) -> pool.run(x, y, i, null));
    }

    private static TensorWithIndices pooledWithIndices(String op, Tensor input, UnaryOperator<long[]> outputShape,
            IndexedRun run) {
        if (input == null) {
            throw new IllegalArgumentException(op + ": input must not be null");
        }
        long[] shape = outputShape.apply(input.shape());
        Tensor output = Tensor.empty(shape);
        IndexTensor indices = null;
        try {
            indices = IndexTensor.empty(shape);
            run.run(input, output, indices);
            return new TensorWithIndices(output, indices);
        } catch (RuntimeException | Error e) {
            output.close();
            if (indices != null) {
                indices.close();
            }
            throw e;
        }
    }

    @FunctionalInterface
    private interface IndexedRun {
        void run(Tensor input, Tensor output, IndexTensor indices);
    }

    // ---- dense and element-wise --------------------------------------------------------------------------------

    /** {@code F.linear}: input (*, in_features), weight [out_features, in_features], bias [out_features] or null. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        Linear op = Linear.create(weight, bias);
        return runOp("linear", op, input);
    }

    /**
     * {@code F.batch_norm(input, running_mean, running_var, weight, bias, training=False, eps=eps)}: input (N, C, *);
     * weight and bias may be null. PyTorch's default eps is {@link BatchNorm#DEFAULT_EPS}.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            double eps) {
        BatchNorm op = BatchNorm.createAnyRank(runningMean, runningVar, weight, bias, eps);
        return runOp("batch_norm", op, input);
    }

    public static Tensor relu(Tensor input) {
        return activation(Activation.relu(), input);
    }

    public static Tensor relu6(Tensor input) {
        return activation(Activation.relu6(), input);
    }

    /** PyTorch's default negative_slope is 0.01. */
    public static Tensor leakyRelu(Tensor input, double negativeSlope) {
        return activation(Activation.leakyRelu(negativeSlope), input);
    }

    /** PyTorch's default alpha is 1.0. */
    public static Tensor elu(Tensor input, double alpha) {
        return activation(Activation.elu(alpha), input);
    }

    /** @param approximate {@code "none"} (PyTorch's default) or {@code "tanh"} */
    public static Tensor gelu(Tensor input, String approximate) {
        return activation(Activation.gelu(approximate), input);
    }

    public static Tensor silu(Tensor input) {
        return activation(Activation.silu(), input);
    }

    public static Tensor sigmoid(Tensor input) {
        return activation(Activation.sigmoid(), input);
    }

    public static Tensor tanh(Tensor input) {
        return activation(Activation.tanh(), input);
    }

    public static Tensor hardswish(Tensor input) {
        return activation(Activation.hardswish(), input);
    }

    public static Tensor hardsigmoid(Tensor input) {
        return activation(Activation.hardsigmoid(), input);
    }

    /** {@code F.softmax(input, dim)}; dim may be negative. */
    public static Tensor softmax(Tensor input, int dim) {
        Softmax op = Softmax.softmax(dim);
        return runOp("softmax", op, input);
    }

    /** {@code F.log_softmax(input, dim)}; dim may be negative. */
    public static Tensor logSoftmax(Tensor input, int dim) {
        Softmax op = Softmax.logSoftmax(dim);
        return runOp("log_softmax", op, input);
    }

    /** a + b + ... for tensors of one shape (no broadcasting), summed left to right as PyTorch does. */
    public static Tensor add(Tensor a, Tensor... b) {
        Tensor[] inputs = new Tensor[1 + (b == null ? 0 : b.length)];
        inputs[0] = a;
        if (b != null) {
            System.arraycopy(b, 0, inputs, 1, b.length);
        }
        Add op = Add.create();
        return runMany("add", inputs, op::outputShape, (x, y) -> op.run(x, y, null));
    }

    /** {@code torch.cat(tensors, dim)}; dim may be negative. */
    public static Tensor cat(int dim, Tensor... tensors) {
        Concat op = Concat.create(dim);
        return runMany("cat", tensors, op::outputShape, (x, y) -> op.run(x, y, null));
    }

    /** {@code torch.flatten(input, start_dim, end_dim)}, as a copy (use {@link Flatten#view} to share memory). */
    public static Tensor flatten(Tensor input, int startDim, int endDim) {
        Flatten op = Flatten.create(startDim, endDim);
        return runOp("flatten", op, input);
    }

    private static Tensor activation(Activation op, Tensor input) {
        return runOp(op.name(), op, input);
    }

    /** Checks the input, allocates the output and any workspace, runs; the output is closed if the run fails. */
    private static Tensor runOp(String name, UnaryOp op, Tensor input) {
        long[] inShape = inputShape(name, input);
        long workspaceFloats = op.workspaceSize(inShape);
        return allocateAndRun(op.outputShape(inShape), output -> {
            if (workspaceFloats == 0) {
                op.run(input, output, null);
                return;
            }
            try (FloatPointer workspace = Workspaces.allocate(workspaceFloats)) {
                op.run(input, output, workspace);
            }
        });
    }

    private static Tensor runMany(String name, Tensor[] inputs, Function<long[][], long[]> outputShape,
            BiConsumer<Tensor[], Tensor> run) {
        if (inputs == null) {
            throw new IllegalArgumentException(name + ": inputs must not be null");
        }
        long[][] shapes = new long[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new IllegalArgumentException(name + ": inputs[" + i + "] must not be null");
            }
            shapes[i] = inputs[i].shape();
        }
        return allocateAndRun(outputShape.apply(shapes), output -> run.accept(inputs, output));
    }

    /** A new output of {@code shape} filled by {@code body}, closed again if body throws. */
    private static Tensor allocateAndRun(long[] shape, Consumer<Tensor> body) {
        Tensor output = Tensor.empty(shape);
        try {
            body.accept(output);
            return output;
        } catch (RuntimeException | Error e) {
            output.close();
            throw e;
        }
    }
}
