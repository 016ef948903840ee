package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Const;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Comparisons, logic and selection on float tensors, as ONNX's function bodies (the {@code _expanded} forms of
 * LeakyRelu, Elu, Selu, PRelu, ThresholdedRelu, Shrink, Clip, LessOrEqual ...) and the dynamo exporter spell them:
 * Less, Greater, LessOrEqual, GreaterOrEqual, Equal become the format's Lt, Gt, Le, Ge, Eq, whose float32 1/0 output
 * is cnn4j's form of an ONNX BOOL tensor; Not, And, Or of such tensors are Eq(c, 0), Mul and Maximum, exact on 1/0;
 * Where is torch.where, except that {@code Where(Less(a, b), b, a)} is torch.maximum(a, b) and
 * {@code Where(Less(a, b), a, b)} torch.minimum(a, b) (Clip's lowering; Greater alike), one layer instead of two.
 * {@code CastLike(x, t)} to a float type is x itself (cnn4j computes float32), and so is {@code Cast(x, to=FLOAT)} of a
 * computed tensor (MaxPool's indices and comparison results are float32 in cnn4j already) or a Cast to BOOL of a
 * comparison's result; a Cast to another type is refused. A BOOL tensor from elsewhere (a graph input) is refused:
 * cnn4j models take float32 inputs.
 */
final class ConditionConverters {
    private ConditionConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Less", (cx, n) -> compare(cx, n, "Lt"));
        r.put("Greater", (cx, n) -> compare(cx, n, "Gt"));
        r.put("LessOrEqual", (cx, n) -> compare(cx, n, "Le"));
        r.put("GreaterOrEqual", (cx, n) -> compare(cx, n, "Ge"));
        r.put("Equal", (cx, n) -> compare(cx, n, "Eq"));
        r.put("Not", ConditionConverters::not);
        r.put("And", (cx, n) -> logic(cx, n, "Mul"));
        r.put("Or", (cx, n) -> logic(cx, n, "Maximum"));
        r.put("Where", ConditionConverters::where);
        r.put("CastLike", ConditionConverters::castLike);
        r.put("Cast", ConditionConverters::cast);
    }

    /** Cast of a computed tensor (a Cast of constants is folded before converters are asked). */
    private static void cast(ConversionContext cx, Node n) {
        long to = new Attributes(n).integer("to", 0);
        Value x = cx.required(n, 0);
        boolean bool = x instanceof Value.Comparison || x instanceof Act a && cx.booleans.contains(a);
        if (to == ConstTensor.FLOAT || to == ConstTensor.BOOL && bool) {
            cx.output(n, x);
            return;
        }
        throw new IllegalArgumentException(n.label() + ": the target data type is " + ConstTensor.typeName((int) to)
                + "; cnn4j computes float32 tensors and casts a computed one only to FLOAT (or a comparison's result "
                + "to BOOL)");
    }

    private static void compare(ConversionContext cx, Node n, String type) {
        Value a = cx.required(n, 0);
        Value b = cx.required(n, 1);
        if (a instanceof Const && b instanceof Const) {
            throw new IllegalArgumentException(n.label() + ": both operands are constants");
        }
        for (int i = 0; i < 2; i++) {
            Value v = i == 0 ? a : b;
            if (v instanceof Const c && !c.tensor.isFloat()) {
                throw new IllegalArgumentException(n.label() + ": operand '" + n.inputs().get(i) + "' is not a float "
                        + "tensor; cnn4j computes float32 tensors and compares them only with float constants");
            }
        }
        cx.output(n, new Value.Comparison(shapeOf(n, a, b), n, type));
    }

    /** The broadcast shape of a comparison's operands (at least one computed). */
    private static long[] shapeOf(Node n, Value a, Value b) {
        if (a instanceof Const c) {
            return ArithmeticConverters.broadcast(n, b.shape, ArithmeticConverters.constantShape(n, n.opType(),
                    c.tensor, b.shape));
        }
        if (b instanceof Const c) {
            return ArithmeticConverters.broadcast(n, a.shape, ArithmeticConverters.constantShape(n, n.opType(),
                    c.tensor, a.shape));
        }
        return ArithmeticConverters.broadcast(n, a.shape, b.shape);
    }

    /** Input {@code i} of {@code n} as a BOOL tensor cnn4j computed: a comparison or logic result. */
    private static Act bool(ConversionContext cx, Node n, int i, String role) {
        Value v = cx.required(n, i);
        Act a = v instanceof Value.Comparison || v instanceof Act ? cx.materialize(v, n.label()) : null;
        if (a == null || !cx.booleans.contains(a)) {
            throw new IllegalArgumentException(n.label() + ": its " + role + " ('" + n.inputs().get(i) + "') is not "
                    + "the result of a comparison (Less, Greater, Equal ...) or of Not / And / Or of one; cnn4j "
                    + "computes float32 tensors and takes BOOL tensors only as such results"
                    + (v instanceof Const ? " (a constant condition is not a model input's function: fold it "
                    + "before export)" : ""));
        }
        return a;
    }

    private static void not(ConversionContext cx, Node n) {
        Act c = bool(cx, n, 0, "input");
        Act out = ArithmeticConverters.binary(cx, n, "Eq", c, Const.scalar(0f));
        cx.booleans.add(out);
        cx.output(n, out);
    }

    private static void logic(ConversionContext cx, Node n, String type) {
        Act out = ArithmeticConverters.binary(cx, n, type, bool(cx, n, 0, "first input"), bool(cx, n, 1,
                "second input"));
        cx.booleans.add(out);
        cx.output(n, out);
    }

    private static void where(ConversionContext cx, Node n) {
        Value cond = cx.required(n, 0);
        Value x = cx.required(n, 1);
        Value y = cx.required(n, 2);
        if (cond instanceof Value.Comparison c && c.materialized == null) {
            String minMax = minMax(c, n.inputs().get(1), n.inputs().get(2));
            if (minMax != null) {
                cx.output(n, ArithmeticConverters.binary(cx, n, minMax, cx.required(c.node, 0),
                        cx.required(c.node, 1)));
                return;
            }
        }
        Act condition = bool(cx, n, 0, "condition");
        List<Act> inputs = new ArrayList<>(List.of(condition));
        long[] shape = condition.shape;
        Value[] operands = {x, y};
        String[] names = {"input", "other"};
        for (int i = 0; i < 2; i++) {
            Value v = operands[i];
            if (v instanceof Const k) {
                shape = ArithmeticConverters.broadcast(n, shape, ArithmeticConverters.constantShape(n, "Where",
                        k.tensor, condition.shape));
            } else {
                Act a = cx.materialize(v, n.label());
                inputs.add(a);
                shape = ArithmeticConverters.broadcast(n, shape, a.shape);
            }
        }
        LayerNode l = cx.layer("Where", n, inputs, shape);
        for (int i = 0; i < 2; i++) {
            if (operands[i] instanceof Const k) {
                if (!k.tensor.isFloat()) {
                    throw new IllegalArgumentException(n.label() + ": its " + names[i] + " ('" + n.inputs().get(i + 1)
                            + "') is not a float tensor; cnn4j computes float32 tensors");
                }
                if (k.tensor.numel() == 1) {
                    l.args.set(names[i], JsonArgs.number(k.tensor.floats(n.label())[0]));
                } else {
                    l.args.put(names[i], names[i]);
                    cx.param(l, names[i], k.tensor, n, i + 1);
                }
            }
        }
        cx.output(n, l.out);
    }

    /**
     * "Maximum" for Where(a < b, b, a) or Where(a > b, a, b), "Minimum" for Where(a < b, a, b) or Where(a > b, b, a)
     * (x, y the selected names), else null.
     */
    private static String minMax(Value.Comparison c, String x, String y) {
        String a = c.node.inputs().get(0);
        String b = c.node.inputs().get(1);
        boolean lower = x.equals(a) && y.equals(b);
        boolean upper = x.equals(b) && y.equals(a);
        return switch (c.type) {
            case "Lt" -> upper ? "Maximum" : lower ? "Minimum" : null;
            case "Gt" -> lower ? "Maximum" : upper ? "Minimum" : null;
            default -> null;
        };
    }

    private static void castLike(ConversionContext cx, Node n) {
        Value x = cx.required(n, 0);
        Value target = cx.required(n, 1);
        if (target instanceof Const t && !t.tensor.isFloat()) {
            throw new IllegalArgumentException(n.label() + ": it casts to the type of '" + n.inputs().get(1)
                    + "', which is not a float; cnn4j computes float32 tensors");
        }
        if (x instanceof Const k) {
            cx.output(n, new Const(ConstTensor.ofFloats(k.tensor.floats(n.label()), k.tensor.shape)));
            return;
        }
        cx.output(n, x); // float to float32: the tensor itself
    }
}
