package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import java.util.List;
import java.util.Map;

/**
 * Normalization layers: BatchNormalization (inference, running statistics) as PyTorch's BatchNormNd;
 * InstanceNormalization as InstanceNormNd(affine=True) (GroupNorm with a group per channel where InstanceNormNd has
 * no form: other ranks, or one spatial element), LayerNormalization as LayerNorm over the trailing dims from
 * {@code axis}, GroupNormalization as GroupNorm (opset 18's per-group scale and bias repeated over each group's
 * channels, as opset 21 writes them).
 */
final class NormalizationConverters {
    private NormalizationConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("BatchNormalization", NormalizationConverters::batchNorm);
        r.put("InstanceNormalization", NormalizationConverters::instanceNorm);
        r.put("LayerNormalization", NormalizationConverters::layerNorm);
        r.put("GroupNormalization", NormalizationConverters::groupNorm);
    }

    private static void batchNorm(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        cx.onlyFirstOutput(n, "running statistics");
        if (a.integer("training_mode", 0) != 0) {
            throw new IllegalArgumentException(n.label() + " is in training mode (training_mode=1): it normalizes "
                    + "with batch statistics; cnn4j runs inference with the running statistics only");
        }
        if (a.integer("spatial", 1) == 0) {
            throw new IllegalArgumentException(n.label() + ": spatial=0 (statistics per element, not per channel) "
                    + "has no PyTorch layer");
        }
        Act x = cx.act(n, 0);
        int rank = x.shape.length;
        if (rank < 2 || rank > 5) {
            throw new IllegalArgumentException(n.label() + ": expected a 2-d to 5-d input, got shape "
                    + text(x.shape));
        }
        String[] suffixes = {"weight", "bias", "running_mean", "running_var"};
        String[] names = {"scale", "B", "mean", "var"};
        ConstTensor[] p = new ConstTensor[4];
        for (int i = 0; i < 4; i++) {
            p[i] = cx.constant(n, i + 1, names[i]);
            if (p[i] == null) {
                throw new IllegalArgumentException(n.label() + ": missing input " + names[i]);
            }
        }
        long channels = p[0].numel();
        checkChannels(n, x, channels);
        LayerNode l = cx.layer("BatchNorm" + Math.max(1, rank - 2) + "d", n, List.of(x), x.shape);
        l.args.put("num_features", channels);
        float eps = a.f("epsilon", 1e-5f);
        if (eps != 1e-5f) {
            l.args.put("eps", number(eps));
        }
        for (int i = 0; i < 4; i++) {
            checkVector(n, p[i], channels, names[i]);
            ConstTensor flat = ConstTensor.ofFloats(p[i].floats(n.label()), channels);
            cx.param(l, suffixes[i], flat, n, i + 1);
        }
        cx.output(n, l.out);
    }

    private static void putEps(LayerNode l, Node n) {
        float eps = new Attributes(n).f("epsilon", 1e-5f);
        if (eps != 1e-5f) {
            l.args.put("eps", number(eps));
        }
    }

    /** Input i, a constant of {@code size} values (one per channel), flattened. */
    private static ConstTensor perChannel(ConversionContext cx, Node n, int i, String what, long size) {
        ConstTensor t = cx.constant(n, i, what);
        if (t == null) {
            throw new IllegalArgumentException(n.label() + ": missing input " + what);
        }
        checkVector(n, t, size, what);
        return ConstTensor.ofFloats(t.floats(n.label()), size);
    }

    /** Known channels (dim 1) of a 2-d or larger input. */
    private static long channels(Node n, Act x) {
        if (x.shape.length < 2 || x.shape[1] < 0) {
            throw new IllegalArgumentException(n.label() + ": expected an input [N, C, ...] with a known channel "
                    + "count, got shape " + text(x.shape));
        }
        return x.shape[1];
    }

    private static void instanceNorm(ConversionContext cx, Node n) {
        Act x = cx.act(n, 0);
        long c = channels(n, x);
        int rank = x.shape.length;
        long spatial = 1;
        for (int d = 2; d < rank; d++) {
            spatial *= x.shape[d];
        }
        // InstanceNormNd needs (N, C, *) with 1 to 3 spatial dims and more than one spatial element.
        boolean instance = rank >= 3 && rank <= 5 && spatial != 1;
        LayerNode l = cx.layer(instance ? "InstanceNorm" + (rank - 2) + "d" : "GroupNorm", n, List.of(x), x.shape);
        if (instance) {
            l.args.put("num_features", c);
            l.args.put("affine", true);
        } else {
            l.args.put("num_groups", c);
            l.args.put("num_channels", c);
        }
        putEps(l, n);
        cx.param(l, "weight", perChannel(cx, n, 1, "scale", c), n, 1);
        cx.param(l, "bias", perChannel(cx, n, 2, "B", c), n, 2);
        cx.output(n, l.out);
    }

    private static void groupNorm(ConversionContext cx, Node n) {
        Act x = cx.act(n, 0);
        long c = channels(n, x);
        long groups = new Attributes(n).integer("num_groups", -1);
        if (groups <= 0 || c % groups != 0) {
            throw new IllegalArgumentException(n.label() + ": num_groups=" + groups + " must be positive and divide "
                    + "the " + c + " channels of input " + text(x.shape));
        }
        // Opset 18 gave scale and bias one value per group; opset 21 (and the fused export form) one per channel.
        long given = cx.opset < 21 && !new Attributes(n).has(NormPatterns.PER_CHANNEL) ? groups : c;
        LayerNode l = cx.layer("GroupNorm", n, List.of(x), x.shape);
        l.args.put("num_groups", groups);
        l.args.put("num_channels", c);
        putEps(l, n);
        if (cx.input(n, 1) == null && cx.input(n, 2) == null) { // a fused GroupNorm(affine=False)
            l.args.put("affine", false);
            cx.output(n, l.out);
            return;
        }
        String[] names = {"scale", "bias"};
        String[] suffixes = {"weight", "bias"};
        for (int i = 0; i < 2; i++) {
            float[] full = new float[(int) c];
            java.util.Arrays.fill(full, 1 - i); // a fused form's missing Mul or Add: 1 and 0
            if (cx.input(n, i + 1) != null) {
                float[] v = perChannel(cx, n, i + 1, names[i], given).floats(n.label());
                for (int ch = 0; ch < c; ch++) {
                    full[ch] = v[given == c ? ch : (int) (ch / (c / groups))];
                }
            }
            cx.param(l, suffixes[i], ConstTensor.ofFloats(full, c), n, cx.input(n, i + 1) != null ? i + 1 : -1);
        }
        cx.output(n, l.out);
    }

    /**
     * LayerNormalization: a LayerNorm over the dims from {@code axis} on. The LayerNorm pattern
     * ({@link NormPatterns}) synthesizes this node with the reduced axes instead, and Scale and B optional:
     * trailing axes are the same LayerNorm, one inner axis (the channels of NCHW) a LayerNorm between two Permutes.
     */
    private static void layerNorm(ConversionContext cx, Node n) {
        cx.onlyFirstOutput(n, "mean and inverse standard deviation");
        Act x = cx.act(n, 0);
        int rank = x.shape.length;
        Attributes a = new Attributes(n);
        long[] given = a.has(NormPatterns.AXES) ? a.ints(NormPatterns.AXES, null)
                : new long[] {a.integer("axis", -1)};
        java.util.TreeSet<Integer> axes = new java.util.TreeSet<>();
        for (long axis : given) {
            if (axis < -rank || axis >= rank) {
                throw new IllegalArgumentException(n.label() + ": axis " + axis + " is out of range for input "
                        + text(x.shape));
            }
            axes.add((int) (axis < 0 ? axis + rank : axis));
        }
        if (!a.has(NormPatterns.AXES)) {
            for (int d = axes.first(); d < rank; d++) {
                axes.add(d);
            }
        }
        int first = axes.first();
        if (first == 0) {
            throw new IllegalArgumentException(n.label() + ": it normalizes over the batch dim too (axes "
                    + axes + "); cnn4j models keep dim 0 as the batch (normalize from axis 1 on)");
        }
        boolean trailing = axes.last() == rank - 1 && axes.size() == rank - first;
        if (!trailing && axes.size() != 1) {
            throw new IllegalArgumentException(n.label() + ": a mean and variance over axes " + axes + " of input "
                    + text(x.shape) + " is no PyTorch layer: LayerNorm normalizes trailing dims (and cnn4j one "
                    + "inner dim, through permutes); GroupNorm all but the batch dim");
        }
        int[] dims = axes.stream().mapToInt(Integer::intValue).toArray();
        long[] normalized = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            normalized[i] = x.shape[dims[i]];
            if (normalized[i] <= 0) {
                throw new IllegalArgumentException(n.label() + ": the normalized dims of input " + text(x.shape)
                        + " must have known sizes");
            }
        }
        Act in = x;
        long[] toEnd = null;
        if (!trailing) { // one inner axis: move it last, normalize, move it back
            toEnd = new long[rank];
            for (int d = 0, k = 0; d < rank; d++) {
                if (d != first) {
                    toEnd[k++] = d;
                }
            }
            toEnd[rank - 1] = first;
            in = permute(cx, n, x, toEnd);
        }
        LayerNode l = cx.layer("LayerNorm", n, List.of(in), in.shape);
        l.args.set("normalized_shape", list(normalized));
        putEps(l, n);
        ConstTensor scale = cx.constant(n, 1, "Scale");
        ConstTensor bias = cx.constant(n, 2, "B");
        if (scale == null && bias == null) {
            l.args.put("elementwise_affine", false);
        } else {
            cx.param(l, "weight", scale == null ? ConstTensor.ofFloats(ones(normalized), normalized)
                    : alongDims(n, scale, x.shape, dims, "Scale"), n, scale == null ? -1 : 1);
            if (bias == null) {
                l.args.put("bias", false);
            } else {
                cx.param(l, "bias", alongDims(n, bias, x.shape, dims, "B"), n, 2);
            }
        }
        Act out = l.out;
        if (toEnd != null) {
            long[] back = new long[rank];
            for (int d = 0; d < rank; d++) {
                back[(int) toEnd[d]] = d;
            }
            out = permute(cx, n, out, back);
        }
        cx.output(n, out);
    }

    private static Act permute(ConversionContext cx, Node n, Act x, long[] dims) {
        long[] shape = new long[dims.length];
        for (int d = 0; d < dims.length; d++) {
            shape[d] = x.shape[(int) dims[d]];
        }
        LayerNode p = cx.layer("Permute", n, List.of(x), shape);
        p.args.set("dims", list(dims));
        return p.out;
    }

    private static float[] ones(long[] shape) {
        float[] v = new float[(int) io.cnn4j.Shapes.numel(shape)];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    /**
     * A constant broadcast against an input of shape {@code x} (NumPy's rules, aligned from the right), which may
     * vary only along {@code dims}: its values over those dims, shaped as they are in x.
     */
    static ConstTensor alongDims(Node n, ConstTensor t, long[] x, int[] dims, String what) {
        int shift = x.length - t.rank();
        boolean fits = shift >= 0;
        for (int d = 0; fits && d < t.rank(); d++) {
            int xd = d + shift;
            fits = t.shape[d] == 1 || t.shape[d] == x[xd] && java.util.Arrays.stream(dims).anyMatch(k -> k == xd);
        }
        if (!fits) {
            throw new IllegalArgumentException(n.label() + ": " + what + " of shape " + text(t.shape) + " does not "
                    + "broadcast to input " + text(x) + " with values along the normalized dims " + text(
                    java.util.Arrays.stream(dims).asLongStream().toArray()) + " only");
        }
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = x[dims[i]];
        }
        float[] v = t.floats(n.label() + " " + what);
        long[] strides = new long[t.rank()];
        for (int d = t.rank() - 1, step = 1; d >= 0; d--) {
            strides[d] = t.shape[d] == 1 ? 0 : step;
            step *= (int) t.shape[d];
        }
        int count = (int) io.cnn4j.Shapes.numel(shape);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            long rest = i;
            long from = 0;
            for (int k = dims.length - 1; k >= 0; k--) {
                long index = rest % shape[k];
                rest /= shape[k];
                int td = dims[k] - shift;
                from += td >= 0 ? index * strides[td] : 0;
            }
            out[i] = v[(int) from];
        }
        return ConstTensor.ofFloats(out, shape);
    }
}
