package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.onnx.Value.Act;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes converted layers as a model description (docs/model-format.md): only the layers an output needs, in order;
 * "name" for layers with parameters (their weights are {@code <name>.weight} ...), "id" only where a later layer or the
 * output list refers to an unnamed layer (graph outputs keep their ONNX names as ids), "inputs" only where a layer does
 * not simply take the previous layer's result.
 */
final class ModelWriter {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ModelWriter() {}

    static OnnxImport.Converted write(String modelName, GraphConverter.Result r) {
        Set<String> used = new HashSet<>(r.inputs().keySet());
        List<LayerNode> order = needed(r);
        for (LayerNode l : order) {
            if (l.hasParams()) {
                l.name = Naming.pick(l, used);
            }
        }
        List<String> outputIds = new ArrayList<>();
        Set<LayerNode> outputLayers = new HashSet<>();
        for (Map.Entry<String, Act> o : r.outputs()) {
            LayerNode l = o.getValue().layer;
            if (l == null || !outputLayers.add(l)) { // a model input, or a layer that is already another output
                l = new LayerNode("Identity", null, List.of(o.getValue()), o.getValue().shape);
                order.add(l);
                outputLayers.add(l);
            }
            l.id = o.getKey().equals(l.name) ? null : used.contains(o.getKey()) ? Naming.unique(o.getKey(), used)
                    : o.getKey();
            used.add(o.getKey());
            outputIds.add(ref(l, order));
        }
        for (int i = 0; i < order.size(); i++) {
            LayerNode l = order.get(i);
            if (!takesPrevious(l, i, order, r)) {
                for (Act a : l.inputs) {
                    if (a.layer != null && a.layer.name == null && a.layer.id == null) {
                        a.layer.id = Naming.pick(a.layer, used);
                    }
                }
            }
        }
        for (int i = 0; i < order.size(); i++) {
            LayerNode l = order.get(i);
            if (l.name == null && l.id == null && used.contains(Integer.toString(i))) {
                l.id = Naming.pick(l, used); // its index would clash with an input named like a number
            }
        }
        ObjectNode model = JSON.objectNode();
        model.put("cnn4j", io.cnn4j.model.ModelDescription.FORMAT_VERSION);
        model.put("name", modelName);
        Map<String, OnnxTensorData> weights = new LinkedHashMap<>();
        for (LayerNode l : order) {
            l.params.forEach((suffix, t) -> weights.put(l.name + "." + suffix, t));
        }
        if (!weights.isEmpty()) {
            model.put("weights", modelName + ".safetensors");
        }
        ArrayNode inputs = model.putArray("inputs");
        r.inputs().forEach((name, shape) -> inputs.addObject().put("name", name)
                .set("shape", JsonArgs.list(shape)));
        ArrayNode outputs = model.putArray("outputs");
        outputIds.forEach(outputs::add);
        ArrayNode layers = model.putArray("layers");
        for (int i = 0; i < order.size(); i++) {
            LayerNode l = order.get(i);
            ObjectNode json = layers.addObject();
            json.put("type", l.type);
            if (l.name != null) {
                json.put("name", l.name);
            }
            if (l.id != null) {
                json.put("id", l.id);
            }
            if (!takesPrevious(l, i, order, r)) {
                ArrayNode in = json.putArray("inputs");
                for (Act a : l.inputs) {
                    in.add(a.layer == null ? a.input : ref(a.layer, order));
                }
            }
            json.setAll(l.args);
        }
        return new OnnxImport.Converted(model, weights);
    }

    /** Layers reachable backwards from the outputs, in creation order (which is topological). */
    private static List<LayerNode> needed(GraphConverter.Result r) {
        Set<LayerNode> needed = new HashSet<>();
        Deque<LayerNode> todo = new ArrayDeque<>();
        r.outputs().forEach(o -> {
            if (o.getValue().layer != null) {
                todo.push(o.getValue().layer);
            }
        });
        while (!todo.isEmpty()) {
            LayerNode l = todo.pop();
            if (needed.add(l)) {
                l.inputs.stream().filter(a -> a.layer != null).forEach(a -> todo.push(a.layer));
            }
        }
        List<LayerNode> order = new ArrayList<>();
        for (LayerNode l : r.layers()) {
            if (needed.contains(l)) {
                order.add(l);
            }
        }
        return order;
    }

    /** True when the layer's only input is what the format defaults to: the previous layer or the first input. */
    private static boolean takesPrevious(LayerNode l, int index, List<LayerNode> order, GraphConverter.Result r) {
        if (l.inputs.size() != 1) {
            return false;
        }
        Act a = l.inputs.get(0);
        if (index == 0) {
            return a.layer == null && a.input.equals(r.inputs().keySet().iterator().next());
        }
        return a.layer == order.get(index - 1);
    }

    /** How the format refers to a layer's result: its id, else its name, else its index. */
    private static String ref(LayerNode l, List<LayerNode> order) {
        return l.id != null ? l.id : l.name != null ? l.name : Integer.toString(order.indexOf(l));
    }
}
