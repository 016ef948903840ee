package io.cnn4j.cli;

import io.cnn4j.model.ModelDescription.InputSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --shape} option ({@code NAME=1x3x224x224}, or {@code 1x3x224x224} / {@code 1,3,224,224} for a model with
 * one input) and the input shapes info, bench and soak use: the declared shape with the batch filled in, or the
 * shape given, which a model with free dims besides the batch (an ONNX export with dynamic height and width) needs.
 */
final class InputShapes {
    private InputShapes() {}

    /** Parses every --shape value against the model's inputs; the result maps input names to full shapes. */
    static Map<String, long[]> parse(List<String> values, List<InputSpec> inputs) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String value : values) {
            int eq = value.indexOf('=');
            String name;
            String dims;
            if (eq >= 0) {
                name = value.substring(0, eq);
                dims = value.substring(eq + 1);
                InputSpec spec = find(inputs, name);
                if (spec == null) {
                    throw new IllegalArgumentException("--shape " + value + ": the model has no input '" + name
                            + "'; its inputs are " + names(inputs));
                }
            } else if (inputs.size() == 1) {
                name = inputs.get(0).name();
                dims = value;
            } else {
                throw new IllegalArgumentException("--shape " + value + ": the model has " + inputs.size()
                        + " inputs " + names(inputs) + "; name the input, as in --shape " + inputs.get(0).name() + "="
                        + value);
            }
            if (shapes.put(name, dims(value, dims, find(inputs, name))) != null) {
                throw new IllegalArgumentException("--shape is given twice for input '" + name + "'");
            }
        }
        return shapes;
    }

    private static long[] dims(String value, String text, InputSpec spec) {
        String[] parts = text.split("[x,]", -1);
        long[] dims = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                dims[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                dims[i] = 0;
            }
            if (dims[i] < 1) {
                throw new IllegalArgumentException("--shape " + value + ": sizes must be positive integers separated "
                        + "by x or commas, batch first, as in 1x3x224x224");
            }
        }
        long[] declared = spec.shape();
        boolean fits = dims.length == declared.length;
        for (int i = 0; fits && i < dims.length; i++) {
            fits = declared[i] == -1 || declared[i] == dims[i];
        }
        if (!fits) {
            throw new IllegalArgumentException("--shape " + value + " does not fit input '" + spec.name() + "', "
                    + "declared " + Arrays.toString(declared) + " (-1 = any size; give every dim, the batch first)");
        }
        return dims;
    }

    /**
     * The full input shapes to use: --shape where given, else the declared shape with the batch dim set to
     * {@code batch}. An input with other free dims and no --shape is an error that says what to pass.
     */
    static Map<String, long[]> resolve(Map<String, long[]> given, List<InputSpec> inputs, long batch) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (InputSpec in : inputs) {
            long[] shape = given.get(in.name());
            if (shape == null) {
                shape = in.shape().clone();
                if (shape[0] == -1) {
                    shape[0] = batch;
                }
                if (Arrays.stream(shape).anyMatch(d -> d == -1)) {
                    long[] example = shape.clone();
                    for (int d = 0; d < example.length; d++) {
                        example[d] = example[d] == -1 ? 224 : example[d];
                    }
                    String dims = String.join("x", Arrays.stream(example).mapToObj(Long::toString).toList());
                    throw new IllegalArgumentException("input '" + in.name() + "' has free dims besides the batch "
                            + Arrays.toString(in.shape()) + " (an export with dynamic sizes); say which sizes to use "
                            + "with --shape " + (inputs.size() == 1 ? dims + " or --shape " : "") + in.name() + "="
                            + dims);
                }
            }
            shapes.put(in.name(), shape);
        }
        return shapes;
    }

    /** "x=[1, 3, 224, 224]" (the names dropped for a one-input model). */
    static String describe(Map<String, long[]> shapes) {
        StringBuilder sb = new StringBuilder();
        shapes.forEach((name, shape) -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(shapes.size() == 1 ? "" : name + "=").append(Arrays.toString(shape)));
        return sb.toString();
    }

    private static InputSpec find(List<InputSpec> inputs, String name) {
        return inputs.stream().filter(i -> i.name().equals(name)).findFirst().orElse(null);
    }

    static List<String> names(List<InputSpec> inputs) {
        return inputs.stream().map(InputSpec::name).toList();
    }
}
