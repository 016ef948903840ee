package io.cnn4j.layers;

import io.cnn4j.ops.Epilogue;
import io.cnn4j.ops.ExpandDepthwise;
import java.util.List;

/**
 * A 1x1 expansion convolution and the depthwise convolution that alone reads it (each with its fused activation),
 * run as one layer by {@link ExpandDepthwise}: MobileNetV2's and EfficientNet's inverted-residual blocks, whose
 * expanded tensor then never goes through memory. Made at load by {@link #fuse}, after {@link EpilogueFusion}; the
 * layer owns both convolution layers. Results are bit-identical to the two layers.
 */
final class ExpandDepthwiseLayer extends UnaryOpLayer {
    private final Layer expandLayer;
    private final Layer depthwiseLayer;

    private ExpandDepthwiseLayer(Layer expandLayer, Layer depthwiseLayer, ExpandDepthwise op) {
        super(op, Aliasing.NONE, List.of(), bothMacs(expandLayer, depthwiseLayer));
        this.expandLayer = expandLayer;
        this.depthwiseLayer = depthwiseLayer;
    }

    /** The two convolutions' multiply-accumulates, the expanded shape in between. */
    private static MacCount bothMacs(Layer expand, Layer depthwise) {
        return (in, out) -> {
            long[] mid = expand.outputShape(List.of(in));
            return expand.macs(List.of(in), mid) + depthwise.macs(List.of(mid), out);
        };
    }

    /** A convolution layer as the fusion sees it: its op and the activation fused into it (no residual). */
    private record ConvPart(UnaryOpLayer layer, Epilogue epilogue) {
        static ConvPart of(Layer l) {
            if (l instanceof FusedLayer f && !f.hasResidual() && f.base() instanceof ConvLayer c) {
                return new ConvPart(c, f.epilogue());
            }
            return l instanceof ConvLayer c ? new ConvPart(c, Epilogue.NONE) : null;
        }
    }

    /**
     * Fuses in place every expansion whose output (through views only) exactly one depthwise convolution reads and
     * the model does not return: the depthwise layer becomes the fused layer reading the expansion's input, and the
     * expansion an {@link IdentityLayer} that nothing reads. Values as in {@link EpilogueFusion#fuse}.
     *
     * @param fusedInto updated: layers fused into the expansion now point at the fused layer
     */
    static void fuse(List<Layer> layers, int[][] layerInputs, int[] outputs, int numInputs, int[] fusedInto) {
        int[] readers = EpilogueFusion.readers(layerInputs, outputs, numInputs + layers.size());
        for (int d = 0; d < layers.size(); d++) {
            ConvPart depthwise = ConvPart.of(layers.get(d));
            if (depthwise == null || layerInputs[d].length != 1) {
                continue;
            }
            // Back from the depthwise input through single-reader views to the layer that computes it.
            int value = layerInputs[d][0];
            while (value >= numInputs && readers[value] == 1 && layers.get(value - numInputs) instanceof IdentityLayer) {
                value = layerInputs[value - numInputs][0];
            }
            int e = value - numInputs;
            if (e < 0 || readers[value] != 1) {
                continue;
            }
            ConvPart expand = ConvPart.of(layers.get(e));
            if (expand == null || !ExpandDepthwise.applies(expand.layer().op(), depthwise.layer().op())) {
                continue;
            }
            ExpandDepthwise op = ExpandDepthwise.create(expand.layer().op(), expand.epilogue(),
                    depthwise.layer().op(), depthwise.epilogue());
            layers.set(d, new ExpandDepthwiseLayer(layers.get(e), layers.get(d), op));
            layers.set(e, new IdentityLayer()); // nothing reads it; the fused layer owns the expansion's weights
            layerInputs[d] = layerInputs[e].clone();
            for (int l = 0; l < fusedInto.length; l++) {
                if (fusedInto[l] == e) {
                    fusedInto[l] = d;
                }
            }
            fusedInto[e] = d;
        }
    }

    @Override
    public long parameterCount() {
        return expandLayer.parameterCount() + depthwiseLayer.parameterCount();
    }

    @Override
    public void close() {
        expandLayer.close();
        depthwiseLayer.close();
    }
}
