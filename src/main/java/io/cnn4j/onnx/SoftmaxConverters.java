package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Transposed;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Softmax and LogSoftmax as PyTorch's modules of that name, including the opset < 13 form that normalizes over all
 * dims from the axis on, and a softmax between two transposes (how exporters wrote a softmax over another dim).
 */
final class SoftmaxConverters {
    private SoftmaxConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Softmax", SoftmaxConverters::softmax);
        r.put("LogSoftmax", SoftmaxConverters::softmax);
    }

    private static void softmax(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        String type = n.opType().equals("Softmax") ? "Softmax" : "LogSoftmax";
        Value in = cx.required(n, 0);
        int rank = in.shape.length;
        int axis = ConstantFolding.axis(a.integer("axis", cx.opset < 13 ? 1 : -1), rank, n.label());
        if (cx.opset < 13 && axis != rank - 1) {
            // Before opset 13 the input is coerced to 2-D [prod(d < axis), prod(d >= axis)]: the same as dim=axis
            // only when the dims after axis are all 1; otherwise flatten them into axis and unflatten after.
            boolean trailingOnes = true;
            for (int d = axis + 1; d < rank; d++) {
                trailingOnes &= in.shape[d] == 1;
            }
            if (!trailingOnes) {
                softmaxCoerced(cx, n, type, cx.materialize(in, n.label()), axis);
                return;
            }
        }
        if (in instanceof Transposed t) {
            // softmax(transpose(x, perm), axis) = transpose(softmax(x, perm[axis]), perm)
            LayerNode l = cx.layer(type, n, List.of(t.source), t.source.shape);
            l.args.put("dim", t.perm[axis]);
            cx.output(n, new Transposed(in.shape, l.out, t.perm, t.node));
            return;
        }
        Act x = cx.materialize(in, n.label());
        LayerNode l = cx.layer(type, n, List.of(x), x.shape);
        l.args.put("dim", axis);
        cx.output(n, l.out);
    }

    private static void softmaxCoerced(ConversionContext cx, Node n, String type, Act x, int axis) {
        long[] trailing = Arrays.copyOfRange(x.shape, axis, x.shape.length);
        if (axis == 0 || Arrays.stream(trailing).anyMatch(d -> d < 0)) {
            throw new IllegalArgumentException(n.label() + ": opset " + cx.opset + " normalizes over dims " + axis
                    + ".."
                    + (x.shape.length - 1) + " together" + (axis == 0 ? ", including the batch dim"
                    : ", whose sizes are not all known") + "; cnn4j cannot express that");
        }
        long[] flatShape = Arrays.copyOf(x.shape, axis + 1);
        flatShape[axis] = Arrays.stream(trailing).reduce(1, (p, q) -> p * q);
        LayerNode flat = cx.layer("Flatten", n, List.of(x), flatShape);
        if (axis != 1) {
            flat.args.put("start_dim", axis);
        }
        LayerNode soft = cx.layer(type, n, List.of(flat.out), flatShape);
        soft.args.put("dim", axis);
        LayerNode unflat = cx.layer("Unflatten", n, List.of(soft.out), x.shape);
        unflat.args.put("dim", axis);
        unflat.args.set("unflattened_size", list(trailing));
        cx.output(n, unflat.out);
    }
}
