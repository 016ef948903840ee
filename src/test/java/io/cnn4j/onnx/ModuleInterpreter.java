package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.reference.NaiveDense;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a cnn4j model description the way PyTorch would run the modules it names: each layer type is the
 * torch.nn.functional call of that module, with the module's defaults. It is the oracle for the importer (the
 * converted description must compute what onnxruntime computed for the .onnx file) and independent of cnn4j's own
 * runtime. This class walks the layers, checks each one's arguments against PyTorch's constructor and resolves the
 * defaults; a backend computes: {@link Float64Interpreter} (plain Java in float64, the anchor, the same on every CPU)
 * or {@link TorchInterpreter} (libtorch float32, the second opinion).
 *
 * @param <T> the backend's tensor
 */
abstract class ModuleInterpreter<T> {
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
    /** Activation modules by the functional name {@link NaiveDense#activation} and the backends use. */
    private static final Map<String, String> ACTIVATIONS = Map.of("ReLU", "relu", "ReLU6", "relu6", "LeakyReLU",
            "leaky_relu", "ELU", "elu", "SiLU", "silu", "Sigmoid", "sigmoid", "Tanh", "tanh", "Hardswish", "hardswish",
            "Hardsigmoid", "hardsigmoid");

    // ---- the backend ---------------------------------------------------------------------------------------------

    abstract T input(float[] data, long[] shape);

    abstract T weight(OnnxTensorData data);

    abstract long[] shape(T x);

    /** F.conv*d; {@code paddingString} ('same' / 'valid') or else {@code padding}; mode as nn.Conv*d's. */
    abstract T conv(int dims, T x, T w, T b, long[] stride, String paddingString, long[] padding, long[] dilation,
            long groups, String mode);

    abstract T convTranspose(int dims, T x, T w, T b, long[] stride, long[] padding, long[] outputPadding,
            long[] dilation, long groups);

    abstract T maxPool(int dims, T x, long[] kernel, long[] stride, long[] padding, long[] dilation, boolean ceil);

    abstract T avgPool(int dims, T x, long[] kernel, long[] stride, long[] padding, boolean ceil,
            boolean countIncludePad);

    abstract T adaptivePool(int dims, T x, long[] outputSize, boolean max);

    abstract T batchNorm(T x, T weight, T bias, T mean, T var, double eps);

    abstract T linear(T x, T w, T b);

    abstract T reshape(T x, long[] shape);

    /** An activation by functional name (see {@link NaiveDense#activation}); gelu's approximate as "gelu_tanh". */
    abstract T activation(T x, String name, double param);

    abstract T softmax(T x, long dim, boolean log);

    abstract T add(List<T> inputs);

    abstract T cat(List<T> inputs, long dim);

    // ---- the walk ------------------------------------------------------------------------------------------------

    /** The first output of {@code model} for one input. */
    final T interpret(JsonNode model, Map<String, OnnxTensorData> weights, float[] input, long[] shape) {
        Map<String, T> values = new HashMap<>();
        String previous = model.get("inputs").get(0).get("name").asText();
        values.put(previous, input(input, shape));
        JsonNode layers = model.get("layers");
        for (int i = 0; i < layers.size(); i++) {
            JsonNode l = layers.get(i);
            List<T> in = new ArrayList<>();
            if (l.has("inputs")) {
                l.get("inputs").forEach(id -> in.add(values.get(id.asText())));
            } else {
                in.add(values.get(previous));
            }
            String id = l.has("id") ? l.get("id").asText() : l.has("name") ? l.get("name").asText()
                    : Integer.toString(i);
            values.put(id, layer(l, in, weights));
            previous = id;
        }
        JsonNode outputs = model.get("outputs");
        return values.get(outputs == null ? previous : outputs.get(0).asText());
    }

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

