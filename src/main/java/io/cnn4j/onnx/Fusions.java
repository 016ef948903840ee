package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Attribute;
import io.cnn4j.onnx.OnnxProto.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Subgraphs that exporters spell as arithmetic, each found before conversion and replaced by the one node a newer
 * opset (or the other exporter) writes: GELU (below), LayerNorm and GroupNorm ({@link NormPatterns}), dynamo's
 * max_unpool ({@link UnpoolPatterns}). Nodes that only the replaced ones read are dropped with them.
 *
 * <p>GELU as exporters spell it before ONNX had a Gelu op (opset 20), found before conversion and replaced by one Gelu
 * node, as opset 20 writes it. torch.onnx.export writes nn.GELU() as
 * {@code Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5)} and nn.GELU(approximate="tanh") as
 * {@code Mul(0.5, Mul(x, Add(1, Tanh(Mul(sqrt(2/pi), Add(x, Mul(0.044715, Mul(x, Mul(x, x)))))))))}; other code
 * writes the same products in another order, multiplies by 1/sqrt 2 instead of dividing, or cubes with Pow. Erf has
 * no cnn4j layer and a product of two computed tensors is not expressible, so unfused these models are refused.
 *
 * <p>Products are compared as a whole: a tree of Mul nodes (and Div or Pow by a constant) is read as one scalar
 * coefficient times a multiset of factors, so any association and operand order matches, while a different
 * coefficient (beyond 1e-6 of the exact value), a missing or extra factor, or an intermediate value that anything
 * else reads (another node or a graph output) leaves the nodes alone, to be converted, or refused, one by one.
 */
final class Fusions {
    private static final double TOLERANCE = 1e-6;
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double TANH_CUBIC = 0.044715;
    private static final int STRING = 3; // AttributeProto.AttributeType
    /** More nodes than any GELU product has: bounds the work (and recursion) on long chains of Mul. */
    private static final int MAX_PRODUCT_NODES = 8;

    final Map<String, Node> producer = new HashMap<>();
    /** How many node inputs (and graph outputs) read each value. */
    final Map<String, Integer> uses = new HashMap<>();
    private final Map<String, OnnxProto.Tensor> initializers;
    final long opset;
    private final Path baseDir;

    private Fusions(List<Node> nodes, List<String> graphOutputs, Map<String, OnnxProto.Tensor> initializers,
            long opset, Path baseDir) {
        this.initializers = initializers;
        this.opset = opset;
        this.baseDir = baseDir;
        for (Node n : nodes) {
            n.outputs().forEach(o -> producer.put(o, n));
            n.inputs().forEach(i -> uses.merge(i, 1, Integer::sum));
        }
        graphOutputs.forEach(o -> uses.merge(o, 1, Integer::sum));
    }

