package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Layer names and ids from what the exporter left in the file. torch.onnx.export names parameters by their
 * state_dict key ({@code layer1.0.conv1.weight}) unless it folded them ({@code onnx::Conv_35}), and nodes by module
 * scope ({@code /layer1/layer1.0/conv1/Conv}), so converted models keep PyTorch's names where they can be read off.
 */
final class Naming {
    private Naming() {}

    /**
     * The node's module path, else its plain name. torch scopes name a child by its attribute name
     * ({@code /layer1/layer1.0/conv1/Conv}) or, inside Sequential and ModuleList, by its qualified name: joined, the
     * parts before the op give {@code layer1.0.conv1}.
     */
    static List<String> nodeHints(Node n) {
        if (n == null || n.name().isEmpty()) {
            return List.of();
        }
        if (!n.name().startsWith("/")) {
            return List.of(n.name());
        }
        String[] parts = Arrays.stream(n.name().split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        if (parts.length < 2) {
            return List.of(parts);
        }
        String path = parts[0];
        for (int i = 1; i < parts.length - 1; i++) {
            path = parts[i].startsWith(path + ".") ? parts[i] : path + "." + parts[i];
        }
        return List.of(path);
    }

    /** {@code fc1} when the tensor feeding parameter {@code suffix} is called {@code fc1.<suffix>}. */
    static void addParamHint(LayerNode l, String tensorName, String suffix) {
        String ending = "." + suffix;
        if (tensorName.endsWith(ending) && tensorName.length() > ending.length()) {
            String module = tensorName.substring(0, tensorName.length() - ending.length());
            if (!l.paramHints.contains(module)) {
                l.paramHints.add(module);
            }
        }
    }

    /** The best unused identifier from the layer's hints, else from its type ({@code linear}, {@code linear_1}). */
    static String pick(LayerNode l, Set<String> used) {
        for (List<String> hints : List.of(l.paramHints, l.nodeHints)) {
            for (String h : hints) {
                String c = sanitize(h);
                if (!used.contains(c)) {
                    used.add(c);
                    return c;
                }
            }
        }
        String base = !l.paramHints.isEmpty() ? l.paramHints.get(0)
                : !l.nodeHints.isEmpty() ? l.nodeHints.get(0) : l.type.toLowerCase();
        return unique(base, used);
    }

    static String unique(String base, Set<String> used) {
        String b = sanitize(base);
        String c = b;
        for (int i = 1; used.contains(c); i++) {
            c = b + "_" + i;
        }
        used.add(c);
        return c;
    }

    /** Non-empty and not all digits: a layer without name or id is referred to by its index. */
    private static String sanitize(String s) {
        if (s.isEmpty()) {
            return "layer";
        }
        return s.chars().allMatch(Character::isDigit) ? "onnx_" + s : s;
    }
}
