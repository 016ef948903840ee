package io.cnn4j.layers;

import io.cnn4j.ops.DepthwisePointwise;
import io.cnn4j.ops.Epilogue;
import io.cnn4j.ops.ExpandDepthwise;
import io.cnn4j.ops.UnaryOp;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Two convolutions, the second the only reader of the first (each with its fused activation), run as one layer whose
 * op keeps the intermediate tensor in cache instead of writing it to memory and reading it back:
 * <ul>
 *   <li>a 1x1 expansion and the depthwise convolution after it ({@link ExpandDepthwise}): MobileNetV2's and
 *       EfficientNet's inverted-residual blocks;
 *   <li>a depthwise convolution and the 1x1 convolution after it ({@link DepthwisePointwise}): MobileNetV1's blocks,
 *       MobileNetV2's first block, separable convolutions.
 * </ul>
 * Made at load by {@link #fuse}, after {@link EpilogueFusion}; the layer owns both convolution layers. Results are
 * bit-identical to the two layers.
 */
final class ConvPairLayer extends UnaryOpLayer {
    private final Layer firstLayer;
    private final Layer secondLayer;

    private ConvPairLayer(Layer firstLayer, Layer secondLayer, UnaryOp op) {
        super(op, Aliasing.NONE, List.of(), bothMacs(firstLayer, secondLayer));
        this.firstLayer = firstLayer;
        this.secondLayer = secondLayer;
    }

    /** The two convolutions' multiply-accumulates, the intermediate shape in between. */
    private static MacCount bothMacs(Layer first, Layer second) {
        return (in, out) -> {
            long[] mid = first.outputShape(List.of(in));
            return first.macs(List.of(in), mid) + second.macs(List.of(mid), out);
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

    /** The fused op of two convolutions that {@code applies}. */
    private interface PairOp {
        UnaryOp create(UnaryOp first, Epilogue firstEpilogue, UnaryOp second, Epilogue secondEpilogue);
    }

    /**
     * Fuses in place, first every expansion + depthwise pair, then every depthwise + pointwise pair left (a depthwise
     * convolution already fused with its expansion is no longer a plain convolution). Values as in
     * {@link EpilogueFusion#fuse}.
     *
     * @param fusedInto updated: layers fused into the first convolution now point at the fused layer
     */
    static void fuse(List<Layer> layers, int[][] layerInputs, int[] outputs, int numInputs, int[] fusedInto) {
        fusePairs(layers, layerInputs, outputs, numInputs, fusedInto, ExpandDepthwise::applies,
                ExpandDepthwise::create);
        fusePairs(layers, layerInputs, outputs, numInputs, fusedInto, DepthwisePointwise::applies,
                DepthwisePointwise::create);
    }

    /**
     * Fuses every pair where exactly one convolution (the second) reads the first's output (through views only) and
     * the model does not return it: the second layer becomes the fused layer reading the first's input, and the first
     * an {@link IdentityLayer} that nothing reads.
     */
    private static void fusePairs(List<Layer> layers, int[][] layerInputs, int[] outputs, int numInputs,
            int[] fusedInto, BiPredicate<UnaryOp, UnaryOp> applies, PairOp pairOp) {
        int[] readers = EpilogueFusion.readers(layerInputs, outputs, numInputs + layers.size());
        for (int s = 0; s < layers.size(); s++) {
            ConvPart second = ConvPart.of(layers.get(s));
            if (second == null || layerInputs[s].length != 1) {
                continue;
            }
            // Back from the second's input through single-reader views to the layer that computes it.
            int value = layerInputs[s][0];
            while (value >= numInputs && readers[value] == 1 && layers.get(value - numInputs) instanceof IdentityLayer) {
                value = layerInputs[value - numInputs][0];
            }
            int f = value - numInputs;
            if (f < 0 || readers[value] != 1) {
                continue;
            }
            ConvPart first = ConvPart.of(layers.get(f));
            if (first == null || !applies.test(first.layer().op(), second.layer().op())) {
                continue;
            }
            UnaryOp op = pairOp.create(first.layer().op(), first.epilogue(), second.layer().op(), second.epilogue());
            layers.set(s, new ConvPairLayer(layers.get(f), layers.get(s), op));
            layers.set(f, new IdentityLayer()); // nothing reads it; the fused layer owns the first layer's weights
            layerInputs[s] = layerInputs[f].clone();
            for (int l = 0; l < fusedInto.length; l++) {
                if (fusedInto[l] == f) {
                    fusedInto[l] = s;
                }
            }
            fusedInto[f] = s;
        }
    }

    @Override
    public long parameterCount() {
        return firstLayer.parameterCount() + secondLayer.parameterCount();
    }

    @Override
    public void close() {
        firstLayer.close();
        secondLayer.close();
    }
}
