package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Reshaped;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ReduceSum, ReduceMean, ReduceMax and ReduceMin as the format's {@code Sum}, {@code Mean}, {@code Amax} and
 * {@code Amin} (torch.sum / mean / amax / amin with dim and keepdim). The axes are an attribute, or a constant input
 * from opset 13 (ReduceSum) or 18 (the others); no axes reduce every dim, which would reduce the batch dim, unless
 * noop_with_empty_axes makes the node the identity. A mean or max over exactly the spatial dims (2...) of a 3-d to
 * 5-d input stays global pooling (AdaptiveAvgPool / AdaptiveMaxPool with output_size 1), as PyTorch exports
 * {@code x.mean((2, 3))}. The composite reductions are spelt with those layers as ONNX defines them: ReduceL1 as
 * Sum(Abs(x)), ReduceSumSquare as Sum(Pow(x, 2)), ReduceL2 as Sqrt(Sum(Pow(x, 2))) (what torch.norm and F.normalize
 * export), ReduceLogSum as Log(Sum(x)) and ReduceLogSumExp as torch.logsumexp computes it, Log(Sum(Exp(x - m))) + m
 * with m = Amax(x) (no overflow for large x). With noop_with_empty_axes and no axes they apply element-wise, as the
 * ONNX reference does (ReduceLogSumExp then is the identity).
 */
final class ReduceConverters {
    private ReduceConverters() {}

    private static final Map<String, String> TYPES = Map.of("ReduceSum", "Sum", "ReduceMean", "Mean", "ReduceMax",
            "Amax", "ReduceMin", "Amin");

    /** The composite reductions: the element-wise layer before the Sum, and the one after (null: none). */
    private static final Map<String, String[]> COMPOSITES = Map.of("ReduceL1", new String[] {"Abs", null},
            "ReduceSumSquare", new String[] {"Pow", null}, "ReduceL2", new String[] {"Pow", "Sqrt"},
            "ReduceLogSum", new String[] {null, "Log"}, "ReduceLogSumExp", new String[] {"Exp", "Log"});

    static void register(Map<String, OpConverter> r) {
        for (String op : TYPES.keySet()) {
            r.put(op, ReduceConverters::reduce);
        }
        for (String op : COMPOSITES.keySet()) {
            r.put(op, ReduceConverters::reduce);
        }
    }

    /** An element-wise layer ({@code Abs}, {@code Exp}, {@code Log}, {@code Sqrt}, or {@code Pow} as x^2) on x. */
    private static Act elementwise(ConversionContext cx, Node n, String type, Act x) {
        LayerNode l = cx.layer(type, n, List.of(x), x.shape);
        if (type.equals("Pow")) {
            l.args.put("other", 2);
        }
        return l.out;
    }

    private static void reduce(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        Act x = cx.act(n, 0);
        String[] composite = COMPOSITES.get(n.opType());
        int rank = x.shape.length;
        long[] axes;
        int axesInputFrom = n.opType().equals("ReduceSum") ? 13 : 18; // the composites, too: opset 18
        if (cx.opset < axesInputFrom) {
            axes = a.ints("axes", null);
        } else {
            ConstTensor t = cx.constant(n, 1, "axes");
            axes = t == null ? null : t.knownLongs(n.label() + " axes");
        }
        boolean keepdims = a.integer("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (cx.opset >= axesInputFrom && a.integer("noop_with_empty_axes", 0) != 0) {
                // no axes and noop_with_empty_axes: the identity (a composite's functions element-wise)
                Act y = x;
                if (composite != null && !n.opType().equals("ReduceLogSumExp")) {
                    y = composite[0] == null ? y : elementwise(cx, n, composite[0], y);
                    y = composite[1] == null ? y : elementwise(cx, n, composite[1], y);
                }
                cx.output(n, y);
                return;
            }
            throw new IllegalArgumentException(n.label() + ": no axes reduce every dim of the rank-" + rank + " input, "
                    + "the batch dim 0 included; cnn4j models keep the batch (give axes 1..." + (rank - 1) + ")");
        }
        boolean[] reduced = new boolean[rank];
        for (long ax : axes) {
            int d = ConstantFolding.axis(ax, rank, n.label());
            if (reduced[d]) {
                throw new IllegalArgumentException(n.label() + ": axes " + text(axes) + " name dim " + d + " twice");
            }
            reduced[d] = true;
        }
        if (reduced[0]) {
            throw new IllegalArgumentException(n.label() + ": axes " + text(axes) + " include the batch dim 0, which "
                    + "cnn4j models keep whole");
        }
        long[] kept = new long[rank];
        long[] dims = new long[axes.length];
        int k = 0;
        int j = 0;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                dims[j++] = d;
                if (keepdims) {
                    kept[k++] = 1;
                }
            } else {
                kept[k++] = x.shape[d];
            }
        }
        long[] shape = Arrays.copyOf(kept, k);
        if (composite != null) {
            cx.output(n, composite(cx, n, x, composite, dims, keepdims, shape));
            return;
        }
        boolean spatial = rank >= 3 && rank <= 5 && !reduced[1] && (n.opType().equals("ReduceMean")
                || n.opType().equals("ReduceMax"));
        for (int d = 2; d < rank; d++) {
            spatial &= reduced[d];
        }
        if (spatial) { // global pooling, then Flatten unless keepdims
            long[] pooled = x.shape.clone();
            Arrays.fill(pooled, 2, rank, 1);
            String type = (n.opType().equals("ReduceMean") ? "AdaptiveAvgPool" : "AdaptiveMaxPool") + (rank - 2) + "d";
            LayerNode l = cx.layer(type, n, List.of(x), pooled);
            l.args.put("output_size", 1);
            cx.output(n, keepdims ? l.out : new Reshaped(shape, l.out, n));
            return;
        }
        cx.output(n, reduction(cx, n, TYPES.get(n.opType()), x, dims, keepdims, shape));
    }

    private static Act reduction(ConversionContext cx, Node n, String type, Act x, long[] dims, boolean keepdims,
            long[] shape) {
        LayerNode l = cx.layer(type, n, List.of(x), shape);
        l.args.set("dim", list(dims));
        l.args.put("keepdim", keepdims);
        return l.out;
    }

    /** A composite reduction: {@code post(Sum(pre(x)))}; for ReduceLogSumExp, with the maximum taken out first. */
    private static Act composite(ConversionContext cx, Node n, Act x, String[] f, long[] dims, boolean keepdims,
            long[] shape) {
        if (n.opType().equals("ReduceLogSumExp")) {
            long[] kept = x.shape.clone();
            for (long d : dims) {
                kept[(int) d] = 1;
            }
            Act max = reduction(cx, n, "Amax", x, dims, true, kept);
            Act shifted = cx.layer("Sub", n, List.of(x, max), x.shape).out;
            Act sum = reduction(cx, n, "Sum", elementwise(cx, n, "Exp", shifted), dims, keepdims, shape);
            Act m = keepdims ? max : reduction(cx, n, "Amax", x, dims, false, shape);
            return cx.layer("Add", n, List.of(elementwise(cx, n, "Log", sum), m), shape).out;
        }
        Act y = f[0] == null ? x : elementwise(cx, n, f[0], x);
        y = reduction(cx, n, "Sum", y, dims, keepdims, shape);
        return f[1] == null ? y : elementwise(cx, n, f[1], y);
    }
}
