package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Const;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Element-wise arithmetic: Add/Sum of computed tensors, x * sigmoid(x) as SiLU (x * hardsigmoid(x) as Hardswish),
 * and a per-channel constant folded into the weights and bias of the Conv, Linear or BatchNorm before it.
 */
final class ArithmeticConverters {
    private ArithmeticConverters() {}

    static void register(Map<String, OpConverter> r) {
        for (String op : new String[] {"Add", "Sub", "Mul", "Div"}) {
            r.put(op, ArithmeticConverters::arithmetic);
        }
        r.put("Sum", ArithmeticConverters::sum);
    }

    private static void sum(ConversionContext cx, Node n) {
        List<Act> in = new ArrayList<>();
        long[] shape = null;
        for (int i = 0; i < n.inputs().size(); i++) {
            Act x = cx.act(n, i);
            shape = shape == null ? x.shape : sameShape(n, shape, x.shape);
            in.add(x);
        }
        if (in.isEmpty()) {
            throw new IllegalArgumentException(n.label() + " has no inputs");
        }
        cx.output(n, in.size() == 1 ? in.get(0) : cx.layer("Add", n, in, shape).out);
    }

    private static void arithmetic(ConversionContext cx, Node n) {
        String op = n.opType();
        Value x = cx.required(n, 0);
        Value y = cx.required(n, 1);
        if (!(x instanceof Const) && !(y instanceof Const)) {
            Act p = cx.materialize(x, n.label());
            Act q = cx.materialize(y, n.label());
            if (op.equals("Add")) {
                long[] shape = sameShape(n, p.shape, q.shape);
                cx.output(n, cx.layer("Add", n, List.of(p, q), shape).out);
            } else if (op.equals("Mul") && gated(cx, p, q) != null) {
                cx.output(n, gated(cx, p, q));
            } else if (op.equals("Mul") && gated(cx, q, p) != null) {
                cx.output(n, gated(cx, q, p));
            } else {
                throw new IllegalArgumentException(n.label() + ": " + op + " of two computed tensors is supported "
                        + (op.equals("Mul") ? "only as x * sigmoid(x) (SiLU) or x * hardsigmoid(x) (Hardswish)"
                        : "by cnn4j only as Add"));
            }
            return;
        }
        boolean constFirst = x instanceof Const;
        if (constFirst && (op.equals("Sub") || op.equals("Div"))) {
            throw new IllegalArgumentException(n.label() + ": a constant " + (op.equals("Sub") ? "minus" : "divided by")
                    + " a computed tensor has no cnn4j layer");
        }
        ConstTensor c = ((Const) (constFirst ? x : y)).tensor;
        Act a = cx.materialize(constFirst ? y : x, n.label());
        float[] v = c.floats(n.label());
        boolean additive = op.equals("Add") || op.equals("Sub");
        float neutral = additive ? 0f : 1f;
        if (allEqual(v, neutral) && broadcastsInto(c.shape, a.shape)) {
            cx.output(n, a); // x + 0, x * 1: nothing to do
            return;
        }
        LayerNode producer = a.layer;
        // ConvTranspose's weight is [in, out / groups, ...]: its bias takes an Add, its rows no per-output scale.
        int channelDim = producer == null || (!additive && producer.type.startsWith("ConvTranspose")) ? -1
                : channelDim(producer);
        float[] perChannel = channelDim < 0 ? null : perChannel(c, a.shape, channelDim);
        if (perChannel == null) {
            throw new IllegalArgumentException(n.label() + ": " + op + " with a constant of shape " + text(c.shape)
                    + " cannot be folded into " + (producer == null ? "the model input" : "the preceding "
                    + producer.type + " (node '" + producer.origin.name() + "')") + "; cnn4j folds a per-channel "
                    + "constant into the weights and bias of a directly preceding Conv, Linear or BatchNorm (and an "
                    + "added one into a ConvTranspose's bias)");
        }
        LayerNode folded = producer.copy();
        if (op.equals("Sub")) {
            perChannel = scaled(perChannel, -1f);
        } else if (op.equals("Div")) {
            for (int i = 0; i < perChannel.length; i++) {
                perChannel[i] = 1f / perChannel[i];
            }
        }
        if (additive) {
            addToBias(folded, perChannel);
        } else {
            scaleOutputs(folded, perChannel);
        }
        cx.addLayer(folded);
        cx.output(n, folded.out);
    }

