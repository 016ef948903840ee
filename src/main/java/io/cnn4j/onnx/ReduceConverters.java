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
 * {@code x.mean((2, 3))}.
 */
final class ReduceConverters {
    private ReduceConverters() {}

    private static final Map<String, String> TYPES = Map.of("ReduceSum", "Sum", "ReduceMean", "Mean", "ReduceMax",
            "Amax", "ReduceMin", "Amin");

    static void register(Map<String, OpConverter> r) {
        for (String op : TYPES.keySet()) {
            r.put(op, ReduceConverters::reduce);
        }
    }

    private static void reduce(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        Act x = cx.act(n, 0);
        int rank = x.shape.length;
        long[] axes;
        int axesInputFrom = n.opType().equals("ReduceSum") ? 13 : 18;
        if (cx.opset < axesInputFrom) {
            axes = a.ints("axes", null);
        } else {
            ConstTensor t = cx.constant(n, 1, "axes");
            axes = t == null ? null : t.knownLongs(n.label() + " axes");
        }
        boolean keepdims = a.integer("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (cx.opset >= axesInputFrom && a.integer("noop_with_empty_axes", 0) != 0) {
                cx.output(n, x); // no axes and noop_with_empty_axes: the identity
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
        LayerNode l = cx.layer(TYPES.get(n.opType()), n, List.of(x), shape);
        l.args.set("dim", list(dims));
        l.args.put("keepdim", keepdims);
        cx.output(n, l.out);
    }
}
