package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Attribute;
import io.cnn4j.onnx.OnnxProto.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Normalizations exporters spell as other ops, each matched by its last node and replaced by the one node a newer
 * opset writes.
 *
 * <p>GroupNorm as torch.onnx.export writes it below opset 18:
 * {@code Reshape(InstanceNormalization(Reshape(x, [0, G, -1]), ones, zeros), Shape(x))}, optionally followed by
 * {@code Mul(., weight)} and {@code Add(., bias)} with weight and bias of one value per channel ([C, 1, 1]): one
 * GroupNormalization with per-channel scale and bias (attribute {@value #PER_CHANNEL}, as opset 21 defines them).
 *
 * <p>LayerNorm as exporters spelled it before ONNX had LayerNormalization (opset 17), and as hand-written layer norms
 * (ConvNeXt's channels-first one) export at any opset:
 * {@code d = Sub(x, ReduceMean(x, axes)); y = Div(d, Sqrt(Add(ReduceMean(Pow(d, 2), axes), eps)))}, optionally
 * followed by {@code Mul(y, gamma)} and then {@code Add(., beta)} with constant gamma and beta (either operand order;
 * {@code Mul(d, d)} for the square). The match becomes one LayerNormalization node carrying the reduced axes in the
 * attribute {@value #AXES}, which its converter turns into a LayerNorm over trailing dims, or, for one inner dim
 * (channels of NCHW), a LayerNorm between two Permutes. Anything else — different axes in the two means, keepdims=0,
 * a non-scalar eps, an intermediate read elsewhere — leaves the nodes alone.
 */
final class NormPatterns {
    /** The synthesized node's attribute listing the ReduceMean axes (not an ONNX attribute). */
    static final String AXES = "cnn4j_reduce_axes";
    /** The synthesized GroupNormalization's attribute saying scale and bias are per channel at any opset. */
    static final String PER_CHANNEL = "cnn4j_per_channel";
    private static final int INT = 2;
    private static final int FLOAT = 1;
    private static final int INTS = 7;

    private NormPatterns() {}

    /** The group or layer norm whose last node is {@code root}, or null. */
    static Fusions.Match match(Fusions f, Node root) {
        Fusions.Match m = groupNorm(f, root);
        return m != null ? m : layerNorm(f, root);
    }

    /** The layer norm whose last node is {@code root} (a Div, Mul or Add), or null. */
    private static Fusions.Match layerNorm(Fusions f, Node root) {
        Node add = Fusions.isBinary(root, "Add") ? root : null;
        String beta = null;
        Node mul = null;
        String gamma = null;
        Node div = root;
        if (add != null) {
            for (int i = 0; i < 2 && mul == null; i++) {
                Node m = f.interior(add.inputs().get(i), "Mul");
                if (m != null && f.isConstant(add.inputs().get(1 - i))) {
                    mul = m;
                    beta = add.inputs().get(1 - i);
                }
            }
            if (mul == null) {
                return null;
            }
        } else if (Fusions.isBinary(root, "Mul")) {
            mul = root;
        }
        if (mul != null) {
            div = null;
            for (int i = 0; i < 2 && div == null; i++) {
                Node d = mul == root ? f.producer.get(mul.inputs().get(i)) : f.interior(mul.inputs().get(i), "Div");
                if (d != null && Fusions.isBinary(d, "Div") && f.isConstant(mul.inputs().get(1 - i))
                        && (mul != root || f.uses.getOrDefault(mul.inputs().get(i), 0) == 1)) {
                    div = d;
                    gamma = mul.inputs().get(1 - i);
                }
            }
            if (div == null) {
                return null;
            }
        }
        return normalization(f, root, div, mul, gamma, add, beta);
    }

    /** Div(Sub(x, mean), Sqrt(Add(mean of squares, eps))) with the affine nodes around it, or null. */
    private static Fusions.Match normalization(Fusions f, Node root, Node div, Node mul, String gamma, Node add,
            String beta) {
        if (!Fusions.isBinary(div, "Div")) {
            return null;
        }
        String d = div.inputs().get(0);
        Node sub = f.producer.get(d);
        Node sqrt = f.interior(div.inputs().get(1), "Sqrt");
        if (sub == null || !Fusions.isBinary(sub, "Sub") || sqrt == null || sqrt.inputs().size() != 1) {
            return null;
        }
        String x = sub.inputs().get(0);
        Node mean = f.interior(sub.inputs().get(1), "ReduceMean");
        Node plusEps = f.interior(sqrt.inputs().get(0), "Add");
        if (mean == null || plusEps == null || plusEps.inputs().size() != 2 || !mean.inputs().get(0).equals(x)) {
            return null;
        }
        Double eps = null;
        Node variance = null;
        for (int i = 0; i < 2 && variance == null; i++) {
            eps = f.scalarConstant(plusEps.inputs().get(i));
            variance = eps == null ? null : f.interior(plusEps.inputs().get(1 - i), "ReduceMean");
        }
        Node square = variance == null ? null : f.interior(variance.inputs().get(0), null);
        boolean squares = square != null && (Fusions.isBinary(square, "Mul")
                && square.inputs().get(0).equals(d) && square.inputs().get(1).equals(d)
                || Fusions.isBinary(square, "Pow") && square.inputs().get(0).equals(d)
                && Double.valueOf(2).equals(f.scalarConstant(square.inputs().get(1))));
        long[] axes = squares ? axes(f, mean) : null;
        // d is read by the square (once, or twice by Mul(d, d)) and the Div, and by nothing else.
        int dUses = square != null && square.opType().equals("Mul") ? 3 : 2;
        if (axes == null || !Arrays.equals(axes, axes(f, variance)) || f.uses.getOrDefault(d, 0) != dUses
                || f.uses.getOrDefault(sub.inputs().get(1), 0) != 1) {
            return null;
        }
        List<Node> nodes = new ArrayList<>(List.of(mean, sub, square, variance, plusEps, sqrt, div));
        List<String> inputs = new ArrayList<>(List.of(x));
        if (mul != null) {
            nodes.add(mul);
            inputs.add(gamma);
        } else {
            inputs.add("");
        }
        if (add != null) {
            nodes.add(add);
            inputs.add(beta);
        }
        Map<String, Attribute> attributes = new HashMap<>();
        attributes.put("epsilon", new Attribute("epsilon", FLOAT, (float) (double) eps, null, null, null, null, null));
        attributes.put(AXES, new Attribute(AXES, INTS, null, null, null, null, null, axes));
        Node fused = new Node(root.name(), "LayerNormalization", "", inputs, List.of(root.outputs().get(0)),
                attributes);
        return new Fusions.Match(nodes, fused);
    }

    /** A ReduceMean's axes (attribute before opset 18, constant input after) if it keeps dims, else null. */
    private static long[] axes(Fusions f, Node mean) {
        Attributes a = new Attributes(mean);
        try {
            if (a.integer("keepdims", 1) != 1 || a.integer("noop_with_empty_axes", 0) != 0) {
                return null;
            }
            long[] axes = a.ints("axes", null);
            if (mean.inputs().size() > 1 && !mean.inputs().get(1).isEmpty()) {
                ConstTensor t = f.constant(mean.inputs().get(1));
                axes = t == null ? null : t.knownLongs(mean.label());
            }
            return axes == null || axes.length == 0 ? null : axes;
        } catch (IllegalArgumentException e) {
            return null; // malformed: converted, and reported, node by node
        }
    }
    /** The group norm whose last node is {@code root} (the Reshape back, or the Mul / Add after it), or null. */
    private static Fusions.Match groupNorm(Fusions f, Node root) {
        List<Node> nodes = new ArrayList<>();
        String[] affine = {"", ""};
        Node back = root;
        if (Fusions.isBinary(root, "Add")) {
            back = null;
            for (int i = 0; i < 2 && back == null; i++) {
                Node m = f.interior(root.inputs().get(i), "Mul");
                if (m != null && f.isConstant(root.inputs().get(1 - i))) {
                    affine[1] = root.inputs().get(1 - i);
                    back = m;
                }
            }
            if (back == null) {
                return null;
            }
            nodes.add(root);
        }
        if (Fusions.isBinary(back, "Mul")) {
            Node mul = back;
            back = null;
            for (int i = 0; i < 2 && back == null; i++) {
                Node r = f.interior(mul.inputs().get(i), "Reshape");
                if (r != null && f.isConstant(mul.inputs().get(1 - i))) {
                    affine[0] = mul.inputs().get(1 - i);
                    back = r;
                }
            }
            if (back == null) {
                return null;
            }
            nodes.add(mul);
        }
        if (!back.opType().equals("Reshape") || back.inputs().size() != 2 || back.outputs().size() != 1) {
            return null;
        }
        Node norm = f.interior(back.inputs().get(0), "InstanceNormalization");
        Node shape = f.producer.get(back.inputs().get(1));
        Node split = norm == null || norm.inputs().size() != 3 ? null : f.interior(norm.inputs().get(0), "Reshape");
        if (split == null || shape == null || !shape.opType().equals("Shape") || shape.inputs().size() != 1
                || !shape.inputs().get(0).equals(split.inputs().get(0)) || shape.attributes().containsKey("start")
                || shape.attributes().containsKey("end")) {
            return null;
        }
        ConstTensor target = f.constant(split.inputs().get(1));
        ConstTensor ones = f.constant(norm.inputs().get(1));
        ConstTensor zeros = f.constant(norm.inputs().get(2));
        if (target == null || ones == null || zeros == null || target.rank() != 1 || target.numel() != 3
                || !ones.isFloat() || !zeros.isFloat()) {
            return null;
        }
        long[] t = target.longs();
        if (t[0] != 0 || t[1] <= 0 || t[2] != -1 || !all(ones.floats(""), 1) || !all(zeros.floats(""), 0)) {
            return null;
        }
        nodes.addAll(List.of(back, norm, split));
        if (f.uses.getOrDefault(back.inputs().get(1), 0) == 1) {
            nodes.add(shape); // the Shape feeds only this Reshape
        }
        Map<String, Attribute> attributes = new HashMap<>();
        attributes.put("num_groups", new Attribute("num_groups", INT, null, t[1], null, null, null, null));
        attributes.put(PER_CHANNEL, new Attribute(PER_CHANNEL, INT, null, 1L, null, null, null, null));
        Attribute eps = norm.attributes().get("epsilon");
        if (eps != null) {
            attributes.put("epsilon", eps);
        }
        Node fused = new Node(root.name(), "GroupNormalization", "", List.of(split.inputs().get(0), affine[0],
                affine[1]), List.of(root.outputs().get(0)), attributes);
        return new Fusions.Match(nodes, fused);
    }

    private static boolean all(float[] v, float x) {
        for (float f : v) {
            if (f != x) {
                return false;
            }
        }
        return true;
    }
}