    /** x * sigmoid(x) -> SiLU, x * hardsigmoid(x) -> Hardswish, as exporters write them; null if not that. */
    private static Act gated(ConversionContext cx, Act x, Act gate) {
        LayerNode g = gate.layer;
        if (g == null || g.inputs.size() != 1 || g.inputs.get(0) != x) {
            return null;
        }
        String type = switch (g.type) {
            case "Sigmoid" -> "SiLU";
            case "Hardsigmoid" -> "Hardswish";
            default -> null;
        };
        if (type == null) {
            return null;
        }
        return cx.layer(type, g.origin, List.of(x), x.shape).out;
    }

    private static long[] sameShape(Node n, long[] p, long[] q) {
        boolean same = p.length == q.length;
        long[] out = p.clone();
        for (int d = 0; same && d < p.length; d++) {
            same = p[d] == q[d] || p[d] < 0 || q[d] < 0;
            out[d] = p[d] >= 0 ? p[d] : q[d];
        }
        if (!same) {
            throw new IllegalArgumentException(n.label() + ": inputs of shapes " + text(p) + " and " + text(q)
                    + "; cnn4j's Add needs equal shapes (no broadcasting)");
        }
        return out;
    }

    /** The dim of a layer's output that its bias runs along, or -1 if it has none. */
    private static int channelDim(LayerNode l) {
        if (l.type.startsWith("Conv") || l.type.startsWith("BatchNorm")) {
            return 1;
        }
        if (l.type.equals("Linear")) {
            return l.shape.length - 1;
        }
        return -1;
    }

    /**
     * A constant's values per channel when it varies only along {@code channelDim} of a tensor of {@code shape}
     * and broadcasting keeps that shape; else null.
     */
    private static float[] perChannel(ConstTensor c, long[] shape, int channelDim) {
        if (c.rank() > shape.length || shape[channelDim] < 0) {
            return null;
        }
        int shift = shape.length - c.rank();
        for (int d = 0; d < c.rank(); d++) {
            if (c.shape[d] != 1 && (d + shift != channelDim || c.shape[d] != shape[channelDim])) {
                return null;
            }
        }
        float[] v = c.floats("");
        float[] out = new float[(int) shape[channelDim]];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
        }
        return out;
    }

    private static boolean broadcastsInto(long[] c, long[] shape) {
        if (c.length > shape.length) {
            return false;
        }
        for (int d = 0; d < c.length; d++) {
            long s = shape[shape.length - c.length + d];
            if (c[d] != 1 && c[d] != s) {
                return false;
            }
        }
        return true;
    }

    private static void addToBias(LayerNode l, float[] add) {
        OnnxTensorData old = l.params.get("bias");
        float[] bias = old == null ? new float[add.length] : old.data().clone();
        for (int i = 0; i < bias.length; i++) {
            bias[i] += add[i];
        }
        l.params.put("bias", new OnnxTensorData(new long[] {bias.length}, bias));
        if (!l.type.startsWith("BatchNorm")) {
            l.args.remove("bias"); // bias=True is the default
        }
    }

    /** Multiplies output channel i by s[i]: weight rows (BatchNorm: the scale) and bias. */
    private static void scaleOutputs(LayerNode l, float[] s) {
        OnnxTensorData w = l.params.get("weight");
        float[] weight = w.data().clone();
        int row = weight.length / s.length;
        for (int i = 0; i < weight.length; i++) {
            weight[i] *= s[i / row];
        }
        l.params.put("weight", new OnnxTensorData(w.shape(), weight));
        OnnxTensorData b = l.params.get("bias");
        if (b != null) {
            float[] bias = b.data().clone();
            for (int i = 0; i < bias.length; i++) {
                bias[i] *= s[i];
            }
            l.params.put("bias", new OnnxTensorData(b.shape(), bias));
        }
    }
}
