package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import java.util.List;
import java.util.Map;

/** Element-wise activations: ONNX ops that map one to one onto PyTorch's activation modules. */
final class ActivationConverters {
    private ActivationConverters() {}

    private static final float HARDSIGMOID_ALPHA = 1f / 6;

    static void register(Map<String, OpConverter> r) {
        r.put("Relu", (cx, n) -> activation(cx, n, "ReLU"));
        r.put("Sigmoid", (cx, n) -> activation(cx, n, "Sigmoid"));
        r.put("Tanh", (cx, n) -> activation(cx, n, "Tanh"));
        r.put("HardSwish", (cx, n) -> activation(cx, n, "Hardswish"));
        r.put("LeakyRelu", (cx, n) -> {
            LayerNode l = activation(cx, n, "LeakyReLU");
            float alpha = new Attributes(n).f("alpha", 0.01f);
            if (alpha != 0.01f) {
                l.args.put("negative_slope", number(alpha));
            }
        });
        r.put("Elu", (cx, n) -> {
            LayerNode l = activation(cx, n, "ELU");
            float alpha = new Attributes(n).f("alpha", 1f);
            if (alpha != 1f) {
                l.args.put("alpha", number(alpha));
            }
        });
        r.put("HardSigmoid", ActivationConverters::hardSigmoid);
        r.put("Gelu", ActivationConverters::gelu);
        r.put("Clip", ActivationConverters::clip);
    }

    private static LayerNode activation(ConversionContext cx, Node n, String type) {
        Act x = cx.act(n, 0);
        LayerNode l = cx.layer(type, n, List.of(x), x.shape);
        cx.output(n, l.out);
        return l;
    }

    private static void hardSigmoid(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        float alpha = a.f("alpha", 0.2f);
        float beta = a.f("beta", 0.5f);
        if (alpha != HARDSIGMOID_ALPHA || beta != 0.5f) {
            throw new IllegalArgumentException(n.label() + ": alpha=" + alpha + ", beta=" + beta + " has no PyTorch "
                    + "layer; nn.Hardsigmoid is alpha=1/6, beta=0.5");
        }
        activation(cx, n, "Hardsigmoid");
    }

    private static void gelu(ConversionContext cx, Node n) {
        String approximate = new Attributes(n).string("approximate", "none");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException(n.label() + ": approximate must be none or tanh, got "
                    + "approximate=" + approximate);
        }
        LayerNode l = activation(cx, n, "GELU");
        if (approximate.equals("tanh")) {
            l.args.put("approximate", "tanh");
        }
    }

    private static void clip(ConversionContext cx, Node n) {
        float min;
        float max;
        if (cx.opset < 11) {
            Attributes a = new Attributes(n);
            min = a.f("min", -Float.MAX_VALUE);
            max = a.f("max", Float.MAX_VALUE);
        } else {
            ConstTensor lo = cx.constant(n, 1, "min");
            ConstTensor hi = cx.constant(n, 2, "max");
            min = lo == null ? Float.NEGATIVE_INFINITY : scalar(n, lo, "min");
            max = hi == null ? Float.POSITIVE_INFINITY : scalar(n, hi, "max");
        }
        boolean unbounded = max == Float.POSITIVE_INFINITY || max == Float.MAX_VALUE;
        if (min == 0 && max == 6) {
            activation(cx, n, "ReLU6");
        } else if (min == 0 && unbounded) {
            activation(cx, n, "ReLU");
        } else {
            throw new IllegalArgumentException(n.label() + ": min=" + min + ", max=" + max + " has no cnn4j layer "
                    + "(Clip to [0, 6] is ReLU6 and to [0, inf) is ReLU; the format has no Hardtanh)");
        }
    }
}
