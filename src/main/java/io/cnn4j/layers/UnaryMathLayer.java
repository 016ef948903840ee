package io.cnn4j.layers;

import io.cnn4j.ops.UnaryMath;
import java.util.Map;

/**
 * The element-wise math functions of the format (version 2): {@code Neg}, {@code Abs}, {@code Sqrt}, {@code Exp},
 * {@code Log}, {@code Floor}, {@code Ceil}, {@code Round}, {@code Sign}, {@code Erf}, as torch.neg, abs, sqrt, exp,
 * log, floor, ceil, round, sign and erf.
 */
final class UnaryMathLayer {
    private UnaryMathLayer() {}

    static void register(Map<String, LayerFactory> factories) {
        factories.put("Neg", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::neg));
        factories.put("Abs", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::abs));
        factories.put("Sqrt", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::sqrt));
        factories.put("Exp", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::exp));
        factories.put("Log", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::log));
        factories.put("Floor", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::floor));
        factories.put("Ceil", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::ceil));
        factories.put("Round", a -> {
            if (a.has("decimals")) {
                throw a.error("decimals is not supported: Round is torch.round to integers (halves to even); "
                        + "scale before and after it for decimals (x * 10**d, Round, / 10**d)");
            }
            return UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::round);
        });
        factories.put("Sign", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::sign));
        factories.put("Erf", a -> UnaryOpLayer.create(a, Layer.Aliasing.IN_PLACE_OK, UnaryMath::erf));
    }
}
