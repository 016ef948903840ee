package io.cnn4j.layers;

import io.cnn4j.ops.Interpolate;
import io.cnn4j.ops.PixelShuffle;
import java.util.Map;

/**
 * nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None) and its
 * fixed-mode forms nn.UpsamplingNearest2d(size, scale_factor) and nn.UpsamplingBilinear2d(size, scale_factor)
 * (bilinear with align_corners=True), run by {@link Interpolate}; and the resolution-for-channels trades
 * nn.PixelShuffle(upscale_factor) and nn.PixelUnshuffle(downscale_factor) ({@link PixelShuffle}).
 */
final class ResamplingLayers {
    private ResamplingLayers() {}

    static void register(Map<String, LayerFactory> factories) {
        factories.put("Upsample", a -> {
            long[] size = a.intOrList("size");
            double[] scale = a.numberOrList("scale_factor");
            String mode = a.string("mode", "nearest");
            Boolean alignCorners = a.nullableBool("align_corners");
            Boolean recompute = a.nullableBool("recompute_scale_factor");
            return UnaryOpLayer.create(a, Layer.Aliasing.NONE,
                    () -> Interpolate.create(size, scale, mode, alignCorners, recompute));
        });
        factories.put("UpsamplingNearest2d", a -> fixedMode(a, "nearest", null));
        factories.put("PixelShuffle", a -> {
            int factor = a.requiredInt("upscale_factor");
            return UnaryOpLayer.create(a, Layer.Aliasing.NONE, () -> PixelShuffle.pixelShuffle(factor));
        });
        factories.put("PixelUnshuffle", a -> {
            int factor = a.requiredInt("downscale_factor");
            return UnaryOpLayer.create(a, Layer.Aliasing.NONE, () -> PixelShuffle.pixelUnshuffle(factor));
        });
        factories.put("UpsamplingBilinear2d", a -> fixedMode(a, "bilinear", true));
    }

    private static Layer fixedMode(LayerArgs a, String mode, Boolean alignCorners) {
        long[] size = a.intOrList("size");
        double[] scale = a.numberOrList("scale_factor");
        return UnaryOpLayer.create(a, Layer.Aliasing.NONE, () -> {
            int dims = size != null ? size.length : scale != null ? scale.length : 1;
            if (dims != 1 && dims != 2) {
                throw new IllegalArgumentException(a.type() + " takes 2-d sizes, got " + dims + " values");
            }
            return Interpolate.create(size, scale, mode, alignCorners, null);
        });
    }
}
