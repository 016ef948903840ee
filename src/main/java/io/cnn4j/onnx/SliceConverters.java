package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Slice and Split of computed tensors as the format's Slice layers (Python's x[..., start:end:step, ...]), one per
 * sliced axis: how torch exports chunk / split and tensor slicing. Bounds are clamped into each dim as ONNX and
 * Python clamp them, so the layers carry the exact index range; the batch dim stays whole, and negative steps (a
 * reversal, which PyTorch slicing cannot express) are refused.
 */
final class SliceConverters {
    private SliceConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Slice", SliceConverters::slice);
        r.put("Split", SliceConverters::split);
    }

    private static void slice(ConversionContext cx, Node n) {
        Act x = cx.act(n, 0);
        int rank = x.shape.length;
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (cx.opset < 10) {
            Attributes a = new Attributes(n);
            starts = a.ints("starts", null);
            ends = a.ints("ends", null);
            axes = a.ints("axes", null);
        } else {
            starts = longs(cx, n, 1, "starts");
            ends = longs(cx, n, 2, "ends");
            axes = cx.input(n, 3) == null ? null : longs(cx, n, 3, "axes");
            steps = cx.input(n, 4) == null ? null : longs(cx, n, 4, "steps");
        }
        if (starts == null || ends == null || starts.length != ends.length || axes != null
                && axes.length != starts.length || steps != null && steps.length != starts.length) {
            throw new IllegalArgumentException(n.label() + ": starts, ends (and axes, steps if given) must have one "
                    + "value per sliced axis");
        }
        Act y = x;
        for (int i = 0; i < starts.length; i++) {
            int d = ConstantFolding.axis(axes == null ? i : axes[i], rank, n.label());
            long step = steps == null ? 1 : steps[i];
            if (step <= 0) {
                throw new IllegalArgumentException(n.label() + ": step " + step + " on axis " + d + " reverses the "
                        + "tensor, which PyTorch slicing cannot (write torch.flip); cnn4j takes positive steps");
            }
            long size = y.shape[d];
            if (size < 0 && step == 1 && (starts[i] == 0 || starts[i] <= Integer.MIN_VALUE)
                    && ends[i] >= Integer.MAX_VALUE) {
                continue; // all of a dim whose size is known at run time only (the batch)
            }
            long start = clamp(starts[i], size);
            long end = clamp(ends[i], size);
            if (size >= 0 && start == 0 && end == size && step == 1) {
                continue;
            }
            if (d == 0) {
                throw new IllegalArgumentException(n.label() + ": it slices axis 0, the batch dim, which cnn4j "
                        + "models keep whole");
            }
            if (size < 0) {
                throw new IllegalArgumentException(n.label() + ": axis " + d + " of input " + text(x.shape)
                        + " has no known size to slice");
            }
            y = sliceLayer(cx, n, y, d, start, end, step);
        }
        cx.output(n, y);
    }

    /** A Slice layer y[..., start:end:step] along d, for bounds already clamped into the dim. */
    private static Act sliceLayer(ConversionContext cx, Node n, Act y, int d, long start, long end, long step) {
        long count = end <= start ? 0 : (end - start + step - 1) / step;
        if (count == 0) {
            throw new IllegalArgumentException(n.label() + ": the slice of axis " + d + " of " + text(y.shape)
                    + " is empty; cnn4j tensors have no zero-size dims");
        }
        long[] shape = y.shape.clone();
        shape[d] = count;
        LayerNode l = cx.layer("Slice", n, List.of(y), shape);
        l.args.put("dim", d);
        l.args.put("start", start);
        l.args.put("end", end);
        if (step != 1) {
            l.args.put("step", step);
        }
        return l.out;
    }

    /** ONNX's (and Python's) clamping of a bound into [0, size]. */
    private static long clamp(long index, long size) {
        long i = index < 0 ? index + size : index;
        return Math.max(0, Math.min(size, i));
    }

    private static long[] longs(ConversionContext cx, Node n, int i, String what) {
        ConstTensor t = cx.constant(n, i, what);
        if (t == null) {
            throw new IllegalArgumentException(n.label() + ": missing input " + what);
        }
        return t.knownLongs(n.label() + " " + what);
    }

    private static void split(ConversionContext cx, Node n) {
        Act x = cx.act(n, 0);
        Attributes a = new Attributes(n);
        int d = ConstantFolding.axis(a.integer("axis", 0), x.shape.length, n.label());
        long size = x.shape[d];
        if (d == 0 || size < 0) {
            throw new IllegalArgumentException(n.label() + ": it splits " + (d == 0 ? "axis 0, the batch dim, which "
                    + "cnn4j models keep whole" : "axis " + d + " of unknown size in input " + text(x.shape)));
        }
        int outputs = n.outputs().size();
        long[] sizes = cx.opset < 13 ? a.ints("split", null) : cx.input(n, 1) == null ? null
                : longs(cx, n, 1, "split");
        if (sizes == null) { // equal parts (opset 18: num_outputs, the last one smaller)
            long parts = a.integer("num_outputs", outputs);
            long each = (size + parts - 1) / parts;
            List<Long> list = new ArrayList<>();
            for (long start = 0; start < size; start += each) {
                list.add(Math.min(each, size - start));
            }
            sizes = list.stream().mapToLong(Long::longValue).toArray();
        }
        long total = 0;
        for (long s : sizes) {
            total += s;
        }
        if (sizes.length != outputs || total != size) {
            throw new IllegalArgumentException(n.label() + ": split sizes " + text(sizes) + " must be one per output ("
                    + outputs + ") and sum to the " + size + " elements of axis " + d);
        }
        long start = 0;
        for (int i = 0; i < outputs; i++) {
            Act piece = sizes[i] == size ? x : sliceLayer(cx, n, x, d, start, start + sizes[i], 1);
            start += sizes[i];
            if (!n.outputs().get(i).isEmpty()) {
                cx.values.put(n.outputs().get(i), piece);
            }
        }
    }
}
