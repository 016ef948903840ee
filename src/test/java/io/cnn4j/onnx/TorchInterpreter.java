package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.testing.LibTorch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Runs a cnn4j model description the way PyTorch would run the modules it names: each layer type is the
 * torch.nn.functional call of that module with the module's defaults, through libtorch. It is the oracle for the
 * importer (the converted description must compute what onnxruntime computed for the .onnx file) and independent
 * of cnn4j's own runtime.
 */
final class TorchInterpreter {
    private TorchInterpreter() {}

    /** The first output of {@code model} for one input. */
    static float[] run(JsonNode model, Map<String, OnnxTensorData> weights, float[] input, long[] shape) {
        Map<String, Tensor> values = new HashMap<>();
        String previous = model.get("inputs").get(0).get("name").asText();
        values.put(previous, LibTorch.tensor(input, shape));
        JsonNode layers = model.get("layers");
        for (int i = 0; i < layers.size(); i++) {
            JsonNode l = layers.get(i);
            List<Tensor> in = new ArrayList<>();
            if (l.has("inputs")) {
                l.get("inputs").forEach(id -> in.add(values.get(id.asText())));
            } else {
                in.add(values.get(previous));
            }
            String id = l.has("id") ? l.get("id").asText() : l.has("name") ? l.get("name").asText()
                    : Integer.toString(i);
            Tensor out = layer(l, in, weights);
            values.put(id, out);
            previous = id;
        }
        JsonNode outputs = model.get("outputs");
        String first = outputs == null ? previous : outputs.get(0).asText();
        return LibTorch.floats(values.get(first));
    }

