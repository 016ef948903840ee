package io.cnn4j.layers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvWeight;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The arguments of one layer in a model file, read once by its factory with PyTorch's names and defaults, and its
 * weights. Every error names the layer and the field, e.g.
 * {@code layer 2 'features.3' (Conv2d): kernel_size must be an int or a list of 2 ints, got "3x3"}.
 * An argument nobody read is refused by {@link #finish()}, as PyTorch refuses an unknown keyword.
 */
public final class LayerArgs {
    /** Keys of the layer object that are not constructor arguments. */
    private static final Set<String> STRUCTURAL = Set.of("type", "name", "id", "inputs");

    private final int index;
    private final String type;
    private final String name;
    private final ObjectNode node;
    private final WeightSource weights;
    private final boolean exactConvolutions;
    private final Set<String> read = new HashSet<>(STRUCTURAL);

    /** @param exactConvolutions convolutions never use Winograd (the model-level switch) */
    public LayerArgs(int index, String type, String name, ObjectNode node, WeightSource weights,
            boolean exactConvolutions) {
        this.index = index;
        this.type = type;
        this.name = name;
        this.node = node;
        this.weights = weights;
        this.exactConvolutions = exactConvolutions;
    }

    /** Whether convolutions must run the exact im2col path (never Winograd). */
    public boolean exactConvolutions() {
        return exactConvolutions;
    }

    public String type() {
        return type;
    }

    /** The module path ({@code features.0}), or null for a layer without parameters and no name. */
    public String name() {
        return name;
    }

    /** How messages refer to this layer. */
    public String context() {
        return "layer " + index + (name != null ? " '" + name + "'" : "") + " (" + type + ")";
    }

    public IllegalArgumentException error(String message) {
        return new IllegalArgumentException(context() + ": " + message);
    }

    /**
     * An op's refusal as this layer's error: messages that already name a layer pass through, others get this
     * layer's context in front.
     */
    public RuntimeException inContext(RuntimeException e) {
        String message = e.getMessage();
        return message != null && message.startsWith("layer ") ? e : error(message);
    }

    /** Whether the argument is given and not null (it counts as read: null is an explicit default). */
    public boolean has(String key) {
        read.add(key);
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    private JsonNode take(String key) {
        read.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    public int requiredInt(String key) {
        JsonNode v = take(key);
        if (v == null) {
            throw error("missing required argument " + key);
        }
        return asInt(key, v);
    }

    public int integer(String key, int defaultValue) {
        JsonNode v = take(key);
        return v == null ? defaultValue : asInt(key, v);
    }

    public double number(String key, double defaultValue) {
        JsonNode v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw error(key + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    public boolean bool(String key, boolean defaultValue) {
        JsonNode v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw error(key + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    public String string(String key, String defaultValue, String... allowed) {
        JsonNode v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isTextual() || (allowed.length > 0 && !Arrays.asList(allowed).contains(v.asText()))) {
            throw error(key + " must be " + (allowed.length > 0 ? "one of " + Arrays.toString(allowed) : "a string")
                    + ", got " + v);
        }
        return v.asText();
    }

    /** An int-or-tuple argument: a number, or a list of {@code dims} numbers; null (absent) gives {@code defaultValue}. */
    public int[] intOrTuple(String key, int dims, int[] defaultValue) {
        JsonNode v = take(key);
        if (v == null) {
            if (defaultValue == null) {
                throw error("missing required argument " + key);
            }
            return defaultValue;
        }
        return asTuple(key, v, dims);
    }

    /** A padding-like argument that may also be a string ("same"/"valid"); returns a String or an int[]. */
    public Object intTupleOrString(String key, int dims, int[] defaultValue, String... strings) {
        JsonNode v = node.get(key);
        if (v != null && v.isTextual()) {
            return string(key, null, strings);
        }
        return intOrTuple(key, dims, defaultValue);
    }

    /** An output_size-like argument: an int, or a list of {@code dims} ints or nulls (null keeps the input size). */
    public Integer[] nullableTuple(String key, int dims) {
        JsonNode v = take(key);
        if (v == null) {
            throw error("missing required argument " + key);
        }
        Integer[] out = new Integer[dims];
        if (v.isNumber()) {
            Arrays.fill(out, asInt(key, v));
            return out;
        }
        if (!v.isArray() || v.size() != dims) {
            throw error(key + " must be an int or a list of " + dims + " ints or nulls, got " + v);
        }
        for (int i = 0; i < dims; i++) {
            out[i] = v.get(i).isNull() ? null : asInt(key, v.get(i));
        }
        return out;
    }

    /** A list of ints of any length (e.g. Unflatten's unflattened_size). */
    public int[] intList(String key) {
        JsonNode v = take(key);
        if (v == null || !v.isArray()) {
            throw error(key + " must be a list of ints, got " + v);
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asInt(key, v.get(i));
        }
        return out;
    }

    /** A number or a list of numbers (e.g. Upsample's scale_factor) as a list; null when absent. */
    public double[] numberOrList(String key) {
        JsonNode v = take(key);
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            return new double[] {v.asDouble()};
        }
        if (!v.isArray() || v.isEmpty()) {
            throw error(key + " must be a number or a non-empty list of numbers, got " + v);
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw error(key + " must be a number or a non-empty list of numbers, got " + v);
            }
            out[i] = v.get(i).asDouble();
        }
        return out;
    }

    /** An int or a list of ints (e.g. Upsample's size) as a list; null when absent. */
    public long[] intOrList(String key) {
        JsonNode v = take(key);
        if (v == null) {
            return null;
        }
        if (v.isArray() && v.isEmpty()) {
            throw error(key + " must be an int or a non-empty list of ints, got " + v);
        }
        int[] values = v.isArray() ? null : new int[] {asInt(key, v)};
        long[] out = new long[values != null ? 1 : v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values != null ? values[0] : asInt(key, v.get(i));
        }
        return out;
    }

    /** A boolean that may be null (Python's None), as Upsample's align_corners: null when absent or null. */
    public Boolean nullableBool(String key) {
        JsonNode v = take(key);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw error(key + " must be true, false or null, got " + v);
        }
        return v.asBoolean();
    }

    /** The parameter {@code <name>.<suffix>}, which must exist with exactly {@code expectedShape}. */
    public Tensor weight(String suffix, long... expectedShape) {
        Tensor t = optionalWeight(suffix, expectedShape);
        if (t == null) {
            throw error("the weights file has no tensor '" + key(suffix) + "' (expected shape "
                    + Arrays.toString(expectedShape) + ")");
        }
        return t;
    }

    /** Whether the argument is given as a string (e.g. a parameter operand's attribute name). */
    public boolean isString(String key) {
        JsonNode v = node.get(key);
        return v != null && v.isTextual();
    }

    /** The parameter {@code <name>.<attribute>} in whatever shape it has (a module's own nn.Parameter). */
    public Tensor parameter(String attribute) {
        if (name == null) {
            throw error("a parameter operand needs a \"name\": the module path that holds '" + attribute + "'");
        }
        String key = key(attribute);
        if (weights.shape(key) == null) {
            throw error("the weights file has no tensor '" + key + "'");
        }
        return weights.load(key);
    }

    /**
     * How to read parameter {@code <name>.<suffix>} again after the model is built, or null where it cannot be (see
     * {@link WeightSource#reloadable}).
     */
    public ConvWeight.Source reloadable(String suffix) {
        return weights.reloadable(key(suffix));
    }

    /** Like {@link #weight}, but null when the weights file has no such tensor. */
    public Tensor optionalWeight(String suffix, long... expectedShape) {
        if (name == null) {
            throw error("a layer with parameters needs a \"name\": the module path whose state_dict() keys hold "
                    + "its tensors (e.g. \"features.0\" for features.0.weight)");
        }
        String key = key(suffix);
        long[] shape = weights.shape(key);
        if (shape == null) {
            return null;
        }
        if (!Arrays.equals(shape, expectedShape)) {
            throw error("weight '" + key + "' has shape " + Arrays.toString(shape) + ", but the layer's arguments "
                    + "need " + Arrays.toString(expectedShape));
        }
        return weights.load(key);
    }

    private String key(String suffix) {
        return name + "." + suffix;
    }

    /** Refuses arguments that no one read: a misspelt or unsupported keyword. */
    public void finish() {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!read.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw error("unknown argument" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + " (arguments use PyTorch's constructor names)");
        }
    }

    private int asInt(String key, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error(key + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    private int[] asTuple(String key, JsonNode v, int dims) {
        if (v.isIntegralNumber()) {
            return new int[] {asInt(key, v)};
        }
        if (!v.isArray() || v.size() != dims) {
            throw error(key + " must be an int or a list of " + dims + " ints, got " + v);
        }
        int[] out = new int[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = asInt(key, v.get(i));
        }
        return out;
    }
}
