package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Padded;
import io.cnn4j.onnx.Value.Reshaped;
import io.cnn4j.ops.WindowSizes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Pooling as PyTorch's MaxPoolNd / AvgPoolNd / LPPoolNd / AdaptiveAvg|MaxPoolNd (spatial reductions as global
 * pooling are {@link ReduceConverters}').
 */
final class PoolConverters {
    private PoolConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("MaxPool", PoolConverters::pool);
        r.put("AveragePool", PoolConverters::pool);
        r.put("GlobalAveragePool", PoolConverters::globalPool);
        r.put("GlobalMaxPool", PoolConverters::globalPool);
        r.put("LpPool", PoolConverters::lpPool);
        r.put("MaxUnpool", PoolConverters::maxUnpool);
    }

    /**
     * LpPool as LPPoolNd (norm_type p), after a ConstantPad of zeros for its pads (zeros add nothing to a sum of
     * powers; PyTorch's LPPool has no padding of its own). PyTorch raises x to the power p where ONNX takes |x|:
     * the same for even p only, so an odd p is refused.
     */
    private static void lpPool(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        long[] kernel = a.ints("kernel_shape", null);
        if (kernel == null || kernel.length < 1 || kernel.length > 3) {
            throw a.error("kernel_shape", kernel == null ? "is required" : "must have 1 to 3 values, got "
                    + text(kernel));
        }
        int dims = kernel.length;
        long p = cx.opset < 2 ? Math.round(a.f("p", 2f)) : a.integer("p", 2);
        if (p <= 0 || p % 2 != 0) {
            throw new IllegalArgumentException(n.label() + ": p=" + p + ": ONNX sums |x|^p where PyTorch's LPPool "
                    + "sums x^p, which agree for even p only");
        }
        Act x = checkRank(n, cx.act(n, 0), dims);
        long[] strides = Windows.positive(a, "strides", dims);
        long[] dilations = Windows.positive(a, "dilations", dims);
        if (!allOnes(dilations)) {
            throw a.error("dilations", "must be 1: PyTorch's LPPool has no dilation, got dilations=" + text(dilations));
        }
        boolean ceil = a.integer("ceil_mode", 0) != 0;
        long[] inSizes = spatial(x.shape);
        String autoPad = a.string("auto_pad", "NOTSET");
        long[] explicitPads = NodeChecks.windowSizes(a, "pads", 2 * dims, 0, 0);
        long[][] pads = Windows.onnxPads(n.label(), autoPad, explicitPads, inSizes, kernel, strides, dilations);
        Act in = x;
        if (!allZeros(pads[0]) || !allZeros(pads[1])) {
            long[] padding = new long[2 * dims];
            long[] shape = x.shape.clone();
            for (int i = 0; i < dims; i++) {
                int d = dims - 1 - i; // PyTorch's order: the last dim first
                padding[2 * i] = pads[0][d];
                padding[2 * i + 1] = pads[1][d];
                shape[2 + i] = inSizes[i] < 0 ? -1 : inSizes[i] + pads[0][i] + pads[1][i];
            }
            LayerNode pad = cx.layer("ConstantPad" + dims + "d", n, List.of(x), shape);
            pad.args.set("padding", tuple(padding));
            pad.args.put("value", 0.0);
            in = pad.out;
        }
        long[] shape = in.shape.clone();
        for (int i = 0; i < dims; i++) {
            long size = in.shape[2 + i];
            shape[2 + i] = size < 0 ? -1 : WindowSizes.outputSize(size, kernel[i], 0, strides[i], 1, ceil);
            if (size >= 0 && shape[2 + i] < 1) {
                throw new IllegalArgumentException(n.label() + ": the input " + text(x.shape) + " is too small for "
                        + "kernel " + text(kernel));
            }
        }
        LayerNode l = cx.layer("LPPool" + dims + "d", n, List.of(in), shape);
        l.args.put("norm_type", p);
        l.args.set("kernel_size", tuple(kernel));
        if (!Arrays.equals(strides, kernel)) {
            l.args.set("stride", tuple(strides));
        }
        if (ceil) {
            l.args.put("ceil_mode", true);
        }
        cx.output(n, l.out);
    }

    private static void pool(ConversionContext cx, Node n) {
        boolean max = n.opType().equals("MaxPool");
        Attributes a = new Attributes(n);
        boolean indicesUsed = max && n.outputs().size() > 1 && !n.outputs().get(1).isEmpty()
                && cx.isUsed(n.outputs().get(1));
        long[] kernel = a.ints("kernel_shape", null);
        if (kernel == null || kernel.length < 1 || kernel.length > 3) {
            throw a.error("kernel_shape", kernel == null ? "is required" : "must have 1 to 3 values, got "
                    + text(kernel));
        }
        int dims = kernel.length;
        for (long k : kernel) {
            if (k < 1) {
                throw a.error("kernel_shape", "must be positive, got kernel_shape=" + text(kernel));
            }
        }
        Value in = cx.required(n, 0);
        Padded pad = in instanceof Padded p ? p : null;
        boolean ceilGiven = a.integer("ceil_mode", 0) != 0;
        long[] ownPadsGiven = a.ints("pads", new long[0]);
        boolean ownPadding = Arrays.stream(ownPadsGiven).anyMatch(v -> v != 0)
                || a.string("auto_pad", "NOTSET").startsWith("SAME");
        if (pad != null && !(pad.mode.equals("constant") && !ceilGiven && (max ? pad.fill == Float.NEGATIVE_INFINITY
                : pad.fill == 0 && (a.integer("count_include_pad", 0) != 0 || !ownPadding)))) {
            // A pad the pooling's own padding cannot stand for (zeros before a MaxPool, which pads with -inf;
            // reflect or edge; ceil_mode windows): a padding layer of its own, pooled like any tensor.
            pad = null;
        }
        Act x = checkRank(n, pad != null ? pad.source : cx.materialize(in, n.label()), dims);
        long[] strides = Windows.positive(a, "strides", dims);
        long[] dilations = Windows.positive(a, "dilations", dims);
        boolean ceil = a.integer("ceil_mode", 0) != 0;
        boolean countIncludePad = a.integer("count_include_pad", 0) != 0;
        if (!max && !allOnes(dilations)) {
            throw a.error("dilations", "must be 1 for AveragePool: PyTorch's AvgPool has no dilation, got "
                    + "dilations=" + text(dilations));
        }
        long[] inSizes = spatial(x.shape);
        String autoPad = a.string("auto_pad", "NOTSET");
        long[] explicitPads = NodeChecks.windowSizes(a, "pads", 2 * dims, 0, 0);
        long[][] pads = Windows.onnxPads(n.label(), autoPad, explicitPads, inSizes, kernel, strides, dilations);
        if (!autoPad.equals("NOTSET") && !autoPad.isEmpty()) {
            ceil = false; // auto_pad fixes the output size at ceil(in / stride), which the explicit pads give
        }
        if (pad != null) {
            Windows.checkSpatialPad(n, pad, dims);
            boolean ownPads = false;
            for (int i = 0; i < dims; i++) {
                ownPads |= pads[0][i] != 0 || pads[1][i] != 0;
            }
            boolean foldable = pad.mode.equals("constant") && !ceil && (max
                    ? pad.fill == Float.NEGATIVE_INFINITY
                    : pad.fill == 0 && (countIncludePad || !ownPads));
            if (!foldable) {
                throw new IllegalArgumentException(n.label() + " follows " + pad.node.label() + " (mode " + pad.mode
                        + ", value " + pad.fill + "), which cannot fold into its padding: PyTorch pads "
                        + (max ? "MaxPool with -inf" : "AvgPool with zeros that count only with count_include_pad")
                        + (ceil ? ", and ceil_mode windows may reach past the pad" : ""));
            }
            for (int i = 0; i < dims; i++) {
                pads[0][i] += pad.begin[2 + i];
                pads[1][i] += pad.end[2 + i];
            }
            countIncludePad = true;
        }
        long[] padding = Windows.symmetric(n.label(), pads[0], pads[1], inSizes, kernel, strides, dilations, ceil);
        for (int i = 0; i < dims; i++) {
            if (padding[i] > kernel[i] / 2) {
                throw new IllegalArgumentException(n.label() + ": padding " + text(padding) + " is more than half "
                        + "the kernel " + text(kernel) + ", which PyTorch's pooling does not allow");
            }
        }
        long[] shape = x.shape.clone();
        for (int i = 0; i < dims; i++) {
            shape[2 + i] = inSizes[i] < 0 ? -1
                    : WindowSizes.outputSize(inSizes[i], kernel[i], padding[i], strides[i], dilations[i], ceil);
            if (inSizes[i] >= 0 && shape[2 + i] < 1) {
                throw new IllegalArgumentException(n.label() + ": the input " + text(x.shape) + " is too small for "
                        + "kernel " + text(kernel));
            }
        }
        LayerNode l = cx.layer((max ? "MaxPool" : "AvgPool") + dims + "d", n, List.of(x), shape);
        l.args.set("kernel_size", tuple(kernel));
        if (!Arrays.equals(strides, kernel)) {
            l.args.set("stride", tuple(strides)); // PyTorch's default stride is the kernel size, ONNX's is 1
        }
        putTuple(l, "padding", padding, 0);
        if (max) {
            putTuple(l, "dilation", dilations, 1);
        }
        if (ceil) {
            l.args.put("ceil_mode", true);
        }
        if (!max && !countIncludePad && (ceil || !allZeros(padding))) {
            l.args.put("count_include_pad", false);
        }
        cx.output(n, l.out);
        if (indicesUsed) {
            if (pad != null || a.integer("storage_order", 0) != 0) {
                throw new IllegalArgumentException(n.label() + ": its argmax indices (output 1) are used, but "
                        + (pad != null ? "it pools the output of " + pad.node.label() + ", which cnn4j folds into the "
                        + "pooling's padding, so the indices would count other positions; cnn4j computes the indices "
                        + "of a MaxPool without a Pad before it" : "storage_order=1 counts them column-major, for "
                        + "which there is no PyTorch form (PyTorch's indices are row-major); export with the default "
                        + "storage_order=0"));
            }
            cx.values.put(n.outputs().get(1), new Value.PoolIndices(shape, x, l, n));
        }
    }

    /**
     * MaxUnpool with the indices of a MaxPool of the same model (output 1 of that node) as the format's MaxUnpoolNd,
     * which recomputes them from the pooled tensor. ONNX's indices count across the whole tensor, PyTorch's within
     * each (n, c) plane: the same positions only when the output planes have the pooled tensor's size (or there is
     * one plane).
     */
    private static void maxUnpool(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        Act x = cx.act(n, 0);
        Value indices = cx.required(n, 1);
        if (!(indices instanceof Value.PoolIndices pi)) {
            throw new IllegalArgumentException(n.label() + ": its indices ('" + n.inputs().get(1) + "') "
                    + (indices instanceof Value.Const ? "is a constant" : "are not a MaxPool's output") + "; cnn4j "
                    + "recomputes the indices from the MaxPool of the model that returned them");
        }
        long[] kernel = a.ints("kernel_shape", null);
        int dims = x.shape.length - 2;
        if (kernel == null || kernel.length != dims || dims < 1 || dims > 3) {
            throw a.error("kernel_shape", "must have one value per spatial dim of input " + text(x.shape) + ", got "
                    + (kernel == null ? "none" : text(kernel)));
        }
        long[] strides = a.ints("strides", null);
        if (strides == null) {
            strides = new long[dims];
            Arrays.fill(strides, 1);
        }
        long[] pads = a.ints("pads", new long[2 * dims]);
        if (strides.length != dims || pads.length != 2 * dims) {
            throw a.error("strides", "and pads must have " + dims + " and " + 2 * dims + " values");
        }
        long[] padding = new long[dims];
        for (int i = 0; i < dims; i++) {
            if (pads[i] != pads[dims + i]) {
                throw a.error("pads", text(pads) + " differ at the two ends; PyTorch's MaxUnpool pads both alike");
            }
            padding[i] = pads[i];
        }
        ConstTensor size = cx.constant(n, 2, "output_shape");
        long[] shape = x.shape.clone();
        long[] outputSize = null;
        if (size != null) {
            long[] s = size.longs();
            if (s.length != dims + 2) {
                throw new IllegalArgumentException(n.label() + ": output_shape " + text(s) + " must have "
                        + (dims + 2) + " values");
            }
            for (int i = 2; i < s.length; i++) {
                if (size.symbol(i) != ConstTensor.KNOWN) {
                    throw new IllegalArgumentException(n.label() + ": output_shape has no known size in dim " + i);
                }
            }
            outputSize = Arrays.copyOfRange(s, 2, s.length);
        }
        for (int i = 0; i < dims; i++) {
            long in = x.shape[2 + i];
            shape[2 + i] = outputSize != null ? outputSize[i] : in < 0 ? -1
                    : (in - 1) * strides[i] - 2 * padding[i] + kernel[i];
        }
        long[] pooled = spatial(pi.source.shape);
        boolean samePlanes = Arrays.equals(pooled, spatial(shape)) && !Arrays.stream(pooled).anyMatch(v -> v < 0);
        if (!samePlanes) {
            throw new IllegalArgumentException(n.label() + ": output size " + text(spatial(shape)) + " differs from "
                    + "the pooled tensor's " + text(pooled) + "; ONNX counts the indices across planes, which "
                    + "PyTorch's MaxUnpool does not (it has no form of this; give output_shape the pooled size)");
        }
        LayerNode l = cx.layer("MaxUnpool" + dims + "d", n, List.of(x, pi.source), shape);
        l.args.set("kernel_size", tuple(kernel));
        if (!Arrays.equals(strides, kernel)) {
            l.args.set("stride", tuple(strides));
        }
        putTuple(l, "padding", padding, 0);
        if (outputSize != null) {
            l.args.set("output_size", list(outputSize));
        }
        pi.pool.args.fields().forEachRemaining(f -> l.args.set("pool_" + f.getKey(), f.getValue()));
        cx.output(n, l.out);
    }

    private static void globalPool(ConversionContext cx, Node n) {
        Act x = cx.act(n, 0);
        int dims = x.shape.length - 2;
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException(n.label() + ": expected a 3-d to 5-d input [N, C, spatial...], got "
                    + "shape " + text(x.shape));
        }
        long[] shape = x.shape.clone();
        Arrays.fill(shape, 2, shape.length, 1);
        String type = (n.opType().equals("GlobalAveragePool") ? "AdaptiveAvgPool" : "AdaptiveMaxPool") + dims + "d";
        LayerNode l = cx.layer(type, n, List.of(x), shape);
        l.args.put("output_size", 1);
        cx.output(n, l.out);
    }
}
