package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Evaluates nodes whose inputs are all known at conversion time: the shape arithmetic exporters write (torch's
 * {@code x.view(x.size(0), -1)} is Shape, Gather, Unsqueeze, Concat, Reshape; its {@code F.pad} builds the pads with
 * ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast) and weight preprocessing (Transpose, Cast). Integer
 * elements may be symbols ({@link ConstTensor#BATCH}): moving them around keeps them, arithmetic yields UNKNOWN.
 */
final class ConstantFolding {
    /** Ops evaluated here when all their inputs are constants. */
    static final Set<String> OPS = Set.of("Constant", "ConstantOfShape", "Identity", "Cast", "Gather", "Unsqueeze",
            "Squeeze", "Concat", "Slice", "Reshape", "Transpose", "Flatten", "Add", "Sub", "Mul", "Div", "Neg",
            "Dropout", "Shape", "Size", "Equal", "Where");
    /** Ops that only make sense on constants (the converter has no layer for them). */
    static final Set<String> CONSTANT_ONLY = Set.of("Constant", "ConstantOfShape", "Cast", "Gather", "Slice", "Neg",
            "Size", "Shape");

    /**
     * The most elements an op that can grow its input (ConstantOfShape, Gather, broadcasting) may produce: far more
     * than shape arithmetic needs, and a bound on what a corrupt or hostile shape can make the converter allocate.
     */
    static final long MAX_GROWN_ELEMENTS = 1 << 24;

    private ConstantFolding() {}

    private static int grown(long[] shape, String where) {
        long n = ConstTensor.numel(shape, where + " output");
        if (n > MAX_GROWN_ELEMENTS) {
            throw new IllegalArgumentException(where + ": folding it would make a constant of shape "
                    + Arrays.toString(shape) + " (" + n + " elements); cnn4j folds at most " + MAX_GROWN_ELEMENTS);
        }
        return (int) n;
    }

    /** The first output of {@code node} given its inputs (null entries = absent optional inputs). */
    static ConstTensor fold(Node node, List<ConstTensor> in, long opset, Path baseDir) {
        Attributes a = new Attributes(node);
        String where = node.label();
        return switch (node.opType()) {
            case "Constant" -> constant(a, where, baseDir);
            case "ConstantOfShape" -> {
                long[] shape = input(in, 0, where).knownLongs(where + " shape");
                int n = grown(shape, where);
                ConstTensor v = a.tensor("value", baseDir);
                if (v != null && v.numel() != 1) {
                    throw a.error("value", "must hold one value, got shape " + Arrays.toString(v.shape));
                }
                if (v == null || v.isFloat()) {
                    float[] f = new float[n];
                    Arrays.fill(f, v == null ? 0f : v.floats(where)[0]);
                    yield ConstTensor.ofFloats(f, shape);
                }
                long[] l = new long[n];
                Arrays.fill(l, v.longs()[0]);
                yield ConstTensor.ofLongs(l, shape);
            }
            case "Identity", "Dropout" -> input(in, 0, where);
            case "Cast" -> {
                ConstTensor x = input(in, 0, where);
                int to = NodeChecks.int32(a, "to", a.integer("to", 0));
                if (ConstTensor.isFloatType(to)) {
                    yield ConstTensor.ofFloats(x.floats(where), x.shape);
                }
                if (ConstTensor.elementSize(to) == 0) {
                    throw a.error("to", "is " + ConstTensor.typeName(to) + ", which cnn4j cannot fold");
                }
                long[] l = x.longs().clone();
                if (to == ConstTensor.BOOL) {
                    for (int i = 0; i < l.length; i++) {
                        l[i] = l[i] != 0 ? 1 : 0;
                    }
                }
                yield ConstTensor.ofSymbolic(l, x.symbols(), x.shape);
            }
            case "Shape" -> {
                long[] dims = input(in, 0, where).shape;
                yield shapeOf(ConstTensor.ofLongs(dims, dims.length), a);
            }
            case "Size" -> ConstTensor.ofLongs(new long[] {input(in, 0, where).numel()});
            case "Gather" -> gather(input(in, 0, where), input(in, 1, where), a.integer("axis", 0), where);
            case "Unsqueeze", "Squeeze" -> {
                ConstTensor x = input(in, 0, where);
                long[] axes = axes(node, in, a, opset, where);
                yield reshaped(x, node.opType().equals("Squeeze") ? squeeze(x.shape, axes, where)
                        : unsqueeze(x.shape, axes, where));
            }
            case "Concat" -> concat(in, a.integer("axis", Long.MIN_VALUE), where, a);
            case "Slice" -> slice(node, in, a, opset, where);
            case "Reshape" -> {
                ConstTensor x = input(in, 0, where);
                long[] target = input(in, 1, where).knownLongs(where);
                yield reshaped(x, reshapeTarget(x.shape, target, a.integer("allowzero", 0) != 0, where));
            }
            case "Flatten" -> {
                ConstTensor x = input(in, 0, where);
                int axis = flattenAxis(a.integer("axis", 1), x.rank(), where);
                long outer = 1;
                for (int d = 0; d < axis; d++) {
                    outer *= x.shape[d];
                }
                yield reshaped(x, new long[] {outer, x.numel() / Math.max(1, outer)});
            }
            case "Transpose" -> transpose(input(in, 0, where), a.ints("perm", null), where);
            case "Add", "Sub", "Mul", "Div" -> binary(node.opType(), input(in, 0, where), input(in, 1, where), where);
            case "Equal" -> equal(input(in, 0, where), input(in, 1, where), where);
            case "Where" -> select(input(in, 0, where), input(in, 1, where), input(in, 2, where), where);
            case "Neg" -> {
                ConstTensor x = input(in, 0, where);
                if (x.isFloat()) {
                    float[] f = x.floats(where).clone();
                    for (int i = 0; i < f.length; i++) {
                        f[i] = -f[i];
                    }
                    yield ConstTensor.ofFloats(f, x.shape);
                }
                long[] l = x.longs().clone();
                byte[] symbols = x.symbols() == null ? null : new byte[l.length];
                for (int i = 0; i < l.length; i++) {
                    l[i] = -l[i];
                    if (symbols != null && x.symbol(i) != ConstTensor.KNOWN) {
                        symbols[i] = ConstTensor.UNKNOWN;
                    }
                }
                yield ConstTensor.ofSymbolic(l, symbols, x.shape);
            }
            default -> throw new IllegalStateException("not foldable: " + node.opType());
        };
    }

    /** Shape-15's start/end attributes select a range of the dims (a 1-d tensor, possibly with symbols). */
    static ConstTensor shapeOf(ConstTensor dims, Attributes a) {
        int r = dims.numel();
        int start = (int) Math.max(0, Math.min(r, normalize(a.integer("start", 0), r)));
        int end = (int) Math.max(start, Math.min(r, normalize(a.integer("end", r), r)));
        int[] source = new int[end - start];
        for (int i = 0; i < source.length; i++) {
            source[i] = start + i;
        }
        return pick(dims, source, new long[] {source.length});
    }

    private static long normalize(long axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    private static ConstTensor input(List<ConstTensor> in, int i, String where) {
        if (i >= in.size() || in.get(i) == null) {
            throw new IllegalArgumentException(where + ": missing input " + i);
        }
        return in.get(i);
    }

    private static ConstTensor constant(Attributes a, String where, Path baseDir) {
        ConstTensor t = a.tensor("value", baseDir);
        if (t != null) {
            return t;
        }
        if (a.has("value_float")) {
            return ConstTensor.scalar(a.f("value_float", 0));
        }
        if (a.has("value_floats")) {
            float[] f = a.floats("value_floats", null);
            return ConstTensor.ofFloats(f, f.length);
        }
        if (a.has("value_int")) {
            return ConstTensor.ofLongs(new long[] {a.integer("value_int", 0)});
        }
        if (a.has("value_ints")) {
            long[] l = a.ints("value_ints", null);
            return ConstTensor.ofLongs(l, l.length);
        }
        throw new IllegalArgumentException(where + " has no value, value_float(s) or value_int(s) attribute "
                + "(string and sparse constants are not supported)");
    }

    /** Squeeze/Unsqueeze axes: an attribute before opset 13, an input from 13. */
    static long[] axes(Node node, List<ConstTensor> in, Attributes a, long opset, String where) {
        if (opset < 13) {
            return a.ints("axes", null);
        }
        return in.size() > 1 && in.get(1) != null ? in.get(1).knownLongs(where + " axes") : null;
    }

    static int axis(long axis, int rank, String where) {
        long v = axis < 0 ? axis + rank : axis;
        if (v < 0 || v >= rank) {
            throw new IllegalArgumentException(where + ": axis must be in [" + -rank + ", " + (rank - 1) + "], got axis="
                    + axis);
        }
        return (int) v;
    }

    /** Flatten's axis: the first dim of the second output dim, in [-rank, rank], negative counting from the rank. */
    static int flattenAxis(long axis, int rank, String where) {
        long v = axis < 0 ? axis + rank : axis;
        if (v < 0 || v > rank) {
            throw new IllegalArgumentException(where + ": axis must be in [" + -rank + ", " + rank + "] for a rank-"
                    + rank + " input, got axis=" + axis);
        }
        return (int) v;
    }

    static long[] squeeze(long[] shape, long[] axes, String where) {
        boolean[] drop = new boolean[shape.length];
        if (axes == null) {
            for (int d = 0; d < shape.length; d++) {
                drop[d] = shape[d] == 1;
            }
        } else {
            for (long ax : axes) {
                int d = axis(ax, shape.length, where);
                if (shape[d] != 1 && shape[d] != -1) {
                    throw new IllegalArgumentException(where + ": cannot squeeze dim " + d + " of size " + shape[d]);
                }
                drop[d] = true;
            }
        }
        long[] out = new long[shape.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!drop[d]) {
                out[n++] = shape[d];
            }
        }
        return Arrays.copyOf(out, n);
    }

    static long[] unsqueeze(long[] shape, long[] axes, String where) {
        if (axes == null) {
            throw new IllegalArgumentException(where + ": Unsqueeze needs axes");
        }
        int rank = shape.length + axes.length;
        boolean[] added = new boolean[rank];
        for (long ax : axes) {
            int d = axis(ax, rank, where);
            if (added[d]) {
                throw new IllegalArgumentException(where + ": axes " + Arrays.toString(axes) + " repeat axis " + d);
            }
            added[d] = true;
        }
        long[] out = new long[rank];
        for (int d = 0, s = 0; d < rank; d++) {
            out[d] = added[d] ? 1 : shape[s++];
        }
        return out;
    }

    /** Reshape's target with 0 (copy, unless allowzero) and one -1 resolved against a fully known input shape. */
    static long[] reshapeTarget(long[] in, long[] target, boolean allowZero, String where) {
        long[] out = target.clone();
        int infer = -1;
        long known = 1;
        for (int d = 0; d < out.length; d++) {
            if (out[d] == 0 && !allowZero) {
                if (d >= in.length) {
                    throw new IllegalArgumentException(where + ": shape " + Arrays.toString(target) + " copies dim " + d
                            + " of a rank-" + in.length + " input");
                }
                out[d] = in[d];
            }
            if (out[d] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException(where + ": shape " + Arrays.toString(target) + " has two -1");
                }
                infer = d;
            } else if (out[d] < 0) {
                throw new IllegalArgumentException(where + ": invalid shape " + Arrays.toString(target));
            } else {
                known = Math.multiplyExact(known, out[d]);
            }
        }
        long total = 1;
        for (long d : in) {
            total *= d;
        }
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                throw new IllegalArgumentException(where + ": cannot reshape " + Arrays.toString(in) + " to "
                        + Arrays.toString(target));
            }
            out[infer] = total / known;
        } else if (known != total) {
            throw new IllegalArgumentException(where + ": cannot reshape " + Arrays.toString(in) + " ("
                    + total + " elements) to " + Arrays.toString(target));
        }
        return out;
    }

    private static ConstTensor reshaped(ConstTensor x, long[] shape) {
        return x.isFloat() ? ConstTensor.ofFloats(x.floats(""), shape)
                : ConstTensor.ofSymbolic(x.longs(), x.symbols(), shape);
    }

    private static int[] strides(long[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= (int) shape[d];
        }
        return s;
    }

    /** Builds a tensor of x's kind whose element i is x's element {@code source[i]}. */
    private static ConstTensor pick(ConstTensor x, int[] source, long[] shape) {
        if (x.isFloat()) {
            float[] f = x.floats("");
            float[] out = new float[source.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = f[source[i]];
            }
            return ConstTensor.ofFloats(out, shape);
        }
        long[] l = x.longs();
        long[] out = new long[source.length];
        byte[] symbols = x.symbols() == null ? null : new byte[source.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = l[source[i]];
            if (symbols != null) {
                symbols[i] = x.symbol(source[i]);
            }
        }
        return ConstTensor.ofSymbolic(out, symbols, shape);
    }

    private static ConstTensor gather(ConstTensor data, ConstTensor indices, long axisAttr, String where) {
        if (data.rank() == 0) {
            throw new IllegalArgumentException(where + ": cannot gather from a scalar");
        }
        int axis = axis(axisAttr, data.rank(), where);
        long[] idx = indices.knownLongs(where + " indices");
        long[] shape = new long[data.rank() - 1 + indices.rank()];
        System.arraycopy(data.shape, 0, shape, 0, axis);
        System.arraycopy(indices.shape, 0, shape, axis, indices.rank());
        System.arraycopy(data.shape, axis + 1, shape, axis + indices.rank(), data.rank() - axis - 1);
        int n = grown(shape, where);
        int[] ds = strides(data.shape);
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= (int) data.shape[d];
        }
        int inner = ds[axis];
        int[] source = new int[n];
        int k = 0;
        for (int o = 0; o < outer; o++) {
            for (long ix : idx) {
                long j = ix < 0 ? ix + data.shape[axis] : ix;
                if (j < 0 || j >= data.shape[axis]) {
                    throw new IllegalArgumentException(where + ": index " + ix + " is out of range for a dim of size "
                            + data.shape[axis]);
                }
                for (int i = 0; i < inner; i++) {
                    source[k++] = o * (int) data.shape[axis] * inner + (int) j * inner + i;
                }
            }
        }
        return pick(data, source, shape);
    }

    private static ConstTensor concat(List<ConstTensor> in, long axisAttr, String where, Attributes a) {
        if (axisAttr == Long.MIN_VALUE) {
            throw a.error("axis", "is required");
        }
        ConstTensor first = input(in, 0, where);
        int axis = axis(axisAttr, first.rank(), where);
        long[] shape = first.shape.clone();
        shape[axis] = 0;
        boolean floats = false;
        for (ConstTensor t : in) {
            boolean same = t != null && t.rank() == first.rank();
            for (int d = 0; same && d < shape.length; d++) {
                same = d == axis || t.shape[d] == first.shape[d];
            }
            if (!same) {
                throw new IllegalArgumentException(where + ": inputs of shapes that do not concatenate along axis "
                        + axis);
            }
            shape[axis] += t.shape[axis];
            floats |= t.isFloat();
        }
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= (int) shape[d];
        }
        int n = (int) ConstTensor.numel(shape, where + " output");
        float[] f = floats ? new float[n] : null;
        long[] l = floats ? null : new long[n];
        byte[] symbols = !floats && in.stream().anyMatch(t -> t.symbols() != null) ? new byte[n] : null;
        int k = 0;
        for (int o = 0; o < outer; o++) {
            for (ConstTensor t : in) {
                int chunk = t.numel() / Math.max(1, outer);
                if (floats) {
                    System.arraycopy(t.floats(where), o * chunk, f, k, chunk);
                } else {
                    System.arraycopy(t.longs(), o * chunk, l, k, chunk);
                    for (int i = 0; symbols != null && i < chunk; i++) {
                        symbols[k + i] = t.symbol(o * chunk + i);
                    }
                }
                k += chunk;
            }
        }
        return floats ? ConstTensor.ofFloats(f, shape) : ConstTensor.ofSymbolic(l, symbols, shape);
    }

    private static ConstTensor slice(Node node, List<ConstTensor> in, Attributes a, long opset, String where) {
        ConstTensor x = input(in, 0, where);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (opset < 10) {
            starts = a.ints("starts", null);
            ends = a.ints("ends", null);
            axes = a.ints("axes", null);
        } else {
            starts = input(in, 1, where).knownLongs(where + " starts");
            ends = input(in, 2, where).knownLongs(where + " ends");
            axes = in.size() > 3 && in.get(3) != null ? in.get(3).knownLongs(where + " axes") : null;
            steps = in.size() > 4 && in.get(4) != null ? in.get(4).knownLongs(where + " steps") : null;
        }
        if (starts == null || ends == null || starts.length != ends.length) {
            throw new IllegalArgumentException(where + ": starts and ends must be given with the same length");
        }
        NodeChecks.sameLength(where, "axes", axes, "starts", starts);
        NodeChecks.sameLength(where, "steps", steps, "starts", starts);
        int r = x.rank();
        long[] begin = new long[r];
        long[] step = new long[r];
        long[] count = x.shape.clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int d = axis(axes == null ? i : axes[i], r, where);
            long dim = x.shape[d];
            long s = steps == null ? 1 : steps[i];
            if (s == 0) {
                throw new IllegalArgumentException(where + ": steps must not be 0");
            }
            long b = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (s > 0) {
                b = Math.max(0, Math.min(dim, b));
                e = Math.max(0, Math.min(dim, e));
                count[d] = e <= b ? 0 : 1 + (e - b - 1) / s;
            } else {
                b = Math.max(-1, Math.min(dim - 1, b));
                e = Math.max(-1, Math.min(dim - 1, e));
                count[d] = b <= e ? 0 : 1 + (b - e - 1) / -Math.max(s, -Long.MAX_VALUE);
            }
            begin[d] = b;
            step[d] = s;
        }
        int[] xs = strides(x.shape);
        long offset = 0;
        long[] jump = new long[r];
        for (int d = 0; d < r; d++) {
            offset += begin[d] * xs[d];
            jump[d] = step[d] * xs[d];
        }
        return pick(x, strided(count, offset, jump), count);
    }

    static ConstTensor transpose(ConstTensor x, long[] perm, String where) {
        int r = x.rank();
        long[] p = perm;
        if (p == null) {
            p = new long[r];
            for (int d = 0; d < r; d++) {
                p[d] = r - 1 - d;
            }
        }
        checkPerm(p, r, where);
        long[] shape = new long[r];
        for (int d = 0; d < r; d++) {
            shape[d] = x.shape[(int) p[d]];
        }
        int[] xs = strides(x.shape);
        long[] jump = new long[r];
        for (int d = 0; d < r; d++) {
            jump[d] = xs[(int) p[d]];
        }
        return pick(x, strided(shape, 0, jump), shape);
    }

    static void checkPerm(long[] p, int rank, String where) {
        boolean[] seen = new boolean[rank];
        boolean ok = p.length == rank;
        for (int d = 0; ok && d < rank; d++) {
            ok = p[d] >= 0 && p[d] < rank && !seen[(int) p[d]];
            if (ok) {
                seen[(int) p[d]] = true;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException(where + ": perm " + Arrays.toString(p) + " is not a permutation of "
                    + rank + " dims");
        }
    }

    /** numpy-style broadcast of two shapes. */
    static long[] broadcast(long[] a, long[] b, String where) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long x = i < r - a.length ? 1 : a[i - (r - a.length)];
            long y = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(where + ": shapes " + Arrays.toString(a) + " and "
                        + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** For each element of the broadcast shape, the index of the element of {@code shape} it reads. */
    static int[] broadcastIndex(long[] shape, long[] out) {
        int[] s = strides(shape);
        int shift = out.length - shape.length;
        long[] jump = new long[out.length];
        for (int d = shift; d < out.length; d++) {
            jump[d] = shape[d - shift] == 1 ? 0 : s[d - shift];
        }
        return strided(out, 0, jump);
    }

    /**
     * Source indices of a strided view: element {@code idx} of {@code shape} (row-major) reads source element
     * {@code offset + sum(idx[d] * jump[d])}. Slice, Transpose and broadcasting are all such views.
     */
    private static int[] strided(long[] shape, long offset, long[] jump) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        int[] source = new int[n];
        long[] idx = new long[shape.length];
        for (int i = 0; i < n; i++) {
            long off = offset;
            for (int d = 0; d < shape.length; d++) {
                off += idx[d] * jump[d];
            }
            source[i] = (int) off;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return source;
    }

    /**
     * Equal of constants as 0/1 (BOOL as int64); an element with a symbolic operand is unknown, except the batch size
     * against a number below 1, which it never equals (torch's expand writes -1 for a kept dim and tests for it so).
     */
    static ConstTensor equal(ConstTensor x, ConstTensor y, String where) {
        long[] shape = broadcast(x.shape, y.shape, where);
        grown(shape, where);
        int[] ix = broadcastIndex(x.shape, shape);
        int[] iy = broadcastIndex(y.shape, shape);
        long[] out = new long[ix.length];
        byte[] symbols = x.symbols() == null && y.symbols() == null ? null : new byte[out.length];
        boolean floats = x.isFloat() || y.isFloat();
        float[] fa = floats ? x.floats(where) : null;
        float[] fb = floats ? y.floats(where) : null;
        long[] a = floats ? null : x.longs();
        long[] b = floats ? null : y.longs();
        for (int i = 0; i < out.length; i++) {
            byte sx = x.symbol(ix[i]);
            byte sy = y.symbol(iy[i]);
            if (sx == ConstTensor.KNOWN && sy == ConstTensor.KNOWN) {
                out[i] = floats ? (fa[ix[i]] == fb[iy[i]] ? 1 : 0) : (a[ix[i]] == b[iy[i]] ? 1 : 0);
            } else if (!floats && (sx == ConstTensor.BATCH && sy == ConstTensor.KNOWN && b[iy[i]] < 1
                    || sy == ConstTensor.BATCH && sx == ConstTensor.KNOWN && a[ix[i]] < 1)) {
                out[i] = 0;
            } else {
                symbols[i] = ConstTensor.UNKNOWN;
            }
        }
        return ConstTensor.ofSymbolic(out, symbols, shape);
    }

    /** Where of constants: x's element where the condition is nonzero, else y's (unknown where the condition is). */
    static ConstTensor select(ConstTensor c, ConstTensor x, ConstTensor y, String where) {
        long[] shape = broadcast(broadcast(c.shape, x.shape, where), y.shape, where);
        grown(shape, where);
        int[] ic = broadcastIndex(c.shape, shape);
        int[] ix = broadcastIndex(x.shape, shape);
        int[] iy = broadcastIndex(y.shape, shape);
        long[] cond = c.longs();
        if (x.isFloat() || y.isFloat()) {
            if (c.symbols() != null || x.symbols() != null || y.symbols() != null) {
                throw new IllegalArgumentException(where + ": Where of float constants with a condition or operand "
                        + "that depends on the batch size; cnn4j folds it only with every value known");
            }
            float[] a = x.floats(where);
            float[] b = y.floats(where);
            float[] out = new float[ic.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = cond[ic[i]] != 0 ? a[ix[i]] : b[iy[i]];
            }
            return ConstTensor.ofFloats(out, shape);
        }
        long[] a = x.longs();
        long[] b = y.longs();
        long[] out = new long[ic.length];
        byte[] symbols = c.symbols() == null && x.symbols() == null && y.symbols() == null ? null
                : new byte[out.length];
        for (int i = 0; i < out.length; i++) {
            if (c.symbol(ic[i]) != ConstTensor.KNOWN) {
                symbols[i] = ConstTensor.UNKNOWN;
                continue;
            }
            boolean first = cond[ic[i]] != 0;
            out[i] = first ? a[ix[i]] : b[iy[i]];
            if (symbols != null) {
                symbols[i] = first ? x.symbol(ix[i]) : y.symbol(iy[i]);
            }
        }
        return ConstTensor.ofSymbolic(out, symbols, shape);
    }

    static ConstTensor binary(String op, ConstTensor x, ConstTensor y, String where) {
        long[] shape = broadcast(x.shape, y.shape, where);
        grown(shape, where);
        int[] ix = broadcastIndex(x.shape, shape);
        int[] iy = broadcastIndex(y.shape, shape);
        if (x.isFloat() || y.isFloat()) {
            float[] a = x.floats(where);
            float[] b = y.floats(where);
            float[] out = new float[ix.length];
            for (int i = 0; i < out.length; i++) {
                float p = a[ix[i]];
                float q = b[iy[i]];
                out[i] = switch (op) {
                    case "Add" -> p + q;
                    case "Sub" -> p - q;
                    case "Mul" -> p * q;
                    default -> p / q;
                };
            }
            return ConstTensor.ofFloats(out, shape);
        }
        long[] a = x.longs();
        long[] b = y.longs();
        long[] out = new long[ix.length];
        byte[] symbols = x.symbols() == null && y.symbols() == null ? null : new byte[out.length];
        for (int i = 0; i < out.length; i++) {
            long p = a[ix[i]];
            long q = b[iy[i]];
            if (x.symbol(ix[i]) != ConstTensor.KNOWN || y.symbol(iy[i]) != ConstTensor.KNOWN) {
                symbols[i] = ConstTensor.UNKNOWN;
            } else if (op.equals("Div") && q == 0) {
                throw new IllegalArgumentException(where + ": integer division by zero");
            } else {
                out[i] = switch (op) {
                    case "Add" -> p + q;
                    case "Sub" -> p - q;
                    case "Mul" -> p * q;
                    default -> p / q;
                };
            }
        }
        return ConstTensor.ofSymbolic(out, symbols, shape);
    }
}
