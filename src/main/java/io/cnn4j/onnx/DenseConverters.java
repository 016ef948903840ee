package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import java.util.List;
import java.util.Map;

/** Gemm and MatMul with a constant matrix as PyTorch's Linear. */
final class DenseConverters {
    private DenseConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Gemm", DenseConverters::gemm);
        r.put("MatMul", DenseConverters::matMul);
    }

    private static void gemm(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        if (a.integer("transA", 0) != 0) {
            throw new IllegalArgumentException(n.label() + ": transA=1 transposes the computed input, which "
                    + "PyTorch's Linear cannot do");
        }
        Act x = cx.act(n, 0);
        if (x.shape.length != 2) {
            throw new IllegalArgumentException(n.label() + ": expected a 2-d input, got shape " + text(x.shape));
        }
        ConstTensor bMatrix = cx.constant(n, 1, "B");
        if (bMatrix == null || bMatrix.rank() != 2) {
            throw new IllegalArgumentException(n.label() + ": B must be a 2-d constant, got "
                    + (bMatrix == null ? "none" : "shape " + text(bMatrix.shape)));
        }
        boolean transB = a.integer("transB", 0) != 0;
        float alpha = a.f("alpha", 1f);
        float beta = a.f("beta", 1f);
        // Linear's weight is [out, in]: B itself with transB=1, else B transposed.
        ConstTensor w = transB ? bMatrix : ConstantFolding.transpose(bMatrix, null, n.label());
        long outFeatures = w.shape[0];
        long inFeatures = w.shape[1];
        float[] weight = scaled(w.floats(n.label()), alpha);
        float[] bias = null;
        ConstTensor c = cx.constant(n, 2, "C");
        if (c != null && beta != 0) {
            bias = scaled(biasVector(n, c, outFeatures), beta);
        }
        LayerNode l = linear(cx, n, x, inFeatures, outFeatures, new OnnxTensorData(w.shape, weight),
                bias == null ? null : new OnnxTensorData(new long[] {outFeatures}, bias));
        Naming.addParamHint(l, n.inputs().get(1), "weight");
        if (c != null) {
            Naming.addParamHint(l, n.inputs().get(2), "bias");
        }
        cx.output(n, l.out);
    }

    /**
     * Gemm's C as a per-output vector: only shapes that broadcast the same row to every sample ([], [out],
     * [1, out]).
     */
    private static float[] biasVector(Node n, ConstTensor c, long out) {
        long[] s = c.shape;
        boolean perRow = s.length <= 2 && (s.length == 0 || s[s.length - 1] == out || s[s.length - 1] == 1)
                && (s.length < 2 || s[0] == 1);
        if (!perRow) {
            throw new IllegalArgumentException(n.label() + ": C of shape " + text(s) + " differs between samples; "
                    + "only a bias of shape [" + out + "], [1, " + out + "] or a scalar folds into Linear");
        }
        float[] v = c.floats(n.label() + " C");
        float[] bias = new float[(int) out];
        for (int i = 0; i < out; i++) {
            bias[i] = v.length == 1 ? v[0] : v[i];
        }
        return bias;
    }

    private static LayerNode linear(ConversionContext cx, Node n, Act x, long in, long out, OnnxTensorData weight,
            OnnxTensorData bias) {
        long[] shape = x.shape.clone();
        if (shape[shape.length - 1] >= 0 && shape[shape.length - 1] != in) {
            throw new IllegalArgumentException(n.label() + ": the weight expects " + in + " input features, but "
                    + "the input has shape " + text(x.shape));
        }
        shape[shape.length - 1] = out;
        LayerNode l = cx.layer("Linear", n, List.of(x), shape);
        l.args.put("in_features", in);
        l.args.put("out_features", out);
        if (bias == null) {
            l.args.put("bias", false);
        }
        l.params.put("weight", weight);
        if (bias != null) {
            l.params.put("bias", bias);
        }
        return l;
    }

    private static void matMul(ConversionContext cx, Node n) {
        Act x = cx.act(n, 0);
        ConstTensor b = cx.constant(n, 1, "B");
        if (b == null || b.rank() != 2 || x.shape.length < 2) {
            throw new IllegalArgumentException(n.label() + ": only a computed [..., in] input times a constant "
                    + "[in, out] matrix maps to Linear; got input " + text(x.shape) + " and B "
                    + (b == null ? "none" : text(b.shape)));
        }
        ConstTensor w = ConstantFolding.transpose(b, null, n.label());
        LayerNode l = linear(cx, n, x, w.shape[1], w.shape[0], new OnnxTensorData(w.shape, w.floats(n.label())), null);
        Naming.addParamHint(l, n.inputs().get(1), "weight");
        cx.output(n, l.out);
    }
}
