package io.cnn4j.layers;

import io.cnn4j.ops.UnaryMath;
import java.util.Map;

/**
 * The element-wise math functions of the format (version 2): {@code Neg}, {@code Abs}, {@code Sqrt}, {@code Exp},
 * {@code Log}, as torch.neg, abs, sqrt, exp and log.
 */
final class UnaryMathLayer {
    private UnaryMathLayer() {}

    static void register(Map<String, LayerFactory> factories) {
        factories.put("Neg", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::neg));
        factories.put("Abs", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::abs));
        factories.put("Sqrt", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::sqrt));
        factories.put("Exp", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::exp));
        factories.put("Log", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::log));
    }
}
