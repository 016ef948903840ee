package io.cnn4j.onnx;

import static io.cnn4j.onnx.ConversionContext.*;
import static io.cnn4j.onnx.JsonArgs.*;

import io.cnn4j.onnx.OnnxProto.Node;
import io.cnn4j.onnx.Value.Act;
import java.util.List;
import java.util.Map;

/**
 * Resize (and the older Upsample) as nn.Upsample: the coordinate transformations that PyTorch's modes define map
 * onto them, everything else is refused naming the attribute. nearest with asymmetric coordinates and floor
 * rounding is mode 'nearest'; half_pixel (or pytorch_half_pixel) with round_prefer_ceil is 'nearest-exact'; linear
 * with half_pixel / pytorch_half_pixel is linear / bilinear / trilinear by rank (align_corners coordinates:
 * align_corners=True); cubic with coefficient -0.75 and no exclude_outside is 'bicubic'. Scales become
 * scale_factor (the output size is floor(in * scale) in both), sizes become size.
 */
final class ResizeConverters {
    private ResizeConverters() {}

    static void register(Map<String, OpConverter> r) {
        r.put("Resize", ResizeConverters::resize);
        r.put("Upsample", ResizeConverters::resize);
        r.put("DepthToSpace", (cx, n) -> depthSpace(cx, n, true));
        r.put("SpaceToDepth", (cx, n) -> depthSpace(cx, n, false));
    }

    /**
     * DepthToSpace in CRD mode is nn.PixelShuffle; SpaceToDepth and DepthToSpace in DCR mode order the channels
     * block-major (channel (i * r + j) * C + c), which is PixelUnshuffle's / PixelShuffle's order (c * r * r + i * r +
     * j) only when the non-block channel count C is 1.
     */
    private static void depthSpace(ConversionContext cx, Node n, boolean toSpace) {
        Attributes a = new Attributes(n);
        Act x = cx.act(n, 0);
        if (x.shape.length != 4) {
            throw new IllegalArgumentException(n.label() + ": expected a 4-d input [N, C, H, W], got shape "
                    + text(x.shape));
        }
        if (!a.has("blocksize")) {
            throw a.error("blocksize", "is required");
        }
        long r = a.integer("blocksize", 1);
        if (r < 1) {
            throw a.error("blocksize", "must be positive, got blocksize=" + r);
        }
        String mode = toSpace ? a.string("mode", "DCR") : "DCR";
        long channels = x.shape[1];
        long[] shape = x.shape.clone();
        if (toSpace) {
            if (channels % (r * r) != 0) {
                throw new IllegalArgumentException(n.label() + ": " + channels + " channels are not divisible by "
                        + "blocksize^2=" + r * r);
            }
            shape[1] = channels / (r * r);
            shape[2] = shape[2] < 0 ? -1 : shape[2] * r;
            shape[3] = shape[3] < 0 ? -1 : shape[3] * r;
        } else {
            if ((shape[2] >= 0 && shape[2] % r != 0) || (shape[3] >= 0 && shape[3] % r != 0)) {
                throw new IllegalArgumentException(n.label() + ": input " + text(x.shape) + " is not divisible "
                        + "into blocks of " + r);
            }
            shape[1] = channels * r * r;
            shape[2] = shape[2] < 0 ? -1 : shape[2] / r;
            shape[3] = shape[3] < 0 ? -1 : shape[3] / r;
        }
        long plain = toSpace ? shape[1] : channels;
        if (!mode.equals("CRD") && plain != 1) {
            throw new IllegalArgumentException(n.label() + ": " + (toSpace ? "mode=" + mode + " orders" : "orders")
                    + " the channels block-major, which nn." + (toSpace ? "PixelShuffle" : "PixelUnshuffle") + " does "
                    + "only for 1 channel (here " + plain + ")" + (toSpace ? "; mode=CRD is PixelShuffle" : ""));
        }
        LayerNode l = cx.layer(toSpace ? "PixelShuffle" : "PixelUnshuffle", n, List.of(x), shape);
        l.args.put(toSpace ? "upscale_factor" : "downscale_factor", r);
        cx.output(n, l.out);
    }