    private T layer(JsonNode l, List<T> in, Map<String, OnnxTensorData> weights) {
        String type = l.get("type").asText();
        T x = in.get(0);
        int dims = type.matches(".*[123]d") ? type.charAt(type.length() - 2) - '0' : 0;
        String base = dims > 0 ? type.substring(0, type.length() - 2) : type;
        checkArgs(l, base, dims, weights);
        T bias = ("Conv".equals(base) || "ConvTranspose".equals(base) || "Linear".equals(base))
                && l.path("bias").asBoolean(true) ? param(l, "bias", weights) : null;
        long[] stride = tuple(l, "stride", dims, 1);
        long[] dilation = tuple(l, "dilation", dims, 1);
        long groups = l.path("groups").asLong(1);
        boolean ceil = l.path("ceil_mode").asBoolean(false);
        return switch (base) {
            case "Conv" -> conv(dims, x, param(l, "weight", weights), bias, stride,
                    l.path("padding").isTextual() ? l.get("padding").asText() : null,
                    l.path("padding").isTextual() ? null : tuple(l, "padding", dims, 0), dilation, groups,
                    l.path("padding_mode").asText("zeros"));
            case "ConvTranspose" -> convTranspose(dims, x, param(l, "weight", weights), bias, stride,
                    tuple(l, "padding", dims, 0), tuple(l, "output_padding", dims, 0), dilation, groups);
            case "MaxPool" -> maxPool(dims, x, tuple(l, "kernel_size", dims, -1), poolStride(l, dims),
                    tuple(l, "padding", dims, 0), dilation, ceil);
            case "AvgPool" -> avgPool(dims, x, tuple(l, "kernel_size", dims, -1), poolStride(l, dims),
                    tuple(l, "padding", dims, 0), ceil, l.path("count_include_pad").asBoolean(true));
            case "AdaptiveAvgPool", "AdaptiveMaxPool" -> adaptivePool(dims, x, tuple(l, "output_size", dims, -1),
                    base.equals("AdaptiveMaxPool"));
            case "BatchNorm" -> batchNorm(x, param(l, "weight", weights), param(l, "bias", weights),
                    param(l, "running_mean", weights), param(l, "running_var", weights), l.path("eps").asDouble(1e-5));
            default -> plain(type, l, x, in, weights, bias);
        };
    }

    private T plain(String type, JsonNode l, T x, List<T> in, Map<String, OnnxTensorData> weights, T bias) {
        return switch (type) {
            case "Linear" -> linear(x, param(l, "weight", weights), bias);
            case "Flatten" -> {
                long[] shape = shape(x);
                int start = (int) Math.floorMod(l.path("start_dim").asLong(1), shape.length);
                int end = (int) Math.floorMod(l.path("end_dim").asLong(-1), shape.length);
                yield reshape(x, NaiveDense.flattenShape(shape, start, end));
            }
            case "Unflatten" -> {
                long[] shape = shape(x);
                int dim = (int) Math.floorMod(l.get("dim").asLong(), shape.length);
                long[] sizes = tuple(l, "unflattened_size", -1, 0);
                long[] out = new long[shape.length - 1 + sizes.length];
                System.arraycopy(shape, 0, out, 0, dim);
                System.arraycopy(sizes, 0, out, dim, sizes.length);
                System.arraycopy(shape, dim + 1, out, dim + sizes.length, shape.length - dim - 1);
                yield reshape(x, out);
            }
            case "Identity", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d" -> x;
            case "GELU" -> activation(x, l.path("approximate").asText("none").equals("tanh") ? "gelu_tanh" : "gelu",
                    0);
            case "Softmax", "LogSoftmax" -> softmax(x, l.get("dim").asLong(), type.equals("LogSoftmax"));
            case "Add" -> add(in);
            case "Concat" -> cat(in, l.path("dim").asLong(1));
            default -> {
                String name = ACTIVATIONS.get(type);
                if (name == null) {
                    throw new AssertionError("interpreter has no layer type " + type);
                }
                yield activation(x, name, type.equals("LeakyReLU") ? l.path("negative_slope").asDouble(0.01)
                        : l.path("alpha").asDouble(1.0));
            }
        };
    }

    /** A pooling module's stride: stride=None means the kernel size. */
    private static long[] poolStride(JsonNode l, int dims) {
        return l.hasNonNull("stride") ? tuple(l, "stride", dims, -1) : tuple(l, "kernel_size", dims, -1);
    }

    private T param(JsonNode l, String suffix, Map<String, OnnxTensorData> weights) {
        String key = l.get("name").asText() + "." + suffix;
        OnnxTensorData t = weights.get(key);
        if (t == null) {
            throw new AssertionError("no weight " + key + " in " + weights.keySet());
        }
        return weight(t);
    }

    /** An int-or-tuple argument expanded to {@code dims} values (dims -1: a list as is). */
    private static long[] tuple(JsonNode l, String key, int dims, long fallback) {
        JsonNode v = l.get(key);
        if (v == null || v.isNull()) {
            if (fallback < 0) {
                throw new AssertionError("missing " + key + " in " + l);
            }
            long[] out = new long[Math.max(dims, 0)];
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
