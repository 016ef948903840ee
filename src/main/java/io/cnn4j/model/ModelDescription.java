package io.cnn4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.Limits;
import io.cnn4j.preprocess.Resample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed model file (versions 1 and 2 of {@code docs/model-format.md}): its inputs, outputs, layers with their ids
 * and input ids resolved, and the optional preprocess and labels. Parsing checks the structure only; arguments and
 * weights are checked when the layers are created.
 */
public record ModelDescription(String name, String weights, List<InputSpec> inputs, List<String> outputs,
        Preprocess preprocess, List<String> labels, List<LayerSpec> layers) {

    /** The newest format version this reader knows; it reads every version from 1 up to it. */
    public static final int FORMAT_VERSION = 2;

    /** One model input; {@code -1} in the shape means any size (the batch dim, typically). */
    public record InputSpec(String name, long[] shape) {}

    /** One layer: the JSON object, with its id and the ids of the values it consumes resolved. */
    public record LayerSpec(int index, String type, String name, String id, List<String> inputs, ObjectNode node) {
        public String describe() {
            return "layer " + index + (name != null ? " '" + name + "'" : "") + " (" + type + ")";
        }
    }

    /**
     * torchvision-order image preprocessing: Resize (to {@code resize} [H, W], or the shorter side to
     * {@code resizeShorter} keeping the aspect ratio, with the longer side at most {@code maxSize} when that is not 0,
     * or only the longer side to {@code maxSize} as torchvision.transforms.v2's {@code Resize(None, max_size)}; PIL's
     * filter {@code interpolation}), CenterCrop ({@code crop} [H, W] or null), ToTensor (with scale), Normalize.
     * {@code color} is the mode the decoded image is converted to first, as {@code Image.open(f).convert("RGB")} or
     * {@code "L"}.
     */
    public record Preprocess(int[] resize, int resizeShorter, int maxSize, String interpolation, int[] crop,
            String color, double scale, float[] mean, float[] std) {
        /** Without max_size. */
        public Preprocess(int[] resize, int resizeShorter, String interpolation, int[] crop, String color,
                double scale, float[] mean, float[] std) {
            this(resize, resizeShorter, 0, interpolation, crop, color, scale, mean, std);
        }

        /** Format versions 1 and 2 before crops: resize to [H, W] (bilinear) or not at all, no crop. */
        public Preprocess(int[] resize, String color, double scale, float[] mean, float[] std) {
            this(resize, 0, 0, "bilinear", null, color, scale, mean, std);
        }
    }

    public static ModelDescription parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": a model file must be a JSON object with \"cnn4j\": 1, "
                    + "\"inputs\" and \"layers\"");
        }
        JsonNode version = root.get("cnn4j");
        if (version == null) {
            throw new IllegalArgumentException(source + ": missing \"cnn4j\": the format version (this reader knows "
                    + "1 to " + FORMAT_VERSION + ")");
        }
        if (!version.isIntegralNumber() || version.asInt() < 1 || version.asInt() > FORMAT_VERSION) {
            throw new IllegalArgumentException(source + ": unsupported cnn4j format version " + version
                    + "; this reader knows versions 1 to " + FORMAT_VERSION + " (a newer cnn4j may read it)");
        }
        String name = text(root, "name", source);
        String weights = text(root, "weights", source);
        List<InputSpec> inputs = parseInputs(root.get("inputs"), source);
        JsonNode layersNode = root.get("layers");
        if (layersNode == null || !layersNode.isArray() || layersNode.isEmpty()) {
            throw new IllegalArgumentException(source + ": \"layers\" must be a non-empty list of layer objects");
        }
        Limits.LAYERS.check(source, "\"layers\"", layersNode.size());
        Map<String, Integer> definedAt = new HashMap<>(); // value id -> layer index (-1 for model inputs)
        for (InputSpec in : inputs) {
            definedAt.put(in.name(), -1);
        }
        Map<String, Integer> allIds = new HashMap<>();
        for (int i = 0; i < layersNode.size(); i++) {
            JsonNode l = layersNode.get(i);
            if (l.isObject()) {
                allIds.putIfAbsent(layerId(l, i), i);
            }
        }
        List<LayerSpec> layers = new ArrayList<>();
        String previous = inputs.get(0).name();
        for (int i = 0; i < layersNode.size(); i++) {
            JsonNode l = layersNode.get(i);
            if (!l.isObject()) {
                throw new IllegalArgumentException(source + ": layer " + i + " must be a JSON object, got " + l);
            }
            JsonNode typeNode = l.get("type");
            if (typeNode == null || !typeNode.isTextual()) {
                throw new IllegalArgumentException(source + ": layer " + i + " has no \"type\" (a PyTorch class name "
                        + "such as \"Conv2d\")");
            }
            String type = typeNode.asText();
            String layerName = text(l, "name", source + ": layer " + i);
            String id = layerId(l, i);
            String where = "layer " + i + (layerName != null ? " '" + layerName + "'" : "") + " (" + type + ")";
            if (definedAt.containsKey(id)) {
                throw new IllegalArgumentException(source + ": " + where + " has id '" + id + "', which "
                        + (definedAt.get(id) < 0 ? "is a model input's name" : "layer " + definedAt.get(id)
                        + " already uses") + "; ids must be unique");
            }
            List<String> layerInputs = new ArrayList<>();
            JsonNode in = l.get("inputs");
            if (in == null || in.isNull()) {
                layerInputs.add(previous);
            } else {
                if (!in.isArray() || in.isEmpty()) {
                    throw new IllegalArgumentException(source + ": " + where + ": \"inputs\" must be a non-empty list "
                            + "of ids, got " + in);
                }
                Limits.FAN_IN.check(source + ": " + where, "\"inputs\"", in.size());
                for (JsonNode ref : in) {
                    String refId = ref.isTextual() || ref.isIntegralNumber() ? ref.asText() : null;
                    if (refId == null || !definedAt.containsKey(refId)) {
                        String why = refId != null && allIds.containsKey(refId)
                                ? "comes later (layer " + allIds.get(refId) + "); a layer can only use earlier results"
                                : "does not exist (known so far: " + someIds(definedAt.keySet()) + ")";
                        throw new IllegalArgumentException(source + ": " + where + ": input " + ref + " " + why);
                    }
                    layerInputs.add(refId);
                }
            }
            definedAt.put(id, i);
            layers.add(new LayerSpec(i, type, layerName, id, Collections.unmodifiableList(layerInputs),
                    (ObjectNode) l));
            previous = id;
        }
        List<String> outputs = new ArrayList<>();
        JsonNode out = root.get("outputs");
        if (out == null || out.isNull()) {
            outputs.add(previous);
        } else {
            if (!out.isArray() || out.isEmpty()) {
                throw new IllegalArgumentException(source + ": \"outputs\" must be a non-empty list of layer ids");
            }
            for (JsonNode o : out) {
                if (!definedAt.containsKey(o.asText()) || definedAt.get(o.asText()) < 0) {
                    throw new IllegalArgumentException(source + ": output '" + o.asText() + "' is not a layer id");
                }
                outputs.add(o.asText());
            }
        }
        return new ModelDescription(name, weights, inputs, outputs, parsePreprocess(root.get("preprocess"), source),
                parseLabels(root.get("labels"), source), layers);
    }

    /** Up to 20 ids for a message: a model may have a million. */
    private static String someIds(java.util.Set<String> ids) {
        return String.join(", ", ids.stream().limit(20).toList()) + (ids.size() > 20 ? ", ... (" + ids.size()
                + " in all)" : "");
    }

    private static String layerId(JsonNode l, int index) {
        JsonNode id = l.get("id");
        if (id != null && !id.isNull()) {
            return id.asText();
        }
        JsonNode name = l.get("name");
        return name != null && name.isTextual() ? name.asText() : Integer.toString(index);
    }

    private static String text(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string, got " + v);
        }
        return v.asText();
    }

    private static List<InputSpec> parseInputs(JsonNode node, String source) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException(source + ": \"inputs\" must be a non-empty list like "
                    + "[{\"name\": \"image\", \"shape\": [-1, 1, 28, 28]}]");
        }
        List<InputSpec> inputs = new ArrayList<>();
        for (JsonNode in : node) {
            JsonNode name = in.get("name");
            JsonNode shape = in.get("shape");
            if (name == null || !name.isTextual() || shape == null || !shape.isArray() || shape.isEmpty()) {
                throw new IllegalArgumentException(source + ": each input needs a \"name\" and a \"shape\" list "
                        + "(batch dim included, -1 for any size), got " + in);
            }
            Limits.RANK.check(source + ": input '" + name.asText() + "'", "\"shape\"", shape.size());
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                JsonNode d = shape.get(i);
                if (!d.isIntegralNumber() || (d.asLong() < 1 && d.asLong() != -1)) {
                    throw new IllegalArgumentException(source + ": input '" + name.asText() + "' has shape " + shape
                            + "; sizes must be positive integers or -1");
                }
                dims[i] = d.asLong();
            }
            inputs.add(new InputSpec(name.asText(), dims));
        }
        return Collections.unmodifiableList(inputs);
    }

    /**
     * A preprocess block from its own JSON file (an ONNX model's sidecar {@code model.onnx.preprocess.json}, or any
     * file given to the CLI's {@code --preprocess}), checked.
     *
     * @throws IllegalArgumentException if it is not a valid preprocess block (the message names the file)
     */
    public static Preprocess readPreprocess(java.nio.file.Path file) throws java.io.IOException {
        return parsePreprocess(ModelLoader.readPreprocessFile(file), file.toString());
    }

    /** The keys of a preprocess block, in torchvision's order of the steps they configure. */
    private static final List<String> PREPROCESS_KEYS = List.of("color", "resize", "max_size", "interpolation",
            "crop", "scale", "mean", "std");

    /**
     * A preprocess block (the model JSON's {@code "preprocess"}, or a sidecar file's), checked; null for a missing or
     * null node. {@code source} names where it comes from in messages.
     */
    public static Preprocess parsePreprocess(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            return null;
        }
        String where = source + ": preprocess";
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object like {\"resize\": 256, \"crop\": 224, "
                    + "\"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225]}, got " + node.getNodeType());
        }
        // A key this reader does not know would be ignored, and the image preprocessed otherwise than the file means
        // (a misspelt "max_size" would not cap anything): refused instead, naming the keys there are.
        for (java.util.Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!PREPROCESS_KEYS.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown key \"" + key + "\"; the keys are "
                        + String.join(", ", PREPROCESS_KEYS) + " (docs/model-format.md, \"Preprocess\")");
            }
        }
        int[] resize = null;
        int resizeShorter = 0;
        JsonNode r = node.get("resize");
        if (r != null && !r.isNull()) {
            if (r.isIntegralNumber() && r.canConvertToInt() && r.asInt() >= 1) {
                resizeShorter = r.asInt();
            } else {
                resize = size(r, where + ": \"resize\" must be [height, width] or one number (the shorter side, "
                        + "as torchvision's Resize(256)), got " + r);
            }
        }
        int maxSize = 0;
        JsonNode m = node.get("max_size");
        if (m != null && !m.isNull()) {
            if (!m.isIntegralNumber() || !m.canConvertToInt() || m.asInt() < 1) {
                throw new IllegalArgumentException(where + ": \"max_size\" must be a positive whole number (the "
                        + "longest the longer side may be after Resize, as torchvision's Resize(256, max_size=N)), "
                        + "got " + m);
            }
            maxSize = m.asInt();
            if (resize != null) {
                throw new IllegalArgumentException(where + ": \"max_size\" goes with \"resize\": N (the shorter "
                        + "side), not with \"resize\": [height, width], as in torchvision's Resize");
            }
            if (resizeShorter > 0 && maxSize <= resizeShorter) {
                throw new IllegalArgumentException(where + ": \"max_size\" " + maxSize + " must be greater than "
                        + "\"resize\" " + resizeShorter + " (the shorter side), as torchvision's Resize requires");
            }
        }
        JsonNode c = node.get("crop");
        int[] crop = c == null || c.isNull() ? null : c.isIntegralNumber() && c.canConvertToInt() && c.asInt() >= 1
                ? new int[] {c.asInt(), c.asInt()}
                : size(c, where + ": \"crop\" must be [height, width] or one number (a square, as torchvision's "
                        + "CenterCrop(224)), got " + c);
        String named = text(node, "interpolation", where);
        String interpolation = named == null ? "bilinear" : named;
        if (java.util.Arrays.stream(Resample.Filter.values())
                .noneMatch(f -> f.name().toLowerCase(java.util.Locale.ROOT).equals(interpolation))) {
            throw new IllegalArgumentException(where + ": \"interpolation\" must be " + Resample.Filter.names()
                    + " (torchvision's InterpolationMode in lower case, PIL's filters), got " + interpolation);
        }
        String color = text(node, "color", where);
        if (color == null) {
            color = "rgb";
        }
        if (!color.equals("rgb") && !color.equals("bgr") && !color.equals("grayscale")) {
            throw new IllegalArgumentException(where + ": \"color\" must be grayscale, rgb or bgr, got " + color);
        }
        JsonNode s = node.get("scale");
        double scale = s == null || s.isNull() ? 1.0 / 255 : s.asDouble();
        int channels = color.equals("grayscale") ? 1 : 3;
        float[] mean = floats(node.get("mean"), channels, 0f, where + ": \"mean\"");
        float[] std = floats(node.get("std"), channels, 1f, where + ": \"std\"");
        for (float v : std) {
            if (!(v > 0)) {
                throw new IllegalArgumentException(where + ": \"std\" values must be positive, got " + node.get("std"));
            }
        }
        return new Preprocess(resize, resizeShorter, maxSize, interpolation, crop, color, scale, mean, std);
    }

    private static int[] size(JsonNode n, String message) {
        if (!n.isArray() || n.size() != 2 || !n.get(0).isIntegralNumber() || !n.get(1).isIntegralNumber()
                || n.get(0).asInt() < 1 || n.get(1).asInt() < 1 || !n.get(0).canConvertToInt()
                || !n.get(1).canConvertToInt()) {
            throw new IllegalArgumentException(message);
        }
        return new int[] {n.get(0).asInt(), n.get(1).asInt()};
    }

    private static float[] floats(JsonNode node, int n, float fill, String where) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, fill);
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray() || node.size() != n) {
            throw new IllegalArgumentException(where + " must be a list of " + n + " numbers (one per channel), got "
                    + node);
        }
        for (int i = 0; i < n; i++) {
            out[i] = (float) node.get(i).asDouble();
        }
        return out;
    }

    private static List<String> parseLabels(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(source + ": \"labels\" must be a list of strings");
        }
        List<String> labels = new ArrayList<>();
        node.forEach(l -> labels.add(l.asText()));
        return Collections.unmodifiableList(labels);
    }
}
