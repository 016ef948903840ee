package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Padded;
import io.cnn4j.ops.WindowSizes;
import java.util.Arrays;

/**
 * ONNX's window attributes (pads, auto_pad) of its sliding-window ops (Conv, ConvTranspose, MaxPool, AveragePool)
 * against PyTorch's padding, which is equal on both sides of a dim. Sizes are per spatial dim; {@code -1} = unknown
 * until run time. The window-count arithmetic itself is {@link WindowSizes}, shared with the ops.
 */
final class Windows {
    private Windows() {}

    /** ONNX begin/end pads for auto_pad and pads: {begin[], end[]}. SAME_* needs the input size unless stride 1. */
    static long[][] onnxPads(String where, String autoPad, long[] pads, long[] in, long[] k, long[] s, long[] d) {
        int n = k.length;
        long[] begin = new long[n];
        long[] end = new long[n];
        switch (autoPad) {
            case "NOTSET", "" -> {
                if (pads.length != 2 * n) {
                    throw new IllegalArgumentException(where + ": pads " + Arrays.toString(pads) + " must have "
                            + 2 * n + " values (begin and end of each spatial dim)");
                }
                for (int i = 0; i < n; i++) {
                    begin[i] = pads[i];
                    end[i] = pads[n + i];
                    if (begin[i] < 0 || end[i] < 0) {
                        throw new IllegalArgumentException(where + ": pads must be non-negative, got pads="
                                + Arrays.toString(pads));
                    }
                }
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < n; i++) {
                    long effective = WindowSizes.effectiveKernel(k[i], d[i]);
                    long total;
                    if (s[i] == 1) {
                        total = effective - 1;
                    } else if (in[i] < 0) {
                        throw new IllegalArgumentException(where + ": auto_pad=" + autoPad + " with stride "
                                + s[i] + " needs the input size, but spatial dim " + i + " of the input is not known");
                    } else {
                        total = Math.max(0, (Math.floorDiv(in[i] + s[i] - 1, s[i]) - 1) * s[i] + effective - in[i]);
                    }
                    // The odd pad goes at the end for SAME_UPPER, at the beginning for SAME_LOWER.
                    begin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                }
            }
            default -> throw new IllegalArgumentException(where + ": unknown auto_pad '" + autoPad
                    + "' (NOTSET, SAME_UPPER, SAME_LOWER or VALID)");
        }
        return new long[][] {begin, end};
    }

    /**
     * PyTorch's symmetric padding for ONNX pads. Unequal begin/end pads are accepted where padding both sides by
     * {@code begin} reads exactly the same windows: the output size is the same, so no window reaches the extra pad.
     */
    static long[] symmetric(String where, long[] begin, long[] end, long[] in, long[] k, long[] s, long[] d,
            boolean ceilMode) {
        long[] p = new long[begin.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = begin[i];
            if (begin[i] == end[i]) {
                continue;
            }
            long effective = WindowSizes.effectiveKernel(k[i], d[i]);
            boolean sameWindows = !ceilMode && in[i] >= 0
                    && Math.floorDiv(in[i] + begin[i] + end[i] - effective, s[i])
                    == Math.floorDiv(in[i] + 2 * begin[i] - effective, s[i])
                    && in[i] + begin[i] + end[i] >= effective && in[i] + 2 * begin[i] >= effective;
            if (!sameWindows) {
                throw new IllegalArgumentException(where + ": padding " + begin[i] + " at the beginning and " + end[i]
                        + " at the end of spatial dim " + i + " cannot be expressed: PyTorch pads both sides equally "
                        + "and cnn4j's format has no ZeroPad layer");
            }
        }
        return p;
    }

    /** A per-spatial-dim attribute that must be positive (strides, dilations), default 1. */
    static long[] positive(Attributes a, String name, int dims) {
        return NodeChecks.windowSizes(a, name, dims, 1, 1);
    }

    /** Fails unless an ONNX Pad folded into a window op pads only the spatial dims, and by non-negative amounts. */
    static void checkSpatialPad(Node n, Padded pad, int dims) {
        for (int d = 0; d < pad.begin.length; d++) {
            if (pad.begin[d] < 0 || pad.end[d] < 0 || (d < 2 && (pad.begin[d] != 0 || pad.end[d] != 0))) {
                throw new IllegalArgumentException(n.label() + " follows " + pad.node.label() + ", which pads "
                        + (d < 2 ? "the batch or channel dim" : "by a negative amount (cropping)") + ": begin "
                        + Arrays.toString(pad.begin) + ", end " + Arrays.toString(pad.end) + "; only padding of the " + dims
                        + " spatial dims folds into " + n.opType());
            }
        }
    }
}