    /** Each type's PyTorch constructor arguments: a description may use these and no others. */
    private static final Map<String, Set<String>> ARGS = Map.ofEntries(
            Map.entry("Conv", Set.of("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                    "groups", "bias", "padding_mode")),
            Map.entry("ConvTranspose", Set.of("in_channels", "out_channels", "kernel_size", "stride", "padding",
                    "output_padding", "groups", "bias", "dilation", "padding_mode")),
            Map.entry("MaxPool", Set.of("kernel_size", "stride", "padding", "dilation", "return_indices",
                    "ceil_mode")),
            Map.entry("AvgPool", Set.of("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                    "divisor_override")),
            Map.entry("AdaptiveAvgPool", Set.of("output_size")),
            Map.entry("AdaptiveMaxPool", Set.of("output_size", "return_indices")),
            Map.entry("BatchNorm", Set.of("num_features", "eps", "momentum", "affine", "track_running_stats")),
            Map.entry("Linear", Set.of("in_features", "out_features", "bias")),
            Map.entry("Flatten", Set.of("start_dim", "end_dim")),
            Map.entry("Unflatten", Set.of("dim", "unflattened_size")),
            Map.entry("LeakyReLU", Set.of("negative_slope", "inplace")),
            Map.entry("ELU", Set.of("alpha", "inplace")),
            Map.entry("GELU", Set.of("approximate")),
            Map.entry("Softmax", Set.of("dim")),
            Map.entry("LogSoftmax", Set.of("dim")),
            Map.entry("Concat", Set.of("dim")),
            Map.entry("Dropout", Set.of("p", "inplace")));
    private static final Set<String> INPLACE_ONLY = Set.of("ReLU", "ReLU6", "SiLU", "Hardswish", "Hardsigmoid");
    private static final Set<String> LAYER_KEYS = Set.of("type", "name", "id", "inputs");

    /** Fails on an argument PyTorch's constructor does not take, or a weight whose shape does not fit the args. */
    private static void checkArgs(JsonNode l, String base, int dims, Map<String, OnnxTensorData> weights) {
        Set<String> allowed = ARGS.getOrDefault(base, INPLACE_ONLY.contains(base) ? Set.of("inplace") : Set.of());
        l.fieldNames().forEachRemaining(k -> {
            if (!LAYER_KEYS.contains(k) && !allowed.contains(k)) {
                throw new AssertionError("argument '" + k + "' is not one of " + base + "'s " + allowed + ": " + l);
            }
        });
        long[] expected = switch (base) {
            case "Conv" -> concat(new long[] {l.get("out_channels").asLong(),
                    l.get("in_channels").asLong() / l.path("groups").asLong(1)}, tuple(l, "kernel_size", dims, -1));
            case "ConvTranspose" -> concat(new long[] {l.get("in_channels").asLong(),
                    l.get("out_channels").asLong() / l.path("groups").asLong(1)}, tuple(l, "kernel_size", dims, -1));
            case "Linear" -> new long[] {l.get("out_features").asLong(), l.get("in_features").asLong()};
            case "BatchNorm" -> new long[] {l.get("num_features").asLong()};
            default -> null;
        };
        if (expected != null) {
            long[] actual = weights.get(l.get("name").asText() + ".weight").shape();
            if (!Arrays.equals(expected, actual)) {
                throw new AssertionError("weight shape " + Arrays.toString(actual) + " does not fit " + l);
            }
        }
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Tensor layer(JsonNode l, List<Tensor> in, Map<String, OnnxTensorData> weights) {
        String type = l.get("type").asText();
        Tensor x = in.get(0);
        int dims = type.matches(".*[123]d") ? type.charAt(type.length() - 2) - '0' : 0;
        String base = dims > 0 ? type.substring(0, type.length() - 2) : type;
        checkArgs(l, base, dims, weights);
        switch (base) {
            case "Conv" -> {
                Tensor w = param(l, "weight", weights);
                Tensor b = l.path("bias").asBoolean(true) ? param(l, "bias", weights) : null;
                long[] stride = tuple(l, "stride", dims, 1);
                long[] dilation = tuple(l, "dilation", dims, 1);
                long groups = l.path("groups").asLong(1);
                String mode = l.path("padding_mode").asText("zeros");
                if (l.path("padding").isTextual()) {
                    String p = l.get("padding").asText();
                    return switch (dims) {
                        case 1 -> torch.conv1d(x, w, LibTorch.optional(b), stride, p, dilation, groups);
                        case 2 -> torch.conv2d(x, w, LibTorch.optional(b), stride, p, dilation, groups);
                        default -> torch.conv3d(x, w, LibTorch.optional(b), stride, p, dilation, groups);
                    };
                }
                long[] padding = tuple(l, "padding", dims, 0);
                if (!mode.equals("zeros")) {
                    long[] pads = new long[2 * dims]; // F.pad order: last dim first, (begin, end) pairs
                    for (int i = 0; i < dims; i++) {
                        pads[2 * i] = pads[2 * i + 1] = padding[dims - 1 - i];
                    }
                    x = torch.pad(x, pads, mode, new org.bytedeco.pytorch.DoubleOptional());
                    padding = new long[dims];
                }
                return switch (dims) {
                    case 1 -> torch.conv1d(x, w, LibTorch.optional(b), stride, padding, dilation, groups);
                    case 2 -> torch.conv2d(x, w, LibTorch.optional(b), stride, padding, dilation, groups);
                    default -> torch.conv3d(x, w, LibTorch.optional(b), stride, padding, dilation, groups);
                };
            }
            case "ConvTranspose" -> {
                Tensor w = param(l, "weight", weights);
                Tensor b = l.path("bias").asBoolean(true) ? param(l, "bias", weights) : null;
                long[] stride = tuple(l, "stride", dims, 1);
                long[] padding = tuple(l, "padding", dims, 0);
                long[] outputPadding = tuple(l, "output_padding", dims, 0);
                long[] dilation = tuple(l, "dilation", dims, 1);
                long groups = l.path("groups").asLong(1);
                return switch (dims) {
                    case 1 -> torch.conv_transpose1d(x, w, LibTorch.optional(b), stride, padding, outputPadding, groups,
                            dilation);
                    case 2 -> torch.conv_transpose2d(x, w, LibTorch.optional(b), stride, padding, outputPadding, groups,
                            dilation);
                    default -> torch.conv_transpose3d(x, w, LibTorch.optional(b), stride, padding, outputPadding,
                            groups, dilation);
                };
            }
            case "MaxPool" -> {
                long[] k = tuple(l, "kernel_size", dims, -1);
                long[] stride = l.hasNonNull("stride") ? tuple(l, "stride", dims, -1) : k;
                long[] padding = tuple(l, "padding", dims, 0);
                long[] dilation = tuple(l, "dilation", dims, 1);
                boolean ceil = l.path("ceil_mode").asBoolean(false);
                return switch (dims) {
                    case 1 -> torch.max_pool1d(x, k, stride, padding, dilation, ceil);
                    case 2 -> torch.max_pool2d(x, k, stride, padding, dilation, ceil);
                    default -> torch.max_pool3d(x, k, stride, padding, dilation, ceil);
                };
            }
            case "AvgPool" -> {
                long[] k = tuple(l, "kernel_size", dims, -1);
                long[] stride = l.hasNonNull("stride") ? tuple(l, "stride", dims, -1) : k;
                long[] padding = tuple(l, "padding", dims, 0);
                boolean ceil = l.path("ceil_mode").asBoolean(false);
                boolean include = l.path("count_include_pad").asBoolean(true);
                return switch (dims) {
                    case 1 -> torch.avg_pool1d(x, k, stride, padding, ceil, include);
                    case 2 -> torch.avg_pool2d(x, k, stride, padding, ceil, include, new LongOptional());
                    default -> torch.avg_pool3d(x, k, stride, padding, ceil, include, new LongOptional());
                };
            }
            case "AdaptiveAvgPool" -> {
                long[] size = tuple(l, "output_size", dims, -1);
                return switch (dims) {
                    case 1 -> torch.adaptive_avg_pool1d(x, size);
                    case 2 -> torch.adaptive_avg_pool2d(x, size);
                    default -> torch.adaptive_avg_pool3d(x, size);
                };
            }
            case "AdaptiveMaxPool" -> {
                long[] size = tuple(l, "output_size", dims, -1);
                return switch (dims) {
                    case 1 -> torch.adaptive_max_pool1d(x, size).get0();
                    case 2 -> torch.adaptive_max_pool2d(x, size).get0();
                    default -> torch.adaptive_max_pool3d(x, size).get0();
                };
            }
            case "BatchNorm" -> {
                return torch.batch_norm(x, LibTorch.optional(param(l, "weight", weights)),
                        LibTorch.optional(param(l, "bias", weights)), LibTorch.optional(param(l, "running_mean", weights)),
                        LibTorch.optional(param(l, "running_var", weights)), false, 0.1, l.path("eps").asDouble(1e-5),
                        false);
            }
            default -> {
                return plain(type, l, x, in, weights);
            }
        }
    }

    private static Tensor plain(String type, JsonNode l, Tensor x, List<Tensor> in, Map<String, OnnxTensorData> weights) {
        switch (type) {
            case "Linear" -> {
                Tensor b = l.path("bias").asBoolean(true) ? param(l, "bias", weights) : null;
                return torch.linear(x, param(l, "weight", weights), LibTorch.optional(b));
            }
            case "Flatten" -> {
                return torch.flatten(x, l.path("start_dim").asLong(1), l.path("end_dim").asLong(-1));
            }
            case "Unflatten" -> {
                long[] shape = LibTorch.shape(x);
                int dim = (int) Math.floorMod(l.get("dim").asLong(), shape.length);
                long[] sizes = tuple(l, "unflattened_size", -1, 0);
                long[] out = new long[shape.length - 1 + sizes.length];
                System.arraycopy(shape, 0, out, 0, dim);
                System.arraycopy(sizes, 0, out, dim, sizes.length);
                System.arraycopy(shape, dim + 1, out, dim + sizes.length, shape.length - dim - 1);
                return x.reshape(out);
            }
            case "Identity", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d" -> {
                return x;
            }
            case "ReLU" -> {
                return torch.relu(x);
            }
            case "ReLU6" -> {
                return torch.relu6(x);
            }
            case "LeakyReLU" -> {
                return torch.leaky_relu(x, new Scalar(l.path("negative_slope").asDouble(0.01)));
            }
            case "ELU" -> {
                return torch.elu(x, new Scalar(l.path("alpha").asDouble(1.0)), new Scalar(1.0), new Scalar(1.0));
            }
            case "GELU" -> {
                return torch.gelu(x, l.path("approximate").asText("none"));
            }
            case "SiLU" -> {
                return torch.silu(x);
            }
            case "Sigmoid" -> {
                return torch.sigmoid(x);
            }
            case "Tanh" -> {
                return torch.tanh(x);
            }
            case "Hardswish" -> {
                return torch.hardswish(x);
            }
            case "Hardsigmoid" -> {
                return torch.hardsigmoid(x);
            }
            case "Softmax" -> {
                return torch.softmax(x, l.get("dim").asLong());
            }
            case "LogSoftmax" -> {
                return torch.log_softmax(x, l.get("dim").asLong());
            }
            case "Add" -> {
                Tensor sum = in.get(0);
                for (int i = 1; i < in.size(); i++) {
                    sum = torch.add(sum, in.get(i));
                }
                return sum;
            }
            case "Concat" -> {
                return torch.cat(new TensorVector(in.toArray(new Tensor[0])), l.path("dim").asLong(1));
            }
            default -> throw new AssertionError("interpreter has no layer type " + type);
        }
    }

    private static Tensor param(JsonNode l, String suffix, Map<String, OnnxTensorData> weights) {
        String key = l.get("name").asText() + "." + suffix;
        OnnxTensorData t = weights.get(key);
        if (t == null) {
            throw new AssertionError("no weight " + key + " in " + weights.keySet());
        }
        return LibTorch.tensor(t.data(), t.shape());
    }

    /** An int-or-tuple argument expanded to {@code dims} values (dims -1: a list as is). */
    private static long[] tuple(JsonNode l, String key, int dims, long fallback) {
        JsonNode v = l.get(key);
        if (v == null || v.isNull()) {
            if (fallback < 0) {
                throw new AssertionError("missing " + key + " in " + l);
            }
            long[] out = new long[dims];
            Arrays.fill(out, fallback);
            return out;
        }
        if (v.isArray()) {
            long[] out = new long[v.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = v.get(i).asLong();
            }
            return out;
        }
        long[] out = new long[dims];
        Arrays.fill(out, v.asLong());
        return out;
    }
}
