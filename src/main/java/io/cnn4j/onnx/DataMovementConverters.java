package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Const;
import io.cnn4j.onnx.Value.Padded;
import io.cnn4j.onnx.Value.Reshaped;
import io.cnn4j.onnx.Value.Transposed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Ops that move data without arithmetic: Concat, Expand (x.expand), and the pending values (a {@link Reshaped}, {@link Padded} or
 * {@link Transposed} value) that Reshape/Flatten/Squeeze/Unsqueeze, Pad and Transpose leave for their consumer; also
 * the pass-throughs Identity and Dropout, and Shape of a computed tensor (a constant but for its batch dim).
 */
final class DataMovementConverters {
    private DataMovementConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Concat", DataMovementConverters::concat);
        r.put("Pad", DataMovementConverters::pad);
        for (String op : new String[] {"Flatten", "Reshape", "Squeeze", "Unsqueeze"}) {
            r.put(op, DataMovementConverters::reshape);
        }
        r.put("Transpose", DataMovementConverters::transpose);
        r.put("Identity", (cx, n) -> cx.output(n, cx.required(n, 0)));
        r.put("Dropout", DataMovementConverters::dropout);
        r.put("Shape", DataMovementConverters::shape);
        r.put("Expand", DataMovementConverters::expand);
    }

    /**
     * Expand(x, shape): x broadcast against {@code shape} (ONNX's bidirectional broadcasting) as {@code x.expand}, -1
     * for every dim it keeps; nothing when it keeps them all. Dims before the input's would move the batch dim, and
     * the batch dim itself is never expanded (it is free), so both are refused.
     */
    private static void expand(ConversionContext cx, Node n) {
        Act x = cx.act(n, 0);
        ConstTensor target = cx.constant(n, 1, "shape");
        if (target == null || target.rank() != 1) {
            throw new IllegalArgumentException(n.label() + ": shape must be a 1-d int64 tensor, got "
                    + (target == null ? "none" : "shape " + text(target.shape)));
        }
        long[] s = target.longs();
        int rank = x.shape.length;
        if (s.length > rank) {
            throw new IllegalArgumentException(n.label() + ": shape " + text(s) + " has more dims than the input "
                    + text(x.shape) + "; the new leading dims would move the batch dim, which cnn4j models keep as "
                    + "dim 0");
        }
        long[] out = x.shape.clone();
        long[] size = new long[rank];
        Arrays.fill(size, -1);
        boolean changes = false;
        for (int d = 0; d < rank; d++) {
            int i = d - (rank - s.length);
            if (i < 0) {
                continue; // shape is aligned from the right: a missing dim counts as 1
            }
            byte symbol = target.symbol(i);
            long want = s[i];
            if (d == 0) {
                if (symbol == ConstTensor.BATCH || symbol == ConstTensor.KNOWN && (want == 1
                        || cx.staticBatch > 0 && want == cx.staticBatch)) {
                    continue; // 1, or the batch size the exporter fixed: the batch dim stays as it is
                }
                throw new IllegalArgumentException(n.label() + ": shape " + text(s) + " sets dim 0 (the batch) to "
                        + (symbol == ConstTensor.KNOWN ? Long.toString(want) : "an unknown size") + "; cnn4j models "
                        + "keep the batch free, so Expand may not broadcast it (give 1 or the input's batch size)");
            }
            if (symbol != ConstTensor.KNOWN) {
                throw new IllegalArgumentException(n.label() + ": shape " + text(s) + " has no known size in dim "
                        + d + "; cnn4j needs every non-batch size when the model is converted");
            }
            long have = x.shape[d];
            if (want == 1 || want == have) {
                continue;
            }
            if (have < 0) {
                throw new IllegalArgumentException(n.label() + ": the input " + text(x.shape) + " has no known size "
                        + "in dim " + d + " to expand to " + want + "; export the model with static sizes for the "
                        + "non-batch dims");
            }
            if (have != 1) {
                throw new IllegalArgumentException(n.label() + ": the input " + text(x.shape) + " does not broadcast "
                        + "to shape " + text(s) + " (dim " + d + ": " + have + " against " + want + "; sizes must be "
                        + "equal or one of them 1)");
            }
            if (want < 1) {
                throw new IllegalArgumentException(n.label() + ": shape " + text(s) + " has size " + want
                        + " in dim " + d + "; cnn4j tensors have no zero-size or negative dims");
            }
            out[d] = want;
            size[d] = want;
            changes = true;
        }
        if (!changes) {
            cx.output(n, x);
            return;
        }
        LayerNode l = cx.layer("Expand", n, List.of(x), out);
        l.args.set("size", list(size));
        cx.output(n, l.out);
    }

    private static void concat(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        if (!a.has("axis")) {
            throw a.error("axis", "is required");
        }
        List<Act> in = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            Value v = cx.input(n, i);
            if (v instanceof Const) {
                throw new IllegalArgumentException(n.label() + ": input " + i + " ('" + n.inputs().get(i) + "') is "
                        + "a constant; cnn4j concatenates computed tensors only");
            }
            if (v != null) {
                in.add(cx.materialize(v, n.label()));
            }
        }
        long[] shape = in.get(0).shape.clone();
        int axis = ConstantFolding.axis(a.integer("axis", 1), shape.length, n.label());
        if (axis == 0) {
            throw new IllegalArgumentException(n.label() + ": concatenating along axis 0 (the batch dim) is not "
                    + "supported");
        }
        for (int i = 1; i < in.size(); i++) {
            long[] s = in.get(i).shape;
            boolean fits = s.length == shape.length;
            for (int d = 0; fits && d < s.length; d++) {
                fits = d == axis || s[d] == shape[d] || s[d] < 0 || shape[d] < 0;
            }
            if (!fits) {
                throw new IllegalArgumentException(n.label() + ": input shapes " + text(in.get(0).shape) + " and "
                        + text(s) + " do not concatenate along axis " + axis);
            }
            shape[axis] = shape[axis] < 0 || s[axis] < 0 ? -1 : shape[axis] + s[axis];
        }
        if (in.size() == 1) {
            cx.output(n, in.get(0));
            return;
        }
        LayerNode l = cx.layer("Concat", n, in, shape);
        if (axis != 1) {
            l.args.put("dim", axis);
        }
        cx.output(n, l.out);
    }

    /**
     * A pad that no Conv or pool absorbs, as PyTorch's padding module of its mode: ConstantPadNd (with the fill),
     * ReflectionPadNd, ReplicationPadNd (ONNX edge) or CircularPadNd (wrap) over the trailing padded dims.
     */
    static Act padLayer(ConversionContext cx, Padded p) {
        int rank = p.shape.length;
        int first = 0;
        while (first < rank && p.begin[first] == 0 && p.end[first] == 0) {
            first++;
        }
        boolean constant = p.mode.equals("constant");
        // The non-constant modules pad the spatial dims of (N, C, *) inputs; constant padding may reach the channels.
        int from = Math.max(first >= 2 ? 2 : first, Math.min(first, rank - 3)); // the spatial dims if possible
        int dims = rank - from;
        if (first == 0 || dims < 1 || dims > 3 || !constant && from != 2) {
            throw new IllegalArgumentException(p.node.label() + ": padding " + text(p.begin) + " / " + text(p.end)
                    + " (mode " + p.mode + ") of input " + text(p.source.shape) + " has no PyTorch padding module: "
                    + "they pad at most the last 3 dims, never the batch dim, and (but for constant padding) only "
                    + "the dims after the channels");
        }
        String type = switch (p.mode) {
            case "constant" -> "ConstantPad";
            case "reflect" -> "ReflectionPad";
            case "edge" -> "ReplicationPad";
            case "wrap" -> "CircularPad";
            default -> throw new IllegalArgumentException(p.node.label() + ": unknown mode " + p.mode);
        };
        long[] padding = new long[2 * dims];
        for (int i = 0; i < dims; i++) {
            int d = rank - 1 - i; // PyTorch's order: the last dim first
            padding[2 * i] = p.begin[d];
            padding[2 * i + 1] = p.end[d];
        }
        LayerNode l = cx.layer(type + dims + "d", p.node, List.of(p.source), p.shape);
        l.args.set("padding", tuple(padding));
        if (constant) {
            if (!Float.isFinite(p.fill)) {
                throw new IllegalArgumentException(p.node.label() + ": constant padding with " + p.fill + " has no "
                        + "PyTorch padding module (JSON has no infinities); only a following MaxPool absorbs -inf");
            }
            l.args.set("value", number(p.fill));
        }
        return l.out;
    }

    private static void pad(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        Act x = cx.act(n, 0);
        int rank = x.shape.length;
        String mode = a.string("mode", "constant");
        long[] pads;
        float fill;
        long[] axes = null;
        if (cx.opset < 11) {
            pads = a.ints("pads", null);
            fill = a.f("value", 0f);
        } else {
            ConstTensor p = cx.constant(n, 1, "pads");
            if (p == null) {
                throw new IllegalArgumentException(n.label() + ": missing pads input");
            }
            pads = p.knownLongs(n.label() + " pads");
            ConstTensor v = cx.constant(n, 2, "constant_value");
            fill = v == null ? 0f : scalar(n, v, "constant_value");
            ConstTensor ax = cx.constant(n, 3, "axes");
            axes = ax == null ? null : ax.knownLongs(n.label() + " axes");
        }
        int count = axes == null ? rank : axes.length;
        if (pads == null || pads.length != 2 * count) {
            throw new IllegalArgumentException(n.label() + ": pads " + (pads == null ? "missing" : text(pads))
                    + " must have " + 2 * count + " values");
        }
        NodeChecks.checkPads(n.label(), pads);
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int i = 0; i < count; i++) {
            int d = axes == null ? i : ConstantFolding.axis(axes[i], rank, n.label());
            begin[d] = pads[i];
            end[d] = pads[count + i];
        }
        if (allZeros(begin) && allZeros(end)) {
            cx.output(n, x);
            return;
        }
        long[] shape = x.shape.clone();
        for (int d = 0; d < rank; d++) {
            shape[d] = shape[d] < 0 ? -1 : shape[d] + begin[d] + end[d];
        }
        cx.output(n, new Padded(shape, x, begin, end, mode, fill, n));
    }

    private static void reshape(ConversionContext cx, Node n) {
        Value in = cx.required(n, 0);
        Act source = in instanceof Reshaped r ? r.source : cx.materialize(in, n.label());
        long[] shape = in.shape;
        long[] target = switch (n.opType()) {
            case "Flatten" -> {
                long attribute = new Attributes(n).integer("axis", 1);
                int axis = ConstantFolding.flattenAxis(attribute, shape.length, n.label());
                // Axis 0 makes [1, N * rest]: the same as axis 1 only for the batch of 1 the file fixed.
                if (axis != 1 && !(axis == 0 && cx.staticBatch == 1)) {
                    throw new IllegalArgumentException(n.label() + ": axis=" + attribute + " (dim " + axis + " of a "
                            + "rank-" + shape.length + " input) merges the batch dim with others; cnn4j models keep "
                            + "dim 0 as the batch (only axis=1, or -" + (shape.length - 1) + ", is supported)");
                }
                long rest = 1;
                for (int d = 1; d < shape.length; d++) {
                    rest = rest < 0 || shape[d] < 0 ? -1 : rest * shape[d];
                }
                yield new long[] {-1, rest};
            }
            case "Reshape" -> {
                ConstTensor t = cx.constant(n, 1, "shape");
                if (t == null) {
                    throw new IllegalArgumentException(n.label() + ": missing shape input");
                }
                yield Reshapes.target(n, shape, t, new Attributes(n).integer("allowzero", 0) != 0, cx.staticBatch);
            }
            default -> {
                Attributes a = new Attributes(n);
                List<ConstTensor> axesInput = new ArrayList<>();
                axesInput.add(null);
                axesInput.add(cx.constant(n, 1, "axes"));
                long[] axes = ConstantFolding.axes(n, axesInput, a, cx.opset, n.label());
                boolean squeeze = n.opType().equals("Squeeze");
                boolean unknownSize = Arrays.stream(shape).skip(1).anyMatch(d -> d < 0);
                if (squeeze && axes == null && (cx.staticBatch == 1 || unknownSize)) {
                    throw new IllegalArgumentException(n.label() + " without axes needs all sizes known and must "
                            + "not remove the batch dim; input shape " + text(shape));
                }
                if (axes == null && squeeze) {
                    long[] rest = ConstantFolding.squeeze(Arrays.copyOfRange(shape, 1, shape.length), null,
                            n.label());
                    long[] out = new long[rest.length + 1];
                    out[0] = -1;
                    System.arraycopy(rest, 0, out, 1, rest.length);
                    yield out;
                }
                int outRank = squeeze ? shape.length : shape.length + (axes == null ? 0 : axes.length);
                for (long ax : axes == null ? new long[0] : axes) {
                    if (ConstantFolding.axis(ax, outRank, n.label()) == 0) {
                        throw new IllegalArgumentException(n.label() + ": axes " + text(axes) + " include the batch "
                                + "dim 0; cnn4j models keep dim 0 as the batch");
                    }
                }
                yield squeeze ? ConstantFolding.squeeze(shape, axes, n.label())
                        : ConstantFolding.unsqueeze(shape, axes, n.label());
            }
        };
        cx.output(n, new Reshaped(target, source, n));
    }

    private static void transpose(ConversionContext cx, Node n) {
        Value in = cx.required(n, 0);
        long[] perm = new Attributes(n).ints("perm", null);
        int rank = in.shape.length;
        if (perm == null) {
            perm = new long[rank];
            for (int d = 0; d < rank; d++) {
                perm[d] = rank - 1 - d;
            }
        }
        ConstantFolding.checkPerm(perm, rank, n.label());
        Act source;
        long[] composed;
        if (in instanceof Transposed t) {
            source = t.source;
            composed = new long[rank];
            for (int d = 0; d < rank; d++) {
                composed[d] = t.perm[(int) perm[d]];
            }
        } else {
            source = cx.materialize(in, n.label());
            composed = perm;
        }
        boolean identity = true;
        for (int d = 0; d < rank; d++) {
            identity &= composed[d] == d;
        }
        if (identity) {
            cx.output(n, source);
            return;
        }
        long[] shape = new long[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = source.shape[(int) composed[d]];
        }
        cx.output(n, new Transposed(shape, source, composed, n));
    }

    private static void dropout(ConversionContext cx, Node n) {
        cx.onlyFirstOutput(n, "the dropout mask");
        ConstTensor training = cx.opset >= 12 ? cx.constant(n, 2, "training_mode") : null;
        if (training != null && training.numel() == 1 && training.longs()[0] != 0) {
            throw new IllegalArgumentException(n.label() + " is in training mode (training_mode=true); cnn4j runs "
                    + "inference only");
        }
        cx.output(n, cx.required(n, 0));
    }

    private static void shape(ConversionContext cx, Node n) {
        long[] dims = cx.required(n, 0).shape.clone();
        byte[] symbols = new byte[dims.length];
        for (int d = 0; d < dims.length; d++) {
            symbols[d] = d == 0 ? ConstTensor.BATCH : dims[d] < 0 ? ConstTensor.UNKNOWN : ConstTensor.KNOWN;
        }
        cx.output(n, new Const(ConstantFolding.shapeOf(ConstTensor.ofSymbolic(dims, symbols, dims.length),
                new Attributes(n))));
    }
}
