package io.cnn4j.onnx;

import io.cnn4j.Limits;
import io.cnn4j.onnx.OnnxProto.Attribute;
import io.cnn4j.onnx.OnnxProto.Function;
import io.cnn4j.onnx.OnnxProto.Graph;
import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.OnnxProto.OpsetId;
import io.cnn4j.onnx.OnnxProto.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inlines model-local ONNX functions (ModelProto.functions, which onnxscript and torch's dynamo exporter can write)
 * into the main graph before conversion, as {@code onnx.inliner.inline_local_functions} does: each call becomes the
 * function's body, with the formal inputs and outputs bound to the call's values, every other value of the body
 * renamed to a name of its own ("call/inner", unique in the graph), attribute references ({@code ref_attr_name})
 * bound to the call's attributes or the function's defaults (an attribute neither gives is left out, as ONNX
 * specifies), and calls inside a body inlined in turn.
 *
 * <p>A hostile file cannot make this run away: a function that calls itself (directly or through others) is refused
 * with the chain of calls, nesting is at most {@link #MAX_DEPTH} calls deep, and the inlined graph may hold at most
 * {@link Limits#ONNX_NODES} nodes (functions calling functions twice can otherwise double the graph per level).
 */
final class FunctionInliner {
    /** The deepest chain of calls inlined. */
    static final int MAX_DEPTH = 64;

    private final Map<String, Function> functions = new HashMap<>();
    private final long opset;
    private final Set<String> taken = new HashSet<>();
    private final List<Node> out = new ArrayList<>();

    private FunctionInliner(List<Function> functions, long opset) {
        this.opset = opset;
        for (Function f : functions) {
            if (this.functions.put(f.key(), f) != null) {
                throw new IllegalArgumentException("the model defines the function " + f.key() + " twice");
            }
        }
    }

    /** {@code graph} with every call of a function of {@code functions} inlined; itself when it calls none. */
    static Graph inline(Graph graph, List<Function> functions, long opset) {
        if (functions.isEmpty()) {
            return graph;
        }
        FunctionInliner inliner = new FunctionInliner(functions, opset);
        if (graph.nodes().stream().noneMatch(n -> inliner.function(n) != null)) {
            return graph;
        }
        inliner.reserveNames(graph);
        for (Node n : graph.nodes()) {
            inliner.add(n, new ArrayDeque<>());
        }
        return new Graph(graph.name(), List.copyOf(inliner.out), graph.initializers(), graph.sparseInitializers(),
                graph.inputs(), graph.outputs(), graph.valueInfo());
    }

    private Function function(Node n) {
        return functions.get(OnnxProto.callKey(n.domain(), n.opType(), n.overload()));
    }

    private void reserveNames(Graph graph) {
        for (Node n : graph.nodes()) {
            taken.addAll(n.inputs());
            taken.addAll(n.outputs());
        }
        graph.inputs().forEach(v -> taken.add(v.name()));
        graph.outputs().forEach(v -> taken.add(v.name()));
        graph.valueInfo().forEach(v -> taken.add(v.name()));
        for (Tensor t : graph.initializers()) {
            taken.add(t.name());
        }
        taken.addAll(graph.sparseInitializers());
    }

    /** Appends {@code n}, or the inlined body when it calls a function; {@code calls}: the functions being inlined. */
    private void add(Node n, Deque<String> calls) {
        Function f = function(n);
        if (f == null) {
            if (Limits.ONNX_NODES.exceeded(out.size() + 1)) {
                throw new IllegalArgumentException("inlining the model's functions: "
                        + Limits.ONNX_NODES.problem("the inlined graph"));
            }
            out.add(n);
            return;
        }
        String chain = calls.isEmpty() ? f.key() : String.join(" -> ", reversed(calls)) + " -> " + f.key();
        if (calls.contains(f.key())) {
            throw new IllegalArgumentException(n.label() + " calls the function " + f.key() + " within itself ("
                    + chain + "); a recursive function never ends when inlined, and cnn4j inlines every call");
        }
        if (calls.size() >= MAX_DEPTH) {
            throw new IllegalArgumentException(n.label() + ": the model's functions nest more than " + MAX_DEPTH
                    + " calls deep (" + chain + "), cnn4j's limit");
        }
        checkOpset(n, f);
        if (n.inputs().size() > f.inputs().size() || n.outputs().size() > f.outputs().size()) {
            throw new IllegalArgumentException(n.label() + " calls the function " + f.key() + " with "
                    + n.inputs().size() + " inputs and " + n.outputs().size() + " outputs; it declares "
                    + f.inputs().size() + " and " + f.outputs().size());
        }
        String caller = n.name().isEmpty() ? (n.outputs().isEmpty() ? f.name() : n.outputs().get(0)) : n.name();
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < f.inputs().size(); i++) {
            names.put(f.inputs().get(i), i < n.inputs().size() ? n.inputs().get(i) : "");
        }
        for (int i = 0; i < f.outputs().size(); i++) {
            String actual = i < n.outputs().size() ? n.outputs().get(i) : "";
            names.put(f.outputs().get(i), actual.isEmpty() ? fresh(caller + "/" + f.outputs().get(i)) : actual);
        }
        calls.push(f.key());
        for (Node inner : f.nodes()) {
            List<String> inputs = new ArrayList<>(inner.inputs().size());
            for (String v : inner.inputs()) {
                inputs.add(v.isEmpty() ? "" : names.computeIfAbsent(v, k -> fresh(caller + "/" + k)));
            }
            List<String> outputs = new ArrayList<>(inner.outputs().size());
            for (String v : inner.outputs()) {
                outputs.add(v.isEmpty() ? "" : names.computeIfAbsent(v, k -> fresh(caller + "/" + k)));
            }
            Map<String, Attribute> attributes = new LinkedHashMap<>();
            for (Attribute a : inner.attributes().values()) {
                if (a.refAttrName() == null) {
                    attributes.put(a.name(), a);
                    continue;
                }
                Attribute bound = n.attributes().get(a.refAttrName());
                if (bound == null) {
                    bound = f.attributeDefaults().get(a.refAttrName());
                }
                if (bound != null) {
                    attributes.put(a.name(), bound.renamed(a.name()));
                }
            }
            String local = !inner.name().isEmpty() ? inner.name()
                    : inner.outputs().isEmpty() || inner.outputs().get(0).isEmpty() ? inner.opType()
                    : inner.outputs().get(0); // unique in the body (each value has one producer)
            String name = caller + "/" + local;
            add(new Node(name, inner.opType(), inner.domain(), List.copyOf(inputs), List.copyOf(outputs),
                    Collections.unmodifiableMap(attributes), inner.overload()), calls);
        }
        calls.pop();
    }

    /** A function whose body reads the default domain at another opset than the model's is refused. */
    private void checkOpset(Node n, Function f) {
        for (OpsetId id : f.opsets()) {
            if ((id.domain().isEmpty() || id.domain().equals("ai.onnx")) && id.version() != opset) {
                throw new IllegalArgumentException(n.label() + " calls the function " + f.key() + ", whose body "
                        + "imports ONNX opset " + id.version() + " where the model imports " + opset + "; cnn4j "
                        + "converts one opset: inline and convert it first (onnx.inliner.inline_local_functions, "
                        + "then onnx.version_converter.convert_version)");
            }
        }
    }

    /** {@code base}, or base#k for the first k that is free: a name no value of the graph has. */
    private String fresh(String base) {
        String name = base;
        for (int k = 2; !taken.add(name); k++) {
            name = base + "#" + k;
        }
        return name;
    }

    private static List<String> reversed(Deque<String> calls) {
        List<String> l = new ArrayList<>(calls);
        Collections.reverse(l);
        return l;
    }
}
