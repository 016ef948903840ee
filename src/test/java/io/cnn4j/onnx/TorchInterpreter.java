package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.testing.LibTorch;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@link ModuleInterpreter} through libtorch in float32: PyTorch's own kernels, the second opinion next to
 * {@link Float64Interpreter} (libtorch's float32 kernels are not right on every CPU).
 */
final class TorchInterpreter extends ModuleInterpreter<Tensor> {
    /** The first output of {@code model} for one input, in float32. */
    static float[] run(JsonNode model, Map<String, OnnxTensorData> weights, float[] input, long[] shape) {
        return LibTorch.floats(new TorchInterpreter().interpret(model, weights, input, shape));
    }

    @Override
    Tensor input(float[] data, long[] shape) {
        return LibTorch.tensor(data, shape);
    }

    @Override
    Tensor weight(OnnxTensorData data) {
        return LibTorch.tensor(data.data(), data.shape());
    }

    @Override
    long[] shape(Tensor x) {
        return LibTorch.shape(x);
    }

    @Override
    Tensor conv(int dims, Tensor x, Tensor w, Tensor b, long[] stride, String paddingString, long[] padding,
            long[] dilation, long groups, String mode) {
        if (paddingString != null) {
            return switch (dims) {
                case 1 -> torch.conv1d(x, w, LibTorch.optional(b), stride, paddingString, dilation, groups);
                case 2 -> torch.conv2d(x, w, LibTorch.optional(b), stride, paddingString, dilation, groups);
                default -> torch.conv3d(x, w, LibTorch.optional(b), stride, paddingString, dilation, groups);
            };
        }
        if (!mode.equals("zeros")) {
            long[] pads = new long[2 * dims]; // F.pad order: last dim first, (begin, end) pairs
            for (int i = 0; i < dims; i++) {
                pads[2 * i] = pads[2 * i + 1] = padding[dims - 1 - i];
            }
            x = torch.pad(x, pads, mode, new DoubleOptional());
            padding = new long[dims];
        }
        return switch (dims) {
            case 1 -> torch.conv1d(x, w, LibTorch.optional(b), stride, padding, dilation, groups);
            case 2 -> torch.conv2d(x, w, LibTorch.optional(b), stride, padding, dilation, groups);
            default -> torch.conv3d(x, w, LibTorch.optional(b), stride, padding, dilation, groups);
        };
    }

    @Override
    Tensor convTranspose(int dims, Tensor x, Tensor w, Tensor b, long[] stride, long[] padding, long[] outputPadding,
            long[] dilation, long groups) {
        return switch (dims) {
            case 1 -> torch.conv_transpose1d(x, w, LibTorch.optional(b), stride, padding, outputPadding, groups,
                    dilation);
            case 2 -> torch.conv_transpose2d(x, w, LibTorch.optional(b), stride, padding, outputPadding, groups,
                    dilation);
            default -> torch.conv_transpose3d(x, w, LibTorch.optional(b), stride, padding, outputPadding, groups,
                    dilation);
        };
    }

    @Override
    Tensor maxPool(int dims, Tensor x, long[] k, long[] stride, long[] padding, long[] dilation, boolean ceil) {
        return switch (dims) {
            case 1 -> torch.max_pool1d(x, k, stride, padding, dilation, ceil);
            case 2 -> torch.max_pool2d(x, k, stride, padding, dilation, ceil);
            default -> torch.max_pool3d(x, k, stride, padding, dilation, ceil);
        };
    }

    @Override
    Tensor avgPool(int dims, Tensor x, long[] k, long[] stride, long[] padding, boolean ceil,
            boolean countIncludePad) {
        return switch (dims) {
            case 1 -> torch.avg_pool1d(x, k, stride, padding, ceil, countIncludePad);
            case 2 -> torch.avg_pool2d(x, k, stride, padding, ceil, countIncludePad, new LongOptional());
            default -> torch.avg_pool3d(x, k, stride, padding, ceil, countIncludePad, new LongOptional());
        };
    }

    @Override
    Tensor adaptivePool(int dims, Tensor x, long[] size, boolean max) {
        if (max) {
            return switch (dims) {
                case 1 -> torch.adaptive_max_pool1d(x, size).get0();
                case 2 -> torch.adaptive_max_pool2d(x, size).get0();
                default -> torch.adaptive_max_pool3d(x, size).get0();
            };
        }
        return switch (dims) {
            case 1 -> torch.adaptive_avg_pool1d(x, size);
            case 2 -> torch.adaptive_avg_pool2d(x, size);
            default -> torch.adaptive_avg_pool3d(x, size);
        };
    }

    @Override
    Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor mean, Tensor var, double eps) {
        return torch.batch_norm(x, LibTorch.optional(weight), LibTorch.optional(bias), LibTorch.optional(mean),
                LibTorch.optional(var), false, 0.1, eps, false);
    }

    @Override
    Tensor linear(Tensor x, Tensor w, Tensor b) {
        return torch.linear(x, w, LibTorch.optional(b));
    }

    @Override
    Tensor reshape(Tensor x, long[] shape) {
        return x.reshape(shape);
    }

    @Override
    Tensor activation(Tensor x, String name, double param) {
        return switch (name) {
            case "relu" -> torch.relu(x);
            case "relu6" -> torch.relu6(x);
            case "leaky_relu" -> torch.leaky_relu(x, new Scalar(param));
            case "elu" -> torch.elu(x, new Scalar(param), new Scalar(1.0), new Scalar(1.0));
            case "gelu" -> torch.gelu(x, "none");
            case "gelu_tanh" -> torch.gelu(x, "tanh");
            case "silu" -> torch.silu(x);
            case "sigmoid" -> torch.sigmoid(x);
            case "tanh" -> torch.tanh(x);
            case "hardswish" -> torch.hardswish(x);
            case "hardsigmoid" -> torch.hardsigmoid(x);
            default -> throw new AssertionError("no activation " + name);
        };
    }

    @Override
    Tensor softmax(Tensor x, long dim, boolean log) {
        return log ? torch.log_softmax(x, dim) : torch.softmax(x, dim);
    }

    @Override
    Tensor add(List<Tensor> inputs) {
        Tensor sum = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            sum = torch.add(sum, inputs.get(i));
        }
        return sum;
    }

    @Override
    Tensor cat(List<Tensor> inputs, long dim) {
        return torch.cat(new TensorVector(inputs.toArray(new Tensor[0])), dim);
    }
}
