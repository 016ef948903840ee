package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import io.cnn4j.onnx.Value.Padded;
import io.cnn4j.ops.WindowSizes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Conv and ConvTranspose as PyTorch's ConvNd / ConvTransposeNd: ONNX's begin/end pads, auto_pad and output_shape
 * become PyTorch's symmetric padding and output_padding, and a preceding ONNX Pad folds into the Conv's padding.
 */
final class ConvConverters {
    private ConvConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Conv", ConvConverters::conv);
        r.put("ConvTranspose", ConvConverters::convTranspose);
    }

    /** A Conv/ConvTranspose weight: a constant [C, C', kernel...] with 1 to 3 spatial dims. */
    private static ConstTensor convWeight(ConversionContext cx, Node n, String family) {
        ConstTensor w = cx.constant(n, 1, "weight");
        if (w == null) {
            throw new IllegalArgumentException(n.label() + ": missing weight input");
        }
        int dims = w.rank() - 2;
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException(n.label() + ": weight of shape " + text(w.shape) + " has " + dims
                    + " spatial dims; cnn4j has " + family + "1d, " + family + "2d and " + family + "3d");
        }
        return w;
    }

    private static void conv(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        ConstTensor w = convWeight(cx, n, "Conv");
        ConstTensor b = cx.constant(n, 2, "bias");
        int dims = w.rank() - 2;
        Value in = cx.required(n, 0);
        Padded pad = in instanceof Padded p ? p : null;
        Act x = checkRank(n, pad != null ? pad.source : cx.materialize(in, n.label()), dims);
        long[] kernel = kernel(n, a, w, dims);
        long[] strides = Windows.positive(a, "strides", dims);
        long[] dilations = Windows.positive(a, "dilations", dims);
        long group = a.integer("group", 1);
        long outChannels = w.shape[0];
        long inChannels = w.shape[1] * group;
        if (group < 1 || outChannels % group != 0) {
            throw new IllegalArgumentException(n.label() + ": group must be positive and divide the " + outChannels
                    + " output channels, got group=" + group);
        }
        checkChannels(n, x, inChannels);
        String autoPad = a.string("auto_pad", "NOTSET");
        long[] inSizes = spatial(x.shape);
        String paddingMode = "zeros";
        Object padding;
        boolean same = autoPad.equals("SAME_UPPER") && allOnes(strides) && pad == null;
        if (same) {
            padding = "same";
        } else {
            long[] explicitPads = NodeChecks.windowSizes(a, "pads", 2 * dims, 0, 0);
            long[][] pads = Windows.onnxPads(n.label(), autoPad, explicitPads, inSizes, kernel, strides, dilations);
            if (pad != null) {
                paddingMode = foldPad(n, pad, pads, dims);
            }
            padding = Windows.symmetric(n.label(), pads[0], pads[1], inSizes, kernel, strides, dilations, false);
        }
        long[] shape = new long[dims + 2];
        shape[0] = -1;
        shape[1] = outChannels;
        for (int i = 0; i < dims; i++) {
            shape[2 + i] = same || inSizes[i] < 0 ? inSizes[i]
                    : WindowSizes.outputSize(inSizes[i], kernel[i], ((long[]) padding)[i], strides[i], dilations[i],
                            false);
            if (inSizes[i] >= 0 && shape[2 + i] < 1) {
                throw new IllegalArgumentException(n.label() + ": the input " + text(x.shape) + " is too small for "
                        + "kernel " + text(kernel) + " with dilation " + text(dilations));
            }
        }
        LayerNode l = cx.layer("Conv" + dims + "d", n, List.of(x), shape);
        l.args.put("in_channels", inChannels);
        l.args.put("out_channels", outChannels);
        l.args.set("kernel_size", tuple(kernel));
        putTuple(l, "stride", strides, 1);
        if (padding instanceof String s) {
            l.args.put("padding", s);
        } else {
            putTuple(l, "padding", (long[]) padding, 0);
        }
        putTuple(l, "dilation", dilations, 1);
        if (group != 1) {
            l.args.put("groups", group);
        }
        if (b == null) {
            l.args.put("bias", false);
        }
        if (!paddingMode.equals("zeros")) {
            l.args.put("padding_mode", paddingMode);
        }
        cx.param(l, "weight", w, n, 1);
        if (b != null) {
            checkVector(n, b, outChannels, "bias");
            cx.param(l, "bias", b, n, 2);
        }
        cx.output(n, l.out);
    }

    /**
     * Adds an ONNX Pad feeding a Conv into the Conv's own pads; returns the padding_mode. Only spatial dims may be
     * padded; a non-zero constant or a reflect/edge/wrap pad on top of the Conv's own padding cannot be expressed.
     */
    private static String foldPad(Node n, Padded pad, long[][] pads, int dims) {
        Windows.checkSpatialPad(n, pad, dims);
        String mode = switch (pad.mode) {
            case "constant" -> pad.fill == 0 ? "zeros" : null;
            case "reflect" -> "reflect";
            case "edge" -> "replicate";
            case "wrap" -> "circular";
            default -> null;
        };
        boolean ownPads = false;
        for (int i = 0; i < dims; i++) {
            ownPads |= pads[0][i] != 0 || pads[1][i] != 0;
        }
        if (mode == null || (!mode.equals("zeros") && ownPads)) {
            throw new IllegalArgumentException(n.label() + " follows " + pad.node.label() + " (mode " + pad.mode
                    + (pad.mode.equals("constant") ? ", value " + pad.fill : "") + ")" + (ownPads ? " and pads "
                    + "itself" : "") + "; PyTorch's Conv can only add zero padding to its own, or use one "
                    + "padding_mode for all of it");
        }
        for (int i = 0; i < dims; i++) {
            pads[0][i] += pad.begin[2 + i];
            pads[1][i] += pad.end[2 + i];
        }
        return mode;
    }

    private static long[] kernel(Node n, Attributes a, ConstTensor w, int dims) {
        long[] fromWeight = Arrays.copyOfRange(w.shape, 2, w.shape.length);
        long[] declared = a.ints("kernel_shape", null);
        if (declared != null && !Arrays.equals(declared, fromWeight)) {
            throw new IllegalArgumentException(n.label() + ": kernel_shape " + text(declared) + " does not match "
                    + "the weight's shape " + text(w.shape));
        }
        for (long k : fromWeight) {
            if (k < 1) {
                throw new IllegalArgumentException(n.label() + ": weight of shape " + text(w.shape)
                        + " has an empty kernel");
            }
        }
        return fromWeight;
    }

    private static void convTranspose(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        ConstTensor w = convWeight(cx, n, "ConvTranspose");
        ConstTensor b = cx.constant(n, 2, "bias");
        int dims = w.rank() - 2;
        Act x = checkRank(n, cx.act(n, 0), dims);
        long[] kernel = kernel(n, a, w, dims);
        long[] strides = Windows.positive(a, "strides", dims);
        long[] dilations = Windows.positive(a, "dilations", dims);
        long group = a.integer("group", 1);
        if (group < 1 || w.shape[0] % group != 0) {
            throw new IllegalArgumentException(n.label() + ": group must be positive and divide the " + w.shape[0]
                    + " input channels, got group=" + group);
        }
        long inChannels = w.shape[0];
        long outChannels = w.shape[1] * group;
        checkChannels(n, x, inChannels);
        long[] outputPadding = NodeChecks.windowSizes(a, "output_padding", dims, 0, 0);
        long[] outputShape = a.ints("output_shape", null);
        if (outputShape != null && outputShape.length != dims && outputShape.length != dims + 2) {
            throw a.error("output_shape", "has " + outputShape.length + " values " + text(outputShape) + ", expected "
                    + dims + " (the spatial sizes of the output; or " + (dims + 2) + " with batch and channels first)");
        }
        if (outputShape != null && Arrays.stream(outputShape).anyMatch(d -> d < 1)) {
            throw a.error("output_shape", "must be positive, got output_shape=" + text(outputShape));
        }
        String autoPad = a.string("auto_pad", "NOTSET");
        long[] in = spatial(x.shape);
        long[] begin = new long[dims];
        long[] end = new long[dims];
        long[] pads = NodeChecks.windowSizes(a, "pads", 2 * dims, 0, 0);
        for (int i = 0; i < dims; i++) {
            long full = WindowSizes.effectiveKernel(kernel[i], dilations[i]) + outputPadding[i];
            long total;
            if (outputShape != null) {
                long[] target = outputShape.length == dims ? outputShape
                        : Arrays.copyOfRange(outputShape, outputShape.length - dims, outputShape.length);
                if (in[i] < 0) {
                    throw new IllegalArgumentException(n.label() + ": output_shape needs the input size, but spatial "
                            + "dim " + i + " is not known");
                }
                long produced = Math.addExact(Math.multiplyExact(strides[i], in[i] - 1), full);
                total = Math.subtractExact(produced, target[i]);
            } else if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                total = full - strides[i]; // output = input * stride
            } else {
                total = -1;
            }
            if (total >= 0 || outputShape != null) {
                // As ONNX's reference (floor division): SAME_UPPER puts the odd pad at the end, otherwise at the
                // beginning. An output_shape larger than the transposed convolution produces gives a negative end
                // pad: rows past the end, PyTorch's output_padding.
                begin[i] = autoPad.equals("SAME_UPPER") ? Math.floorDiv(total, 2) : total - Math.floorDiv(total, 2);
                end[i] = total - begin[i];
            } else if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                throw new IllegalArgumentException(n.label() + ": auto_pad=" + autoPad + " with stride " + strides[i]
                        + " and kernel " + kernel[i] + " would need negative padding");
            } else if (!autoPad.equals("VALID")) {
                begin[i] = pads[i];
                end[i] = pads[dims + i];
            }
        }
        // PyTorch crops `padding` from both ends, then output_padding extends the end: a larger begin pad than end
        // pad is padding=begin with that much more output_padding.
        long[] padding = new long[dims];
        long[] torchOutputPadding = new long[dims];
        long[] shape = new long[dims + 2];
        shape[0] = -1;
        shape[1] = outChannels;
        for (int i = 0; i < dims; i++) {
            padding[i] = begin[i];
            torchOutputPadding[i] = outputPadding[i] + begin[i] - end[i];
            if (begin[i] < 0 || torchOutputPadding[i] < 0
                    || torchOutputPadding[i] >= Math.max(strides[i], dilations[i])) {
                throw new IllegalArgumentException(n.label() + ": pads " + begin[i] + " (begin) and " + end[i]
                        + " (end) with output_padding " + outputPadding[i] + " on spatial dim " + i + " cannot be "
                        + "expressed by PyTorch's ConvTranspose (symmetric padding, 0 <= output_padding < "
                        + "max(stride, dilation))");
            }
            shape[2 + i] = in[i] < 0 ? -1 : WindowSizes.transposedOutputSize(in[i], kernel[i], padding[i], strides[i],
                    dilations[i], torchOutputPadding[i]);
            if (in[i] >= 0 && shape[2 + i] < 1) {
                throw new IllegalArgumentException(n.label() + ": the output would be empty for input "
                        + text(x.shape));
            }
        }
        LayerNode l = cx.layer("ConvTranspose" + dims + "d", n, List.of(x), shape);
        l.args.put("in_channels", inChannels);
        l.args.put("out_channels", outChannels);
        l.args.set("kernel_size", tuple(kernel));
        putTuple(l, "stride", strides, 1);
        putTuple(l, "padding", padding, 0);
        putTuple(l, "output_padding", torchOutputPadding, 0);
        if (group != 1) {
            l.args.put("groups", group);
        }
        if (b == null) {
            l.args.put("bias", false);
        }
        putTuple(l, "dilation", dilations, 1);
        cx.param(l, "weight", w, n, 1);
        if (b != null) {
            checkVector(n, b, outChannels, "bias");
            cx.param(l, "bias", b, n, 2);
        }
        cx.output(n, l.out);
    }
}
