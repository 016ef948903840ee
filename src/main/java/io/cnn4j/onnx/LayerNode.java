package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cnn4j.onnx.OnnxProto.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer of the model being built: PyTorch type, constructor arguments, inputs, parameters by state_dict suffix
 * ({@code weight}, {@code bias}, {@code running_mean}, {@code running_var}) and output shape. Folding never edits a
 * layer another value may already use; it builds a changed {@link #copy()}, and layers no output needs are dropped
 * when the model is written.
 */
final class LayerNode {
    final String type;
    final Node origin;
    final List<Value.Act> inputs;
    final long[] shape;
    final ObjectNode args = JsonNodeFactory.instance.objectNode();
    final Map<String, OnnxTensorData> params = new LinkedHashMap<>();
    /** Module paths read off parameter names ({@code fc1.weight} -> {@code fc1}): the best names. */
    final List<String> paramHints = new ArrayList<>();
    /** Names read off the ONNX node ({@code /layer1/layer1.0/conv1/Conv} -> {@code layer1.0.conv1}). */
    final List<String> nodeHints = new ArrayList<>();
    final Value.Act out;
    String name;
    String id;

    LayerNode(String type, Node origin, List<Value.Act> inputs, long[] shape) {
        this.type = type;
        this.origin = origin;
        this.inputs = List.copyOf(inputs);
        this.shape = shape;
        this.out = new Value.Act(shape, this, null);
    }

    LayerNode copy() {
        LayerNode c = new LayerNode(type, origin, inputs, shape);
        c.args.setAll(args.deepCopy());
        c.params.putAll(params);
        c.paramHints.addAll(paramHints);
        c.nodeHints.addAll(nodeHints);
        return c;
    }

    boolean hasParams() {
        return !params.isEmpty();
    }

    @Override
    public String toString() {
        return type + (origin == null ? "" : " (node '" + origin.name() + "')");
    }
}
