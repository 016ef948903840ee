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
 * Element-wise arithmetic as the format's Add, Sub, Mul, Div, Pow, Maximum, Minimum (broadcasting, a one-element
 * constant as a number argument, a larger one as the layer's parameter operand) and Neg, Abs, Sqrt, Exp, Log, Floor,
 * Ceil, Round, Sign, Erf (torch's functions of those names); Mod as Fmod or Remainder. x * sigmoid(x) becomes SiLU (x * hardsigmoid(x)
 * Hardswish), and a per-channel constant is folded into the weights and bias of the Conv, Linear or BatchNorm before
 * it, where that is exact.
 */
final class ArithmeticConverters {
    private ArithmeticConverters() {}

    static void register(Map<String, OpConverter> r) {
        for (String op : new String[] {"Add", "Sub", "Mul", "Div", "Pow"}) {
            r.put(op, ArithmeticConverters::arithmetic);
        }
        r.put("Sum", (cx, n) -> variadic(cx, n, "Add"));
        r.put("Max", (cx, n) -> variadic(cx, n, "Maximum"));
        r.put("Min", (cx, n) -> variadic(cx, n, "Minimum"));
        r.put("Neg", (cx, n) -> unary(cx, n, "Neg"));
        r.put("Abs", (cx, n) -> unary(cx, n, "Abs"));
        r.put("Sqrt", (cx, n) -> unary(cx, n, "Sqrt"));
        r.put("Exp", (cx, n) -> unary(cx, n, "Exp"));
        r.put("Log", (cx, n) -> unary(cx, n, "Log"));
        r.put("Floor", (cx, n) -> unary(cx, n, "Floor"));
        r.put("Ceil", (cx, n) -> unary(cx, n, "Ceil"));
        r.put("Round", (cx, n) -> unary(cx, n, "Round"));
        r.put("Sign", (cx, n) -> unary(cx, n, "Sign"));
        r.put("Erf", (cx, n) -> unary(cx, n, "Erf"));
        r.put("Mod", ArithmeticConverters::mod);
        // 1 / x, as torch.reciprocal computes it: a Div with the number 1 as its input operand.
        r.put("Reciprocal", (cx, n) -> cx.output(n, binary(cx, n, "Div", Const.scalar(1f), cx.required(n, 0))));
    }

    /**
     * Mod as torch.fmod (fmod=1: the sign of the dividend, what ONNX requires for floats) or torch.remainder (fmod=0:
     * the sign of the divisor, Python's and NumPy's %).
     */
    private static void mod(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        long fmod = a.integer("fmod", 0);
        if (fmod != 0 && fmod != 1) {
            throw a.error("fmod", "must be 0 or 1, got fmod=" + fmod);
        }
        cx.output(n, binary(cx, n, fmod == 1 ? "Fmod" : "Remainder", cx.required(n, 0), cx.required(n, 1)));
    }

    private static void unary(ConversionContext cx, Node n, String type) {
        Act x = cx.act(n, 0);
        cx.output(n, cx.layer(type, n, List.of(x), x.shape).out);
    }

    /** Sum, Max, Min of one or more inputs: a chain of two-operand layers, left to right; scalar constants allowed. */
    private static void variadic(ConversionContext cx, Node n, String type) {
        if (n.inputs().isEmpty()) {
            throw new IllegalArgumentException(n.label() + " has no inputs");
        }
        Value acc = cx.required(n, 0);
        for (int i = 1; i < n.inputs().size(); i++) {
            acc = binary(cx, n, type, acc, cx.required(n, i));
        }
        if (acc instanceof Const) {
            throw new IllegalArgumentException(n.label() + ": all inputs are constants");
        }
        cx.output(n, cx.materialize(acc, n.label()));
    }

    private static void arithmetic(ConversionContext cx, Node n) {
        String op = n.opType();
        Value x = cx.required(n, 0);
        Value y = cx.required(n, 1);
        if (!(x instanceof Const) && !(y instanceof Const)) {
            Act p = cx.materialize(x, n.label());
            Act q = cx.materialize(y, n.label());
            Act gate = !op.equals("Mul") ? null : gated(cx, p, q) != null ? gated(cx, p, q) : gated(cx, q, p);
            cx.output(n, gate != null ? gate : binary(cx, n, op, p, q));
            return;
        }
        if (!op.equals("Pow")) {
            Act folded = foldIntoProducer(cx, n, op, x, y);
            if (folded != null) {
                cx.output(n, folded);
                return;
            }
        }
        cx.output(n, binary(cx, n, op, x, y));
    }