    /** {@code nodes} (live, in file order) with each recognized GELU subgraph replaced by one Gelu node. */
    static List<Node> apply(List<Node> nodes, List<String> graphOutputs, Map<String, OnnxProto.Tensor> initializers,
            long opset, Path baseDir) {
        Fusions f = new Fusions(nodes, graphOutputs, initializers, opset, baseDir);
        Set<Node> absorbed = new HashSet<>();
        Map<Node, Node> replaced = new HashMap<>();
        // Last to first: the outermost Mul of a GELU comes after the nodes it absorbs.
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node root = nodes.get(i);
            if (absorbed.contains(root)) {
                continue;
            }
            Match m = f.gelu(root);
            if (m == null) {
                m = NormPatterns.match(f, root);
            }
            if (m == null) {
                m = UnpoolPatterns.match(f, root);
            }
            if (m != null && m.nodes.stream().noneMatch(absorbed::contains)) {
                absorbed.addAll(m.nodes);
                replaced.put(root, m.gelu);
            }
        }
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (replaced.containsKey(n)) {
                out.add(replaced.get(n));
            } else if (!absorbed.contains(n)) {
                out.add(n);
            }
        }
        return replaced.isEmpty() ? out : live(out, graphOutputs);
    }

    /** {@code nodes} without those no graph output depends on any more (shape arithmetic only a fused chain read). */
    private static List<Node> live(List<Node> nodes, List<String> graphOutputs) {
        Set<String> needed = new HashSet<>(graphOutputs);
        List<Node> kept = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(needed::contains)) {
                kept.add(0, n);
                needed.addAll(n.inputs());
            }
        }
        return kept;
    }

    /** A matched GELU: the nodes it replaces (the root included) and the Gelu node standing for them. */
    record Match(List<Node> nodes, Node gelu) {}

    /** A product read off a tree of nodes: coefficient times factors (value names, repeated per power). */
    private static final class Product {
        double coefficient = 1;
        final List<String> factors = new ArrayList<>();
        final List<Node> nodes = new ArrayList<>();
    }

    /** {@code x * (1 + erf(x / sqrt 2)) * 0.5} or the tanh form rooted at {@code root}, else null. */
    private Match gelu(Node root) {
        if (!isBinary(root, "Mul") && !isBinary(root, "Div")) {
            return null;
        }
        Product outer = new Product();
        expand(root.outputs().get(0), true, outer);
        if (outer.factors.size() != 2 || !near(outer.coefficient, 0.5)) {
            return null;
        }
        for (int i = 0; i < 2; i++) {
            String x = outer.factors.get(i);
            List<Node> nodes = new ArrayList<>(outer.nodes);
            String approximate = onePlus(outer.factors.get(1 - i), x, nodes);
            if (approximate != null && !isConstant(x)) {
                Attribute a = new Attribute("approximate", STRING, null, null, approximate, null, null, null);
                Node g = new Node(root.name(), "Gelu", "", List.of(x), List.of(root.outputs().get(0)),
                        Map.of("approximate", a));
                return new Match(nodes, g);
            }
        }
        return null;
    }

    /**
     * "none" if {@code s} is 1 + erf(x / sqrt 2), "tanh" if it is 1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)), else
     * null; the nodes read are added to {@code nodes}.
     */
    private String onePlus(String s, String x, List<Node> nodes) {
        Node add = interior(s, "Add");
        String inner = add == null ? null : otherThanConstant(add, 1);
        Node fn = inner == null ? null : interior(inner, null);
        if (fn == null || !(fn.opType().equals("Erf") || fn.opType().equals("Tanh")) || fn.inputs().size() != 1) {
            return null;
        }
        Product arg = new Product();
        expand(fn.inputs().get(0), false, arg);
        nodes.add(add);
        nodes.add(fn);
        nodes.addAll(arg.nodes);
        if (fn.opType().equals("Erf")) {
            return arg.factors.equals(List.of(x)) && near(arg.coefficient, INV_SQRT2) ? "none" : null;
        }
        if (arg.factors.size() != 1 || !near(arg.coefficient, SQRT_2_OVER_PI)) {
            return null;
        }
        Node sum = interior(arg.factors.get(0), "Add");
        if (sum == null || sum.inputs().size() != 2) {
            return null;
        }
        for (int i = 0; i < 2; i++) {
            if (sum.inputs().get(i).equals(x)) {
                Product cubic = new Product();
                expand(sum.inputs().get(1 - i), false, cubic);
                if (cubic.factors.equals(List.of(x, x, x)) && near(cubic.coefficient, TANH_CUBIC)) {
                    nodes.add(sum);
                    nodes.addAll(cubic.nodes);
                    return "tanh";
                }
            }
        }
        return null;
    }

    /**
     * Reads {@code value} into {@code p}: a Mul, a Div by a scalar constant or a Pow with a small integer constant
     * exponent that only this product reads (or the root) is opened up, a scalar constant multiplies the
     * coefficient, anything else is a factor.
     */
    private void expand(String value, boolean root, Product p) {
        if (p.nodes.size() > MAX_PRODUCT_NODES) {
            p.coefficient = Double.NaN; // near nothing: no match
            return;
        }
        Double c = scalarConstant(value);
        if (c != null) {
            p.coefficient *= c;
            return;
        }
        Node n = root ? producer.get(value) : interior(value, null);
        if (n != null && isBinary(n, "Mul")) {
            p.nodes.add(n);
            expand(n.inputs().get(0), false, p);
            expand(n.inputs().get(1), false, p);
            return;
        }
        Double divisor = n != null && isBinary(n, "Div") ? scalarConstant(n.inputs().get(1)) : null;
        if (divisor != null && divisor != 0) {
            p.nodes.add(n);
            expand(n.inputs().get(0), false, p);
            p.coefficient /= divisor;
            return;
        }
        Double exponent = n != null && isBinary(n, "Pow") ? scalarConstant(n.inputs().get(1)) : null;
        if (exponent != null && near(exponent, Math.rint(exponent)) && exponent >= 1 && exponent <= 3
                && scalarConstant(n.inputs().get(0)) == null) {
            p.nodes.add(n);
            for (int k = 0; k < Math.rint(exponent); k++) {
                p.factors.add(n.inputs().get(0));
            }
            return;
        }
        p.factors.add(value);
    }

    /** The node producing {@code value} when nothing else reads it (and it is of type {@code op} if given). */
    Node interior(String value, String op) {
        Node n = producer.get(value);
        boolean fits = n != null && uses.getOrDefault(value, 0) == 1 && n.outputs().size() == 1
                && (n.domain().isEmpty() || n.domain().equals("ai.onnx"));
        return fits && (op == null || n.opType().equals(op)) ? n : null;
    }

    static boolean isBinary(Node n, String op) {
        return n.opType().equals(op) && n.inputs().size() == 2 && n.outputs().size() == 1
                && (n.domain().isEmpty() || n.domain().equals("ai.onnx"));
    }

    /** The input of a binary node other than a scalar constant equal to {@code c}, or null. */
    private String otherThanConstant(Node n, double c) {
        if (n.inputs().size() != 2) {
            return null;
        }
        for (int i = 0; i < 2; i++) {
            Double v = scalarConstant(n.inputs().get(i));
            if (v != null && near(v, c) && scalarConstant(n.inputs().get(1 - i)) == null) {
                return n.inputs().get(1 - i);
            }
        }
        return null;
    }

    boolean isConstant(String value) {
        Node n = producer.get(value);
        return n == null ? initializers.containsKey(value) : n.opType().equals("Constant");
    }

    /**
     * The value of a one-element constant of rank 0 or 1 (so broadcasting it never changes a shape): an
     * initializer or a Constant node's output; else null, also when it does not decode (conversion reports that).
     */
    Double scalarConstant(String value) {
        Node n = producer.get(value);
        try {
            ConstTensor t;
            if (n != null && n.opType().equals("Constant") && n.inputs().isEmpty()) {
                t = ConstantFolding.fold(n, List.of(), opset, baseDir);
            } else if (n == null && initializers.containsKey(value)) {
                OnnxProto.Tensor raw = initializers.get(value);
                if (raw.dims().length > 1 || raw.dims().length == 1 && raw.dims()[0] != 1) {
                    return null; // not decoded: weights can be large
                }
                t = ConstTensor.of(raw, baseDir);
            } else {
                return null;
            }
            return t.numel() == 1 && t.rank() <= 1 ? (double) t.floats(value)[0] : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A constant's value (an initializer or a Constant node's output), or null; large ones are decoded too. */
    ConstTensor constant(String value) {
        Node n = producer.get(value);
        try {
            if (n != null && n.opType().equals("Constant") && n.inputs().isEmpty()) {
                return ConstantFolding.fold(n, List.of(), opset, baseDir);
            }
            return n == null && initializers.containsKey(value) ? ConstTensor.of(initializers.get(value), baseDir)
                    : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean near(double a, double b) {
        return Math.abs(a - b) <= TOLERANCE;
    }
}
