package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Attribute;
import io.cnn4j.onnx.OnnxProto.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * torch's max_unpool as the dynamo exporter (torch.onnx.export(dynamo=True)) writes it, matched by its last node and
 * replaced by the one MaxUnpool node the TorchScript exporter's opset would write. Dynamo has no MaxUnpool lowering;
 * it scatters the values into a zero tensor of the output's size at flat indices it computes from the indices a
 * MaxPool returned:
 *
 * <pre>
 *   q    = MaxPool(z, kernel 1, stride 1) output 1              (each element's own flat index)
 *   t    = Sub(MaxPool(z) output 1, Slice(q, [0, 0], [1, 1], axes [2, 3]))   (PyTorch's per-plane indices)
 *   flat = Add(t, Mul(Reshape(Range(0, N * C, 1), [-1, C, 1, 1]), H_out * W_out))
 *   y    = Reshape(ScatterND(Reshape(ConstantOfShape(...), [-1]), Unsqueeze(Reshape(flat, [-1]), -1),
 *                            Reshape(x, [-1])), [-1, C, H_out, W_out])
 * </pre>
 *
 * which is MaxUnpool(x, MaxPool(z) output 1, output_shape [-1, C, H_out, W_out]) with the pool's kernel, strides
 * and pads (the MaxUnpool converter then checks that the output planes have the pooled tensor's size, where ONNX's
 * flat indices and PyTorch's agree). Any intermediate read elsewhere, or another shape of the chain, leaves the nodes
 * alone (and ScatterND, Range are refused as ops cnn4j does not convert).
 */
final class UnpoolPatterns {
    private UnpoolPatterns() {}

    /** The unpooling whose last node is {@code root} (the Reshape after ScatterND), or null. */
    static Fusions.Match match(Fusions f, Node root) {
        if (!root.opType().equals("Reshape") || root.inputs().size() != 2) {
            return null;
        }
        ConstTensor outShape = f.constant(root.inputs().get(1));
        Node scatter = f.interior(root.inputs().get(0), "ScatterND");
        if (outShape == null || outShape.rank() != 1 || outShape.numel() < 3 || scatter == null
                || scatter.inputs().size() != 3 || !new Attributes(scatter).string("reduction", "none").equals("none")) {
            return null;
        }
        long[] out = outShape.longs();
        long plane = 1;
        for (int d = 2; d < out.length; d++) {
            if (out[d] <= 0) {
                return null;
            }
            plane *= out[d];
        }
        List<Node> nodes = new ArrayList<>(List.of(root, scatter));
        Node updates = flattened(f, scatter.inputs().get(2), nodes);
        Node data = flattened(f, scatter.inputs().get(0), nodes);
        Node zeros = data == null ? null : f.interior(data.inputs().get(0), "ConstantOfShape");
        if (updates == null || zeros == null || !isZero(f, zeros)) {
            return null;
        }
        nodes.add(zeros);
        Node unsqueeze = f.interior(scatter.inputs().get(1), "Unsqueeze");
        Node flat = unsqueeze == null ? null : flattened(f, unsqueeze.inputs().get(0), nodes);
        Node add = flat == null ? null : f.interior(flat.inputs().get(0), "Add");
        if (add == null || !Fusions.isBinary(add, "Add")) {
            return null;
        }
        nodes.addAll(List.of(unsqueeze, add));
        for (int i = 0; i < 2; i++) {
            Node offsets = f.interior(add.inputs().get(i), "Mul");
            Node sub = f.interior(add.inputs().get(1 - i), "Sub");
            if (offsets != null && sub != null && planeOffsets(f, offsets, plane, out.length, nodes)) {
                String poolIndices = perPlane(f, sub, out.length - 2, nodes);
                if (poolIndices != null) {
                    nodes.addAll(List.of(offsets, sub));
                    return new Fusions.Match(nodes, unpool(f, root, updates.inputs().get(0), poolIndices));
                }
            }
        }
        return null;
    }

    /** The Reshape(v, [-1]) producing {@code value} (added to {@code nodes}), or null. */
    private static Node flattened(Fusions f, String value, List<Node> nodes) {
        Node r = f.interior(value, "Reshape");
        ConstTensor shape = r == null || r.inputs().size() != 2 ? null : f.constant(r.inputs().get(1));
        if (shape == null || !Arrays.equals(shape.longs(), new long[] {-1})) {
            return null;
        }
        nodes.add(r);
        return r;
    }

    private static boolean isZero(Fusions f, Node constantOfShape) {
        Attribute value = constantOfShape.attributes().get("value");
        if (value == null) {
            return true; // ONNX's default fill is a float 0
        }
        try {
            ConstTensor t = ConstTensor.of(value.t(), null);
            return t.numel() == 1 && t.isFloat() && t.floats("ConstantOfShape value")[0] == 0f;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether {@code mul} is Reshape(Range(0, _, 1), [-1, C, 1, 1]) * plane (its nodes added to {@code nodes}). */
    private static boolean planeOffsets(Fusions f, Node mul, long plane, int rank, List<Node> nodes) {
        if (!Fusions.isBinary(mul, "Mul")) {
            return false;
        }
        for (int i = 0; i < 2; i++) {
            Double k = f.scalarConstant(mul.inputs().get(1 - i));
            Node reshape = f.interior(mul.inputs().get(i), "Reshape");
            ConstTensor shape = reshape == null ? null : f.constant(reshape.inputs().get(1));
            Node range = reshape == null ? null : f.interior(reshape.inputs().get(0), "Range");
            if (k == null || k.doubleValue() != plane || shape == null || shape.numel() != rank || range == null) {
                continue;
            }
            long[] s = shape.longs();
            boolean planes = s[0] == -1 && Arrays.stream(s, 2, rank).allMatch(v -> v == 1);
            if (planes && scalar(f, range.inputs().get(0), 0) && scalar(f, range.inputs().get(2), 1)) {
                nodes.addAll(List.of(reshape, range));
                Node limit = f.interior(range.inputs().get(1), "Mul"); // N * C: read by nothing else
                if (limit != null) {
                    nodes.add(limit);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * The ONNX indices (MaxPool output 1) behind {@code sub} = indices - Slice(own positions, first of each plane),
     * PyTorch's per-plane indices; the Slice and the kernel-1 MaxPool added to {@code nodes}. Null if not that form.
     */
    private static String perPlane(Fusions f, Node sub, int spatial, List<Node> nodes) {
        if (!Fusions.isBinary(sub, "Sub")) {
            return null;
        }
        String indices = sub.inputs().get(0);
        Node pool = f.producer.get(indices);
        Node slice = f.interior(sub.inputs().get(1), "Slice");
        if (pool == null || !isMaxPool(pool) || !indices.equals(pool.outputs().get(1))
                || f.uses.getOrDefault(indices, 0) != 1 || slice == null || slice.inputs().size() < 4) {
            return null;
        }
        String own = slice.inputs().get(0);
        Node positions = f.producer.get(own);
        long[] ones = new long[spatial];
        Arrays.fill(ones, 1);
        long[] axes = new long[spatial];
        Arrays.setAll(axes, d -> d + 2);
        ConstTensor starts = f.constant(slice.inputs().get(1));
        ConstTensor ends = f.constant(slice.inputs().get(2));
        ConstTensor sliceAxes = f.constant(slice.inputs().get(3));
        boolean firstOfPlane = starts != null && ends != null && sliceAxes != null
                && Arrays.equals(starts.longs(), new long[spatial]) && Arrays.equals(ends.longs(), ones)
                && Arrays.equals(sliceAxes.longs(), axes) && (slice.inputs().size() == 4
                || f.constant(slice.inputs().get(4)) != null
                && Arrays.equals(f.constant(slice.inputs().get(4)).longs(), ones));
        Attributes a = positions == null ? null : new Attributes(positions);
        boolean ownIndices = positions != null && isMaxPool(positions) && own.equals(positions.outputs().get(1))
                && positions.inputs().get(0).equals(pool.inputs().get(0)) && f.uses.getOrDefault(own, 0) == 1
                && f.uses.getOrDefault(positions.outputs().get(0), 0) == 0
                && Arrays.equals(a.ints("kernel_shape", null), ones) && Arrays.equals(a.ints("strides", ones), ones)
                && Arrays.equals(a.ints("pads", new long[2 * spatial]), new long[2 * spatial])
                && Arrays.equals(a.ints("dilations", ones), ones);
        if (!firstOfPlane || !ownIndices) {
            return null;
        }
        nodes.addAll(List.of(slice, positions));
        return indices;
    }

    private static boolean scalar(Fusions f, String value, double expected) {
        Double v = f.scalarConstant(value);
        return v != null && v == expected;
    }

    private static boolean isMaxPool(Node n) {
        return n.opType().equals("MaxPool") && n.outputs().size() == 2
                && (n.domain().isEmpty() || n.domain().equals("ai.onnx"));
    }

    /** MaxUnpool(x, indices, output_shape) with the attributes of the MaxPool that returned the indices. */
    private static Node unpool(Fusions f, Node root, String x, String indices) {
        Node pool = f.producer.get(indices);
        Map<String, Attribute> attributes = new HashMap<>();
        for (String key : new String[] {"kernel_shape", "strides", "pads"}) {
            if (pool.attributes().containsKey(key)) {
                attributes.put(key, pool.attributes().get(key));
            }
        }
        return new Node(root.name(), "MaxUnpool", "", List.of(x, indices, root.inputs().get(1)),
                List.of(root.outputs().get(0)), attributes);
    }
}
