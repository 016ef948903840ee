package io.cnn4j.layers;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The layer types a model file may use, by PyTorch class name (or, for element-wise functions, the capitalized
 * torch function name: {@code Mul} for torch.mul), as docs/model-format.md lists them. One entry per type; the
 * factories read their arguments with PyTorch's defaults.
 */
public final class LayerRegistry {
    private static final Map<String, LayerFactory> FACTORIES = new TreeMap<>();

    static {
        for (int d = 1; d <= 3; d++) {
            int dims = d;
            FACTORIES.put("Conv" + d + "d", a -> ConvLayer.create(a, dims));
            FACTORIES.put("ConvTranspose" + d + "d", a -> ConvTransposeLayer.create(a, dims));
            FACTORIES.put("MaxPool" + d + "d", a -> PoolLayer.maxPool(a, dims));
            FACTORIES.put("MaxPoolIndices" + d + "d", a -> PoolLayer.maxPoolIndices(a, dims));
            FACTORIES.put("AvgPool" + d + "d", a -> PoolLayer.avgPool(a, dims));
            FACTORIES.put("LPPool" + d + "d", a -> PoolLayer.lpPool(a, dims));
            FACTORIES.put("AdaptiveAvgPool" + d + "d", a -> PoolLayer.adaptiveAvgPool(a, dims));
            FACTORIES.put("AdaptiveMaxPool" + d + "d", a -> PoolLayer.adaptiveMaxPool(a, dims));
            FACTORIES.put("BatchNorm" + d + "d", a -> BatchNormLayer.create(a, dims));
        }
        ActivationLayer.register(FACTORIES);
        NormLayers.register(FACTORIES);
        PadLayers.register(FACTORIES);
        FACTORIES.put("Linear", LinearLayer::create);
        FACTORIES.put("Flatten", ShapeLayer::flatten);
        FACTORIES.put("Unflatten", ShapeLayer::unflatten);
        FACTORIES.put("Permute", ShapeLayer::permute);
        FACTORIES.put("Expand", ShapeLayer::expand);
        FACTORIES.put("Slice", ShapeLayer::slice);
        ArithmeticLayer.register(FACTORIES);
        UnaryMathLayer.register(FACTORIES);
        ResamplingLayers.register(FACTORIES);
        ReductionLayers.register(FACTORIES);
        MaxUnpoolLayer.register(FACTORIES);
        WhereLayer.register(FACTORIES);
        FACTORIES.put("Matmul", MatmulLayer::create);
        FACTORIES.put("Concat", GraphLayer::concat);
        for (String type : new String[] {"Identity", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d"}) {
            FACTORIES.put(type, IdentityLayer::create);
        }
    }

    private LayerRegistry() {}

    public static LayerFactory factory(String type, String context) {
        LayerFactory f = FACTORIES.get(type);
        if (f == null) {
            throw new IllegalArgumentException(context + ": unknown layer type '" + type + "'; cnn4j knows "
                    + String.join(", ", FACTORIES.keySet()));
        }
        return f;
    }

    public static Map<String, LayerFactory> all() {
        return Collections.unmodifiableMap(FACTORIES);
    }
}
