package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Reshaped;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reshapes of computed tensors. The batch dim must stay dim 0; the other dims map onto PyTorch's shape modules:
 * nothing (same shape), one {@code Flatten(start_dim, end_dim)} (a run of dims merged), one {@code Unflatten} (a dim
 * split), or else Flatten to [N, -1] followed by Unflatten (any row-major reshape).
 */
final class Reshapes {
    private Reshapes() {}

    /**
     * Reshape's target for an input of {@code shape} (dim 0 the batch), with dim 0 as {@code -1}. Dim 0 of the
     * requested shape must denote the batch: the batch symbol (from Shape), 0 (copy), -1 with the other sizes
     * accounting for all non-batch elements, or the batch size the file fixed for its input.
     */
    static long[] target(Node n, long[] shape, ConstTensor requested, boolean allowZero, long staticBatch) {
        String where = n.label();
        long[] t = requested.longs().clone();
        if (requested.rank() != 1 || t.length == 0) {
            throw new IllegalArgumentException(where + ": shape must be a non-empty 1-d tensor, got "
                    + describe(requested));
        }
        boolean batchSymbol = false;
        for (int d = 0; d < t.length; d++) {
            byte symbol = requested.symbol(d);
            if (symbol == ConstTensor.KNOWN && t[d] == 0 && !allowZero) {
                if (d >= shape.length) {
                    throw new IllegalArgumentException(where + ": shape " + describe(requested) + " copies dim " + d
                            + " of a rank-" + shape.length + " input");
                }
                symbol = d == 0 ? ConstTensor.BATCH : shape[d] < 0 ? ConstTensor.UNKNOWN : ConstTensor.KNOWN;
                t[d] = shape[d];
            }
            if (symbol == ConstTensor.UNKNOWN || (symbol == ConstTensor.BATCH && d > 0)) {
                throw new IllegalArgumentException(where + ": shape " + describe(requested) + " depends on "
                        + (symbol == ConstTensor.BATCH ? "the batch size in dim " + d : "an input size that is not "
                        + "known") + "; cnn4j needs the non-batch sizes constant");
            }
            batchSymbol |= symbol == ConstTensor.BATCH;
        }
        long inRest = 1;
        for (int d = 1; d < shape.length; d++) {
            inRest = inRest < 0 || shape[d] < 0 ? -1 : inRest * shape[d];
        }
        long known = 1;
        int infer = -1;
        for (int d = 1; d < t.length; d++) {
            if (t[d] == -1 && infer < 0) {
                infer = d;
            } else if (t[d] < 0) {
                throw new IllegalArgumentException(where + ": invalid shape " + describe(requested));
            } else {
                known = Math.multiplyExact(known, t[d]);
            }
        }
        boolean batch = batchSymbol
                || (t[0] == -1 && infer < 0 && inRest >= 0 && known == inRest)
                || (t[0] == staticBatch && staticBatch > 0 && (infer >= 0 || inRest < 0 || known == inRest));
        if (!batch) {
            throw new IllegalArgumentException(where + ": shape " + describe(requested) + " of an input of shape "
                    + describeShape(shape) + " changes the batch dim; cnn4j models keep dim 0 as the batch");
        }
        t[0] = -1;
        if (infer >= 0) {
            if (inRest >= 0) {
                if (known == 0 || inRest % known != 0) {
                    throw new IllegalArgumentException(where + ": cannot reshape " + describeShape(shape) + " to "
                            + describe(requested));
                }
                t[infer] = inRest / known;
            }
        } else if (inRest >= 0 && known != inRest) {
            throw new IllegalArgumentException(where + ": cannot reshape " + describeShape(shape) + " ("
                    + inRest + " elements per sample) to " + describe(requested));
        }
        return t;
    }

    /** The layers (none, Flatten, Unflatten or both) that turn the source into the reshaped value. */
    static Act materialize(Reshaped r, UnaryOperator<LayerNode> add) {
        long[] s = r.source.shape;
        long[] t = r.shape;
        if (t.length == 2) {
            return s.length == 2 ? r.source : flatten(r, r.source, 1, s.length - 1, t, add);
        }
        boolean known = Arrays.stream(s).skip(1).allMatch(d -> d >= 0) && Arrays.stream(t).skip(1).allMatch(d -> d >= 0);
        if (!known) {
            throw new IllegalArgumentException(r.node.label() + ": reshaping " + describeShape(s) + " to "
                    + describeShape(t) + " needs all non-batch sizes known");
        }
        if (Arrays.equals(s, t)) {
            return r.source;
        }
        int prefix = 1;
        while (prefix < Math.min(s.length, t.length) && s[prefix] == t[prefix]) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < Math.min(s.length, t.length) - prefix
                && s[s.length - 1 - suffix] == t[t.length - 1 - suffix]) {
            suffix++;
        }
        int sLen = s.length - prefix - suffix;
        int tLen = t.length - prefix - suffix;
        if ((sLen == 0 || tLen == 0) && prefix > 1) {
            prefix--; // only size-1 dims added or removed: merge or split them with their left neighbour
            sLen++;
            tLen++;
        }
        if (tLen == 1 && sLen >= 2) {
            return flatten(r, r.source, prefix, prefix + sLen - 1, t, add);
        }
        if (sLen == 1 && tLen >= 2) {
            return unflatten(r, r.source, prefix, Arrays.copyOfRange(t, prefix, prefix + tLen), t, add);
        }
        long[] flat = {-1, Arrays.stream(s).skip(1).reduce(1, (p, q) -> p * q)};
        Act f = s.length == 2 ? r.source : flatten(r, r.source, 1, s.length - 1, flat, add);
        return unflatten(r, f, 1, Arrays.copyOfRange(t, 1, t.length), t, add);
    }

    private static Act flatten(Reshaped r, Act x, int start, int end, long[] shape, UnaryOperator<LayerNode> add) {
        LayerNode l = layer("Flatten", r, x, shape);
        if (start != 1) {
            l.args.put("start_dim", start);
        }
        if (end != x.shape.length - 1) {
            l.args.put("end_dim", end);
        }
        return add.apply(l).out;
    }

    private static Act unflatten(Reshaped r, Act x, int dim, long[] sizes, long[] shape, UnaryOperator<LayerNode> add) {
        LayerNode l = layer("Unflatten", r, x, shape);
        l.args.put("dim", dim);
        l.args.set("unflattened_size", JsonArgs.list(sizes));
        return add.apply(l).out;
    }

    private static LayerNode layer(String type, Reshaped r, Act x, long[] shape) {
        LayerNode l = new LayerNode(type, r.node, List.of(x), shape);
        l.nodeHints.addAll(Naming.nodeHints(r.node));
        return l;
    }

    private static String text(long[] v) {
        return Arrays.toString(v);
    }

    /** A requested shape with run-time sizes spelled out. */
    private static String describe(ConstTensor v) {
        long[] l = v.longs();
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < l.length; i++) {
            byte symbol = v.symbol(i);
            b.append(i > 0 ? ", " : "").append(symbol == ConstTensor.BATCH ? "batch" : symbol == ConstTensor.UNKNOWN
                    ? "?" : Long.toString(l[i]));
        }
        return b.append(']').toString();
    }

    /** A value's shape with the batch dim as N. */
    private static String describeShape(long[] s) {
        StringBuilder b = new StringBuilder("[N");
        for (int i = 1; i < s.length; i++) {
            b.append(", ").append(s[i] < 0 ? "?" : Long.toString(s[i]));
        }
        return b.append(']').toString();
    }
}
