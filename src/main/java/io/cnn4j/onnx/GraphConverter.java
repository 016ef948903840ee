package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Graph;
import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Const;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one ONNX graph into cnn4j layers: each live node (one an output depends on) in file order becomes a layer,
 * a pending value ({@link Value}) or a constant, with shapes inferred along the way. Nodes on constants only are
 * folded ({@link ConstantFolding}); the others go to their op's converter ({@link OpConverters}, one class per op
 * family), which maps them onto PyTorch's modules with PyTorch's arguments or fails with a message naming the node
 * and what is wrong. GELU spelled as arithmetic (before opset 20) is fused into one node first ({@link Fusions}).
 */
final class GraphConverter {
    private final Graph graph;
    private final ConversionContext cx;

    /** {@code graph}: with the model's functions already inlined ({@link FunctionInliner}). */
    GraphConverter(Graph graph, long opset, Path baseDir) {
        this.graph = graph;
        this.cx = new ConversionContext(opset, baseDir);
    }

    /** Layers in creation (topological) order, model inputs, and for each graph output its name and value. */
    record Result(List<LayerNode> layers, Map<String, long[]> inputs, List<Map.Entry<String, Act>> outputs) {}

    Result convert() {
        for (OnnxProto.Tensor t : graph.initializers()) {
            cx.initializers.put(t.name(), t);
        }
        declareInputs();
        List<Node> live = Fusions.apply(liveNodes(), graph.outputs().stream().map(OnnxProto.ValueInfo::name).toList(),
                cx.initializers, cx.opset, cx.baseDir);
        checkSupported(live);
        graph.outputs().forEach(o -> cx.used.add(o.name()));
        live.forEach(n -> cx.used.addAll(n.inputs()));
        for (Node n : live) {
            NodeChecks.inContext(n, () -> {
                convertNode(n);
                Value out = cx.values.get(n.outputs().get(0));
                if (!(out instanceof Const)) {
                    NodeChecks.checkSampleSize("its output '" + n.outputs().get(0) + "'", out.shape);
                }
            });
        }
        List<Map.Entry<String, Act>> outputs = new ArrayList<>();
        for (OnnxProto.ValueInfo o : graph.outputs()) {
            Value v = cx.values.containsKey(o.name()) ? cx.values.get(o.name()) : cx.constantOrNull(o.name());
            if (v == null) {
                throw new IllegalArgumentException("graph output '" + o.name() + "' is not produced by any node");
            }
            if (v instanceof Const) {
                throw new IllegalArgumentException("graph output '" + o.name() + "' is a constant; cnn4j models "
                        + "compute their outputs from their inputs");
            }
            outputs.add(Map.entry(o.name(), cx.materialize(v, "graph output '" + o.name() + "'")));
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("the graph has no outputs");
        }
        return new Result(cx.layers, cx.inputs, outputs);
    }

    private void declareInputs() {
        for (OnnxProto.ValueInfo in : graph.inputs()) {
            if (cx.initializers.containsKey(in.name())) {
                continue; // IR < 4 lists initializers as inputs too: they are weights, not model inputs
            }
            String where = "graph input '" + in.name() + "'";
            if (!in.isTensor() || in.dims() == null) {
                throw new IllegalArgumentException(where + " has no tensor shape; cnn4j needs at least its rank");
            }
            if (in.elemType() != ConstTensor.FLOAT) {
                throw new IllegalArgumentException(where + " is " + ConstTensor.typeName(in.elemType())
                        + "; cnn4j models take float32 inputs");
            }
            long[] dims = in.dims().clone();
            if (dims.length == 0) {
                throw new IllegalArgumentException(where + " is a scalar; cnn4j inputs have a batch dim");
            }
            for (int d = 1; d < dims.length; d++) {
                if (dims[d] == 0) {
                    throw new IllegalArgumentException(where + " has a zero-size dim in " + Arrays.toString(dims));
                }
            }
            NodeChecks.checkSampleSize(where, dims);
            if (cx.inputs.isEmpty() && dims[0] > 0) {
                cx.staticBatch = dims[0];
            }
            dims[0] = -1; // the batch dim: any size, whatever the exporter fixed
            cx.inputs.put(in.name(), dims);
            cx.values.put(in.name(), new Act(dims, null, in.name()));
        }
        if (cx.inputs.isEmpty()) {
            throw new IllegalArgumentException("the graph has no inputs besides its initializers");
        }
    }

    /** Nodes an output depends on, in file order; unused branches are ignored even if unsupported. */
    private List<Node> liveNodes() {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    producer.put(o, n);
                }
            }
        }
        Set<Node> live = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        graph.outputs().forEach(o -> todo.push(o.name()));
        while (!todo.isEmpty()) {
            Node n = producer.get(todo.pop());
            if (n != null && live.add(n)) {
                n.inputs().forEach(todo::push);
            }
        }
        return graph.nodes().stream().filter(live::contains).toList();
    }

    private void checkSupported(List<Node> live) {
        List<String> unsupported = new ArrayList<>();
        for (Node n : live) {
            boolean defaultDomain = n.domain().isEmpty() || n.domain().equals("ai.onnx");
            if (!defaultDomain || !(OpConverters.forOp(n.opType()) != null || ConstantFolding.OPS.contains(n.opType()))) {
                unsupported.add((defaultDomain ? "" : n.domain() + ":") + n.label());
            }
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("unsupported ONNX ops: " + String.join(", ", unsupported));
        }
    }

    private void convertNode(Node n) {
        String op = n.opType();
        boolean allConst = true;
        for (int i = 0; i < n.inputs().size(); i++) {
            Value v = cx.input(n, i);
            allConst &= v == null || v instanceof Const;
        }
        if (allConst && ConstantFolding.OPS.contains(op)) {
            List<ConstTensor> in = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                Value v = cx.input(n, i);
                in.add(v == null ? null : ((Const) v).tensor);
            }
            cx.output(n, new Const(ConstantFolding.fold(n, in, cx.opset, cx.baseDir)));
            return;
        }
        if (ConstantFolding.CONSTANT_ONLY.contains(op) && OpConverters.forOp(op) == null) {
            throw new IllegalArgumentException(n.label() + " acts on a tensor computed from the model input; cnn4j "
                    + "evaluates " + op + " only on constants and shapes");
        }
        OpConverter converter = OpConverters.forOp(op);
        if (converter == null) {
            throw new IllegalStateException("no converter for " + op);
        }
        converter.convert(cx, n);
    }
}
