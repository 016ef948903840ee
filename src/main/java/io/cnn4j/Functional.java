package io.cnn4j;

import io.cnn4j.ops.Activation;
import io.cnn4j.ops.Add;
import io.cnn4j.ops.BatchNorm;
import io.cnn4j.ops.Concat;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Flatten;
import io.cnn4j.ops.Linear;
import io.cnn4j.ops.Softmax;
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
        Convolution conv = Convolution.create(dims, weight, bias, options == null ? new ConvOptions() : options);
        if (input == null) {
            throw new IllegalArgumentException("conv" + dims + "d: input must not be null");
        }
        long[] inShape = input.shape();
        Tensor output = Tensor.empty(conv.outputShape(inShape));
        try (FloatPointer workspace = Workspaces.allocate(conv.workspaceSize(inShape))) {
            conv.run(input, output, workspace);
            return output;
        } catch (RuntimeException | Error e) {
            output.close();
            throw e;
        }
    }

    // ---- dense and element-wise --------------------------------------------------------------------------------

    /** {@code F.linear}: input (*, in_features), weight [out_features, in_features], bias [out_features] or null. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        Linear op = Linear.create(weight, bias);
        return runUnary("linear", input, op::outputShape, (x, y) -> op.run(x, y, null));
    }

    /**
     * {@code F.batch_norm(input, running_mean, running_var, weight, bias, training=False, eps=eps)}: input (N, C, *);
     * weight and bias may be null. PyTorch's default eps is {@link BatchNorm#DEFAULT_EPS}.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            double eps) {
        BatchNorm op = BatchNorm.createAnyRank(runningMean, runningVar, weight, bias, eps);
        return runUnary("batch_norm", input, op::outputShape, (x, y) -> op.run(x, y, null));
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
        return runUnary("softmax", input, op::outputShape, (x, y) -> op.run(x, y, null));
    }

    /** {@code F.log_softmax(input, dim)}; dim may be negative. */
    public static Tensor logSoftmax(Tensor input, int dim) {
        Softmax op = Softmax.logSoftmax(dim);
        return runUnary("log_softmax", input, op::outputShape, (x, y) -> op.run(x, y, null));
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
        return runUnary("flatten", input, op::outputShape, (x, y) -> op.run(x, y, null));
    }

    private static Tensor activation(Activation op, Tensor input) {
        return runUnary(op.name(), input, op::outputShape, (x, y) -> op.run(x, y, null));
    }

    private static Tensor runUnary(String name, Tensor input, UnaryOperator<long[]> outputShape,
            BiConsumer<Tensor, Tensor> run) {
        if (input == null) {
            throw new IllegalArgumentException(name + ": input must not be null");
        }
        return allocateAndRun(outputShape.apply(input.shape()), output -> run.accept(input, output));
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
