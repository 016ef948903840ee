package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Const;
import java.util.Map;

/**
 * The plain float arithmetic ONNX's function bodies (the {@code _expanded} forms: Clip before opset 11 ... as
 * opsets lower them) spell with comparisons and type casts: {@code Where(Less(a, b), b, a)} is torch.maximum(a, b),
 * {@code Where(Less(a, b), a, b)} is torch.minimum(a, b) (Clip's lowering), and {@code CastLike(x, t)} to a float
 * type is x itself (cnn4j computes float32). Less yields a boolean that only such a Where may read; a CastLike to an
 * integer type, and any other Where, are refused.
 */
final class ConditionConverters {
    private ConditionConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Less", ConditionConverters::less);
        r.put("Where", ConditionConverters::where);
        r.put("CastLike", ConditionConverters::castLike);
    }

    private static void less(ConversionContext cx, Node n) {
        cx.required(n, 0);
        cx.required(n, 1);
        cx.output(n, new Value.Comparison(n));
    }

    private static void where(ConversionContext cx, Node n) {
        Value cond = cx.required(n, 0);
        if (!(cond instanceof Value.Comparison c)) {
            throw new IllegalArgumentException(n.label() + ": its condition ('" + n.inputs().get(0) + "') is not "
                    + "Less(a, b) of the values it selects between; such a Where has no PyTorch form cnn4j writes");
        }
        String a = c.node.inputs().get(0);
        String b = c.node.inputs().get(1);
        String x = n.inputs().get(1);
        String y = n.inputs().get(2);
        String type = x.equals(b) && y.equals(a) ? "Max" : x.equals(a) && y.equals(b) ? "Min" : null;
        if (type == null) {
            throw new IllegalArgumentException(n.label() + ": Where(Less(" + a + ", " + b + "), " + x + ", " + y
                    + ") selects other values than the compared ones, which has no PyTorch form in cnn4j's format; "
                    + "cnn4j takes Where(a < b, b, a) (torch.maximum) and Where(a < b, a, b) (torch.minimum)");
        }
        cx.output(n, ArithmeticConverters.binary(cx, n, type, cx.required(c.node, 0), cx.required(c.node, 1)));
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
