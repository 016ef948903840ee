package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import java.util.List;
import java.util.Map;

/**
 * Element-wise activations: ONNX ops that map onto PyTorch's activation modules (Clip onto ReLU, ReLU6, Hardtanh or,
 * with one bound, Maximum / Minimum with a number; HardSigmoid with other than PyTorch's alpha and beta onto
 * x * alpha + beta clamped by Hardtanh to [0, 1]).
 */
final class ActivationConverters {
    private ActivationConverters() {}

    private static final float HARDSIGMOID_ALPHA = 1f / 6;
    /** ONNX Selu's default attributes: PyTorch's SELU constants as float32. */
    private static final float SELU_ALPHA = 1.67326319217681884765625f;
    private static final float SELU_GAMMA = 1.05070102214813232421875f;

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
        r.put("Softplus", (cx, n) -> activation(cx, n, "Softplus"));
        r.put("Mish", (cx, n) -> activation(cx, n, "Mish"));
        r.put("Softsign", (cx, n) -> activation(cx, n, "Softsign"));
        r.put("Selu", ActivationConverters::selu);
        r.put("Celu", (cx, n) -> {
            LayerNode l = activation(cx, n, "CELU");
            float alpha = new Attributes(n).f("alpha", 1f);
            if (alpha != 1f) {
                l.args.put("alpha", number(alpha));
            }
        });
        r.put("PRelu", ActivationConverters::prelu);
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
            hardSigmoidChain(cx, n, alpha, beta);
            return;
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
        boolean noMax = max == Float.POSITIVE_INFINITY || max == Float.MAX_VALUE;
        boolean noMin = min == Float.NEGATIVE_INFINITY || min == -Float.MAX_VALUE;
        Act x = cx.act(n, 0);
        if (min == 0 && max == 6) {
            activation(cx, n, "ReLU6");
        } else if (min == 0 && noMax) {
            activation(cx, n, "ReLU");
        } else if (noMin && noMax) {
            cx.output(n, x);
        } else if (!noMin && !noMax && min <= max) {
            LayerNode l = activation(cx, n, "Hardtanh");
            l.args.set("min_val", number(min));
            l.args.set("max_val", number(max));
        } else {
            // One bound, or min > max (then every value becomes max, as torch.clamp and ONNX define it).
            Act y = x;
            if (!noMin) {
                LayerNode lower = cx.layer("Maximum", n, List.of(y), y.shape);
                lower.args.set("other", number(min));
                y = lower.out;
            }
            if (!noMax) {
                LayerNode upper = cx.layer("Minimum", n, List.of(y), y.shape);
                upper.args.set("other", number(max));
                y = upper.out;
            }
            cx.output(n, y);
        }
    }

    private static void selu(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        float alpha = a.f("alpha", SELU_ALPHA);
        float gamma = a.f("gamma", SELU_GAMMA);
        if (alpha == SELU_ALPHA && gamma == SELU_GAMMA) {
            activation(cx, n, "SELU");
            return;
        }
        // nn.SELU's constants are fixed: other ones as torch.where(x > 0, x * gamma, (exp(x) * alpha - alpha) * gamma)
        Act x = cx.act(n, 0);
        Act exp = cx.layer("Exp", n, List.of(x), x.shape).out;
        Act scaledExp = ArithmeticConverters.binary(cx, n, "Mul", exp, Value.Const.scalar(alpha));
        Act shifted = ArithmeticConverters.binary(cx, n, "Sub", scaledExp, Value.Const.scalar(alpha));
        Act negative = ArithmeticConverters.binary(cx, n, "Mul", shifted, Value.Const.scalar(gamma));
        Act positive = ArithmeticConverters.binary(cx, n, "Mul", x, Value.Const.scalar(gamma));
        Act above = ArithmeticConverters.binary(cx, n, "Gt", x, Value.Const.scalar(0f));
        cx.output(n, cx.layer("Where", n, List.of(above, positive, negative), x.shape).out);
    }

    /**
     * PRelu(X, slope): slope a constant of one value or one per channel (dim 1) as nn.PReLU's weight; any other
     * slope (broadcast against X, not over its batch dim) as Where(x < 0, x * slope, x).
     */
    private static void prelu(ConversionContext cx, Node n) {
        Act x = cx.act(n, 0);
        ConstTensor slope = cx.constant(n, 1, "slope");
        if (slope == null) {
            throw new IllegalArgumentException(n.label() + ": missing slope input");
        }
        int channelDim = x.shape.length >= 2 ? 1 : 0;
        int shift = x.shape.length - slope.rank();
        boolean perChannel = shift >= 0;
        for (int d = 0; perChannel && d < slope.rank(); d++) {
            perChannel = slope.shape[d] == 1 || (d + shift == channelDim && slope.shape[d] == x.shape[channelDim]);
        }
        if (!perChannel) {
            // nn.PReLU has one weight or one per channel: any other slope is torch.where(x < 0, x * slope, x)
            Act scaled = ArithmeticConverters.binary(cx, n, "Mul", x, new Value.Const(slope));
            Act negative = ArithmeticConverters.binary(cx, n, "Lt", x, Value.Const.scalar(0f));
            cx.output(n, cx.layer("Where", n, List.of(negative, scaled, x), scaled.shape).out);
            return;
        }
        long count = slope.numel();
        LayerNode l = activation(cx, n, "PReLU");
        if (count != 1) {
            l.args.put("num_parameters", count);
        }
        cx.param(l, "weight", ConstTensor.ofFloats(slope.floats(n.label()), count), n, 1);
    }

    /** HardSigmoid(alpha, beta) = clamp(alpha * x + beta, 0, 1): nn.Hardsigmoid when alpha = 1/6, beta = 1/2. */
    private static void hardSigmoidChain(ConversionContext cx, Node n, float alpha, float beta) {
        Act x = cx.act(n, 0);
        LayerNode scale = cx.layer("Mul", n, List.of(x), x.shape);
        scale.args.set("other", number(alpha));
        LayerNode shift = cx.layer("Add", n, List.of(scale.out), x.shape);
        shift.args.set("other", number(beta));
        LayerNode clamp = cx.layer("Hardtanh", n, List.of(shift.out), x.shape);
        clamp.args.put("min_val", 0);
        clamp.args.put("max_val", 1);
        cx.output(n, clamp.out);
    }
}
