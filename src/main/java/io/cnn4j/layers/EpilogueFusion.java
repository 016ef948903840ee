package io.cnn4j.layers;

import io.cnn4j.ops.Activation;
import io.cnn4j.ops.Epilogue;
import io.cnn4j.ops.EpilogueOp;
import java.util.List;

/**
 * Load-time fusion of the passes that follow a convolution or linear layer into its output pass, as ONNX Runtime
 * fuses Conv+Add+Relu: {@code act(conv(x) + residual)} becomes one layer whose epilogue adds the residual and
 * applies the activation, and the Add and activation layers become views of its output. The residual becomes the
 * fused layer's second input, so the memory planner keeps it alive until the convolution has run.
 *
 * <p>A layer's output is fused forward only while exactly one layer reads it and the model does not return it;
 * views (Identity, Dropout and folded BatchNorms) in between are looked through. An Add is fused only when its other
 * input exists before the convolution runs (the layer list is in execution order). Shapes are not known here (an
 * ONNX model may leave H and W free): a residual that turns out to broadcast against the convolution's output (an
 * SE-style [N, C, 1, 1] gate, or a larger tensor the output broadcasts against) is added by {@link FusedLayer} in a
 * pass of its own, with the separate layers' results.
 *
 * <p>Then pairs of convolutions whose intermediate tensor only the second reads become one layer
 * ({@link ConvPairLayer}: expansion + depthwise, depthwise + pointwise), bit-identical too.
 */
public final class EpilogueFusion {
    private EpilogueFusion() {}

    /**
     * Fuses in place: replaced layers become {@link IdentityLayer}s (closing nothing: the fused layer owns the base
     * layer's weights) and {@code layerInputs} is rewritten to match. Values: model inputs 0..numInputs-1, then layer l's
     * output is numInputs + l.
     *
     * @return for each layer, the index of the layer whose output pass now does its work, or -1
     */
    public static int[] fuse(List<Layer> layers, int[][] layerInputs, int[] outputs, int numInputs) {
        int[] fusedInto = new int[layers.size()];
        java.util.Arrays.fill(fusedInto, -1);
        int[] readers = readers(layerInputs, outputs, numInputs + layers.size());
        int[] onlyReader = new int[readers.length];
        for (int l = 0; l < layers.size(); l++) {
            for (int v : layerInputs[l]) {
                onlyReader[v] = l;
            }
        }
        for (int l = 0; l < layers.size(); l++) {
            if (!(layers.get(l) instanceof UnaryOpLayer base) || !(base.op() instanceof EpilogueOp op)) {
                continue;
            }
            Epilogue epilogue = Epilogue.NONE;
            int residual = -1;
            int value = numInputs + l; // the value the fused layer's output now stands for
            while (readers[value] == 1) {
                int r = onlyReader[value];
                Layer reader = layers.get(r);
                int[] in = layerInputs[r];
                if (reader instanceof IdentityLayer) {
                    value = numInputs + r;
                    continue;
                }
                Activation activation = activationOf(reader);
                if (activation != null && epilogue == Epilogue.NONE) {
                    epilogue = activation.asEpilogue();
                } else if (reader instanceof ArithmeticLayer add && add.isTensorAdd() && in.length == 2 && in[0] != in[1]
                        && op.takesResidual() && residual < 0 && epilogue == Epilogue.NONE) {
                    int other = in[0] == value ? in[1] : in[0];
                    if (other >= numInputs + l) {
                        break; // computed after the convolution: not available to its output pass
                    }
                    residual = other;
                } else {
                    break;
                }
                layers.set(r, new IdentityLayer());
                layerInputs[r] = new int[] {value};
                fusedInto[r] = l;
                value = numInputs + r;
            }
            if (epilogue != Epilogue.NONE || residual >= 0) {
                layers.set(l, new FusedLayer(base, epilogue, residual >= 0));
                if (residual >= 0) {
                    layerInputs[l] = new int[] {layerInputs[l][0], residual};
                }
            }
        }
        ConvPairLayer.fuse(layers, layerInputs, outputs, numInputs, fusedInto);
        return fusedInto;
    }

    /**
     * How many layers read each value, returned values counting twice more, so that "exactly one reader" means the
     * value may be fused away.
     */
    static int[] readers(int[][] layerInputs, int[] outputs, int values) {
        int[] readers = new int[values];
        for (int[] in : layerInputs) {
            for (int v : in) {
                readers[v]++;
            }
        }
        for (int v : outputs) {
            readers[v] += 2; // returned values are never fused away
        }
        return readers;
    }

    private static Activation activationOf(Layer layer) {
        return layer instanceof UnaryOpLayer u && u.op() instanceof Activation a ? a : null;
    }
}