    private static void resize(ConversionContext cx, Node n) {
        Attributes a = new Attributes(n);
        Act x = cx.act(n, 0);
        int rank = x.shape.length;
        int dims = rank - 2;
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException(n.label() + ": expected a 3-d to 5-d input [N, C, spatial...], got "
                    + "shape " + text(x.shape));
        }
        boolean legacy = n.opType().equals("Upsample") || cx.opset < 11;
        String onnxMode = a.string("mode", "nearest");
        String transform = legacy ? "asymmetric" : a.string("coordinate_transformation_mode", "half_pixel");
        String rounding = legacy ? "floor" : a.string("nearest_mode", "round_prefer_floor");
        if (a.integer("antialias", 0) != 0) {
            throw new IllegalArgumentException(n.label() + ": antialias=1 has no nn.Upsample form (PyTorch's "
                    + "antialias is F.interpolate(antialias=True), which the format does not have)");
        }
        if (a.has("axes") || !a.string("keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            throw new IllegalArgumentException(n.label() + ": axes and keep_aspect_ratio_policy are not supported; "
                    + "give scales or sizes for every dim");
        }
        boolean halfPixel = transform.equals("half_pixel") || transform.equals("pytorch_half_pixel");
        String mode;
        boolean alignCorners = transform.equals("align_corners");
        switch (onnxMode) {
            case "nearest" -> {
                if (transform.equals("asymmetric") && rounding.equals("floor")) {
                    mode = "nearest";
                } else if (halfPixel && rounding.equals("round_prefer_ceil")) {
                    mode = "nearest-exact";
                } else {
                    throw unsupported(n, onnxMode, transform, rounding);
                }
                alignCorners = false;
            }
            case "linear" -> {
                if (!halfPixel && !alignCorners) {
                    throw unsupported(n, onnxMode, transform, null);
                }
                mode = dims == 1 ? "linear" : dims == 2 ? "bilinear" : "trilinear";
            }
            case "cubic" -> {
                float coefficient = a.f("cubic_coeff_a", -0.75f);
                if (dims != 2 || (!halfPixel && !alignCorners) || coefficient != -0.75f
                        || a.integer("exclude_outside", 0) != 0) {
                    throw new IllegalArgumentException(n.label() + ": cubic with coordinate_transformation_mode="
                            + transform + ", cubic_coeff_a=" + coefficient + ", exclude_outside="
                            + a.integer("exclude_outside", 0) + " on a " + rank + "-d input; PyTorch's bicubic is "
                            + "4-d, half_pixel or align_corners, cubic_coeff_a=-0.75, exclude_outside=0");
                }
                mode = "bicubic";
            }
            default -> throw new IllegalArgumentException(n.label() + ": unknown mode '" + onnxMode + "' (nearest, "
                    + "linear or cubic)");
        }
        LayerNode l;
        ConstTensor sizes = legacy ? null : cx.constant(n, 3, "sizes");
        ConstTensor scales = legacy && cx.opset < 9 ? null : cx.constant(n, legacy ? 1 : 2, "scales");
        float[] scaleAttribute = legacy && cx.opset < 9 ? a.floats("scales", null) : null;
        if (sizes != null && sizes.numel() > 0) {
            if (sizes.rank() != 1 || sizes.numel() != rank) {
                throw new IllegalArgumentException(n.label() + ": sizes must have " + rank + " values, got shape "
                        + text(sizes.shape));
            }
            long[] s = sizes.longs();
            if (sizes.symbol(0) != ConstTensor.BATCH && !(cx.staticBatch > 0 && s[0] == cx.staticBatch)
                    || sizes.symbol(1) != ConstTensor.KNOWN || (x.shape[1] >= 0 && s[1] != x.shape[1])) {
                throw new IllegalArgumentException(n.label() + ": sizes " + text(s) + " change the batch or channel "
                        + "dim of the input " + text(x.shape) + "; nn.Upsample resizes the spatial dims only");
            }
            long[] spatial = new long[dims];
            long[] shape = x.shape.clone();
            for (int d = 0; d < dims; d++) {
                if (sizes.symbol(2 + d) != ConstTensor.KNOWN || s[2 + d] < 1) {
                    throw new IllegalArgumentException(n.label() + ": sizes " + text(s) + " must be known and "
                            + "positive in the spatial dims");
                }
                spatial[d] = s[2 + d];
                shape[2 + d] = s[2 + d];
            }
            l = cx.layer("Upsample", n, List.of(x), shape);
            l.args.set("size", tuple(spatial));
        } else {
            float[] f = scaleAttribute != null ? scaleAttribute : scales == null ? null : scales.floats(n.label());
            if (f == null || f.length != rank) {
                throw new IllegalArgumentException(n.label() + ": needs " + rank + " scales or sizes, got "
                        + (f == null ? "neither" : f.length + " scales"));
            }
            if (f[0] != 1f || f[1] != 1f) {
                throw new IllegalArgumentException(n.label() + ": scales " + java.util.Arrays.toString(f) + " resize "
                        + "the batch or channel dim; nn.Upsample resizes the spatial dims only");
            }
            long[] shape = x.shape.clone();
            com.fasterxml.jackson.databind.node.ArrayNode factors = com.fasterxml.jackson.databind.node
                    .JsonNodeFactory.instance.arrayNode();
            for (int d = 0; d < dims; d++) {
                if (!(f[2 + d] > 0) || Float.isInfinite(f[2 + d])) {
                    throw new IllegalArgumentException(n.label() + ": scales must be positive, got "
                            + java.util.Arrays.toString(f));
                }
                shape[2 + d] = x.shape[2 + d] < 0 ? -1 : (long) Math.floor(x.shape[2 + d] * (double) f[2 + d]);
                if (alignCorners && !mode.startsWith("nearest") && (x.shape[2 + d] < 0
                        ? f[2 + d] != Math.rint(f[2 + d]) : shape[2 + d] != x.shape[2 + d] * (double) f[2 + d])) {
                    throw new IllegalArgumentException(n.label() + ": align_corners with scales "
                            + java.util.Arrays.toString(f) + " that give input " + text(x.shape) + " a fractional "
                            + "output size: ONNX maps coordinates by the unrounded size (input x scale), PyTorch by "
                            + "the rounded one; export with sizes instead of scales");
                }
                if (x.shape[2 + d] >= 0 && shape[2 + d] < 1) {
                    throw new IllegalArgumentException(n.label() + ": scales " + java.util.Arrays.toString(f)
                            + " make the output of input " + text(x.shape) + " empty");
                }
                factors.add(number(f[2 + d]));
            }
            l = cx.layer("Upsample", n, List.of(x), shape);
            boolean same = true;
            for (int d = 1; d < dims; d++) {
                same &= f[2 + d] == f[2];
            }
            l.args.set("scale_factor", same ? factors.get(0) : factors);
        }
        for (int d = 0; transform.equals("pytorch_half_pixel") && d < dims; d++) {
            long out = l.out.shape[2 + d];
            if (out == 1 && x.shape[2 + d] != 1) {
                throw new IllegalArgumentException(n.label() + ": pytorch_half_pixel to an output size of 1 reads "
                        + "source index 0, where PyTorch (since 1.x) reads the middle of the input; no nn.Upsample "
                        + "mode computes it");
            }
        }
        if (!mode.equals("nearest")) {
            l.args.put("mode", mode);
        }
        if (!mode.startsWith("nearest")) {
            l.args.put("align_corners", alignCorners);
        }
        cx.output(n, l.out);
    }

    private static IllegalArgumentException unsupported(Node n, String mode, String transform, String rounding) {
        return new IllegalArgumentException(n.label() + ": mode=" + mode + " with coordinate_transformation_mode="
                + transform + (rounding == null ? "" : " and nearest_mode=" + rounding) + " has no nn.Upsample form "
                + "(nearest: asymmetric + floor, or half_pixel + round_prefer_ceil for nearest-exact; linear and "
                + "cubic: half_pixel, pytorch_half_pixel or align_corners)");
    }
}
