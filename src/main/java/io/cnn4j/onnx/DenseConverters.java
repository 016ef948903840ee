package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Const;
import java.util.List;
import java.util.Map;

/**
 * Gemm and MatMul with a constant matrix as PyTorch's Linear (a Gemm's C computed from the input added after it, as
 * torch.addmm adds it); MatMul of computed tensors as the format's Matmul.
 */
final class DenseConverters {
    private DenseConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Gemm", DenseConverters::gemm);
        r.put("MatMul", DenseConverters::matMul);
    }

    private static void gemm(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        if (a.integer("transA", 0) != 0) {
            throw new IllegalArgumentException(n.label() + ": transA=1 transposes the computed input A, whose dim 0 is the "
                    + "batch: it would become the contracted dim; cnn4j models keep dim 0 as the batch");
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
        Value cValue = cx.input(n, 2);
        ConstTensor c = cValue instanceof Value.Const k ? k.tensor : null;
        if (c != null && beta != 0) {
            bias = scaled(biasVector(n, c, outFeatures), beta);
        }
        LayerNode l = linear(cx, n, x, inFeatures, outFeatures, new OnnxTensorData(w.shape, weight),
                bias == null ? null : new OnnxTensorData(new long[] {outFeatures}, bias));
        Naming.addParamHint(l, n.inputs().get(1), "weight");
        if (c != null) {
            Naming.addParamHint(l, n.inputs().get(2), "bias");
        }
        Act y = l.out;
        if (cValue != null && c == null && beta != 0) {
            // C computed from the input (torch.addmm(c, x, w.t())): Linear without bias, then + beta * C, broadcast
            Value term = beta == 1f ? cValue : ArithmeticConverters.binary(cx, n, "Mul", cValue, Const.scalar(beta));
            y = ArithmeticConverters.binary(cx, n, "Add", y, term);
        }
        cx.output(n, y);
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

    /**
     * MatMul: a computed [..., in] input times a constant [in, out] matrix is a Linear; any other form with at least
     * one computed operand is the format's Matmul (torch.matmul with broadcast batch dims), a constant operand its
     * parameter. The batch must stay dim 0 of the result (the Matmul layer's rules).
     */
    private static void matMul(ConversionContext cx, Node n) {
        Value p = cx.required(n, 0);
        Value q = cx.required(n, 1);
        if (p instanceof Const && q instanceof Const) {
            throw new IllegalArgumentException(n.label() + ": both operands are constants");
        }
        if (!(p instanceof Const) && q instanceof Const c && c.tensor.rank() == 2 && p.shape.length >= 2) {
            Act x = cx.materialize(p, n.label());
            ConstTensor w = ConstantFolding.transpose(c.tensor, null, n.label());
            LayerNode l = linear(cx, n, x, w.shape[1], w.shape[0], new OnnxTensorData(w.shape,
                    w.floats(n.label())), null);
            Naming.addParamHint(l, n.inputs().get(1), "weight");
            cx.output(n, l.out);
            return;
        }
        long[] a = p.shape;
        long[] b = q.shape;
        String why = null;
        if (!(p instanceof Const) && !(q instanceof Const)) {
            if (a.length != b.length || a.length < 3) {
                why = "two computed operands must have the same rank, at least 3, so that dim 0 stays the batch of "
                        + "both";
            }
        } else if (q instanceof Const) {
            if (a.length == 1 || (a.length == 2 ? b.length > 2 : b.length > a.length || b.length == a.length
                    && b[0] != 1)) {
                why = "the constant would broadcast over the batch dim (dim 0) or the batch dim would be contracted";
            }
        } else if (b.length < 3 || a.length > b.length || a.length == b.length && a[0] != 1) {
            why = "the batch dim (dim 0) of the computed operand would be contracted or broadcast against the "
                    + "constant";
        }
        if (why != null) {
            throw new IllegalArgumentException(n.label() + ": A " + text(a) + " times B " + text(b) + ": " + why);
        }
        long[] shape = matmulShape(n, a, b);
        List<Act> in = new java.util.ArrayList<>();
        if (!(p instanceof Const)) {
            in.add(cx.materialize(p, n.label()));
        }
        if (!(q instanceof Const)) {
            in.add(cx.materialize(q, n.label()));
        }
        LayerNode l = cx.layer("Matmul", n, in, shape);
        if (p instanceof Const c) {
            l.args.put("input", "constant");
            cx.param(l, "constant", c.tensor, n, 0);
        } else if (q instanceof Const c) {
            l.args.put("other", "constant");
            cx.param(l, "constant", c.tensor, n, 1);
        }
        cx.output(n, l.out);
    }

    /** torch.matmul's result shape for operand shapes whose -1 dims (the batch) are known at run time only. */
    private static long[] matmulShape(Node n, long[] a, long[] b) {
        long[] am = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] bm = b.length == 1 ? new long[] {b[0], 1} : b;
        long k = am[am.length - 1];
        long k2 = bm[bm.length - 2];
        if (k >= 0 && k2 >= 0 && k != k2) {
            throw new IllegalArgumentException(n.label() + ": A " + text(a) + " and B " + text(b) + " cannot be "
                    + "multiplied: A's last dim " + k + " against B's " + k2);
        }
        int batchRank = Math.max(am.length, bm.length) - 2;
        long[] out = new long[batchRank + (a.length > 1 ? 1 : 0) + (b.length > 1 ? 1 : 0)];
        for (int d = 0; d < batchRank; d++) {
            int i = d - (batchRank - (am.length - 2));
            int j = d - (batchRank - (bm.length - 2));
            long p = i < 0 ? 1 : am[i];
            long q = j < 0 ? 1 : bm[j];
            if (p >= 0 && q >= 0 && p != q && p != 1 && q != 1) {
                throw new IllegalArgumentException(n.label() + ": the batch dims of A " + text(a) + " and B "
                        + text(b) + " do not broadcast");
            }
            out[d] = p == 1 ? q : q == 1 ? p : p < 0 ? p : q;
        }
        int next = batchRank;
        if (a.length > 1) {
            out[next++] = am[am.length - 2];
        }
        if (b.length > 1) {
            out[next] = bm[bm.length - 1];
        }
        return out;
    }
}