    /**
     * The layer for {@code p op q} (op an ONNX op or a format type) where at least one is computed: both computed
     * broadcast against each other; a one-element constant becomes the layer's number argument.
     */
    static Act binary(ConversionContext cx, Node n, String op, Value p, Value q) {
        String type = switch (op) {
            case "Max" -> "Maximum";
            case "Min" -> "Minimum";
            default -> op;
        };
        if (p instanceof Const && q instanceof Const) {
            throw new IllegalArgumentException(n.label() + ": both operands are constants");
        }
        if (!(p instanceof Const) && !(q instanceof Const)) {
            Act a = cx.materialize(p, n.label());
            Act b = cx.materialize(q, n.label());
            return cx.layer(type, n, List.of(a, b), broadcast(n, a.shape, b.shape)).out;
        }
        boolean constFirst = p instanceof Const;
        ConstTensor c = ((Const) (constFirst ? p : q)).tensor;
        Act a = cx.materialize(constFirst ? q : p, n.label());
        long[] shape = broadcast(n, a.shape, constantShape(n, op, c, a.shape));
        LayerNode l = cx.layer(type, n, List.of(a), shape);
        if (c.numel() == 1) { // of rank <= the input's: a number operand broadcasts the same
            l.args.set(constFirst ? "input" : "other", number(c.floats(n.label())[0]));
        } else { // a tensor: the layer's parameter, broadcast as PyTorch does
            l.args.put(constFirst ? "input" : "other", CONSTANT);
            cx.param(l, CONSTANT, c, n, constFirst ? 0 : 1);
        }
        return l.out;
    }

    /** The name of a tensor operand's parameter (under the layer's name) in converted models. */
    private static final String CONSTANT = "constant";

    /**
     * A constant operand's shape aligned to a computed operand of shape {@code against} (leading 1s), refusing one that
     * would broadcast over the batch dim.
     */
    static long[] constantShape(Node n, String op, ConstTensor c, long[] against) {
        if (c.rank() > against.length || c.rank() == against.length && c.shape[0] != 1) {
            throw new IllegalArgumentException(n.label() + ": " + op + " with a constant of shape " + text(c.shape)
                    + " against the input of shape " + text(against) + " would broadcast over the batch dim (dim 0), "
                    + "which cnn4j models keep free; give the constant fewer dims than the input or size 1 in dim 0");
        }
        return padded(c.shape, against.length);
    }

    /** A shape with leading 1s up to {@code rank} dims (how broadcasting aligns it from the right). */
    private static long[] padded(long[] shape, int rank) {
        long[] out = new long[rank];
        java.util.Arrays.fill(out, 1);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }

    /** NumPy broadcasting of two shapes whose -1 dims are known only at run time (the batch dim among them). */
    static long[] broadcast(Node n, long[] p, long[] q) {
        int rank = Math.max(p.length, q.length);
        if (p.length != q.length) {
            throw new IllegalArgumentException(n.label() + ": inputs of shapes " + text(p) + " and " + text(q)
                    + " have different ranks; broadcasting would move the batch dim, which cnn4j keeps as dim 0");
        }
        long[] out = new long[rank];
        for (int d = 0; d < rank; d++) {
            long a = p[d];
            long b = q[d];
            if (a >= 0 && b >= 0 && a != b && a != 1 && b != 1) {
                throw new IllegalArgumentException(n.label() + ": inputs of shapes " + text(p) + " and " + text(q)
                        + " do not broadcast: dim " + d + " is " + a + " against " + b);
            }
            out[d] = a == 1 ? b : b == 1 ? a : a >= 0 ? a : b;
        }
        return out;
    }

    /**
     * {@code x op c} with a per-channel constant folded into the weights and bias of the Conv, Linear or BatchNorm
     * that computes x (a changed copy: other readers of x keep the original); null when that is not possible.
     */
    private static Act foldIntoProducer(ConversionContext cx, Node n, String op, Value x, Value y) {
        boolean constFirst = x instanceof Const;
        if (constFirst && (op.equals("Sub") || op.equals("Div"))) {
            return null;
        }
        ConstTensor c = ((Const) (constFirst ? x : y)).tensor;
        Act a = cx.materialize(constFirst ? y : x, n.label());
        float[] v = c.floats(n.label());
        boolean additive = op.equals("Add") || op.equals("Sub");
        float neutral = additive ? 0f : 1f;
        if (allEqual(v, neutral) && broadcastsInto(c.shape, a.shape)) {
            return a; // x + 0, x * 1: nothing to do
        }
        LayerNode producer = a.layer;
        // ConvTranspose's weight is [in, out / groups, ...]: its bias takes an Add, its rows no per-output scale.
        int channelDim = producer == null || (!additive && producer.type.startsWith("ConvTranspose")) ? -1
                : channelDim(producer);
        float[] perChannel = channelDim < 0 ? null : perChannel(c, a.shape, channelDim);
        if (perChannel == null) {
            return null;
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
        return folded.out;
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
