package io.cnn4j.layers;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.ops.AutoConvolution;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.ConvWeight;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.EpilogueOp;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * {@code nn.Conv1d/2d/3d}: arguments as the PyTorch constructor, weights {@code <name>.weight}, {@code <name>.bias}.
 *
 * <p>The layer owns its raw weights through a {@link ConvWeight}. Where they can be read again from the model's
 * weights file, and the op only derives the forms it runs from them (every convolution but a depthwise one), they
 * are {@link ConvWeight#rederivable}: freed once those forms are made, re-read (and batch norm folded again, with the
 * same arithmetic as at load) only to make another. Elsewhere they are held for the layer's life.
 */
public final class ConvLayer extends UnaryOpLayer {
    private final EpilogueOp op;
    private final ConvWeight weight;
    private final Tensor bias;
    private final int dims;
    private final ConvOptions options;
    private final boolean exactOnly;

    private ConvLayer(EpilogueOp op, ConvWeight weight, Tensor bias, int dims, ConvOptions options,
            boolean exactOnly) {
        super(op, Aliasing.NONE, bias == null ? List.of() : List.of(bias), macCount(weight.shape()));
        this.op = op;
        this.weight = weight;
        this.bias = bias;
        this.dims = dims;
        this.options = options;
        this.exactOnly = exactOnly;
    }

    private static MacCount macCount(long[] weightShape) {
        long perOutput = Shapes.product(weightShape, 1, weightShape.length);
        return (in, out) -> Shapes.numel(out) * perOutput;
    }

    /**
     * The layer over these weights (owned by the layer from now on, also when this throws): the op picks Winograd
     * per input shape unless exactOnly. {@code reload} re-makes the weights bit for bit, or is null.
     */
    private static ConvLayer of(Tensor weight, ConvWeight.Source reload, Tensor bias, int dims, ConvOptions options,
            boolean exactOnly) {
        ConvWeight holder = reload != null && !Convolution.readsRawWeightsOnEveryRun(weight.shape(), options)
                ? ConvWeight.rederivable(weight, reload) : ConvWeight.owned(weight);
        try {
            return new ConvLayer(AutoConvolution.create(dims, holder, bias, options, exactOnly), holder, bias, dims,
                    options, exactOnly);
        } catch (RuntimeException e) {
            holder.close();
            throw e;
        }
    }

    static Layer create(LayerArgs a, int dims) {
        int inChannels = a.requiredInt("in_channels");
        int outChannels = a.requiredInt("out_channels");
        int[] kernel = a.intOrTuple("kernel_size", dims, null);
        int groups = a.integer("groups", 1);
        ConvOptions options = new ConvOptions()
                .stride(a.intOrTuple("stride", dims, new int[] {1}))
                .dilation(a.intOrTuple("dilation", dims, new int[] {1}))
                .groups(groups);
        Object padding = a.intTupleOrString("padding", dims, new int[] {0}, "same", "valid");
        if (padding instanceof String s) {
            options.padding(s);
        } else {
            options.padding((int[]) padding);
        }
        options.paddingMode(a.string("padding_mode", "zeros", "zeros", "reflect", "replicate", "circular"));
        boolean hasBias = a.bool("bias", true);
        if (inChannels <= 0 || outChannels <= 0) {
            throw a.error("in_channels and out_channels must be positive, got in_channels=" + inChannels
                    + ", out_channels=" + outChannels);
        }
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw a.error("groups must be positive and divide in_channels and out_channels, got groups=" + groups
                    + ", in_channels=" + inChannels + ", out_channels=" + outChannels);
        }
        long[] weightShape = new long[dims + 2];
        weightShape[0] = outChannels;
        weightShape[1] = inChannels / groups;
        int[] k = kernel.length == 1 ? repeat(kernel[0], dims) : kernel;
        for (int i = 0; i < dims; i++) {
            if (k[i] <= 0) {
                throw a.error("kernel_size must be positive, got kernel_size=" + java.util.Arrays.toString(kernel));
            }
            weightShape[2 + i] = k[i];
        }
        a.finish();
        Tensor weight = a.weight("weight", weightShape);
        Tensor bias = null;
        try {
            bias = hasBias ? a.weight("bias", outChannels) : null;
        } catch (RuntimeException e) {
            weight.close();
            throw e;
        }
        try {
            return of(weight, a.reloadable("weight"), bias, dims, options, a.exactConvolutions());
        } catch (RuntimeException e) {
            if (bias != null) {
                bias.close();
            }
            throw e instanceof IllegalArgumentException ? a.inContext(e) : e;
        }
    }

    /** Whether {@link #foldBatchNorm} applies: the batch norm has this layer's dims and output channels. */
    public boolean canFold(BatchNormLayer bn) {
        return bn.dims() == dims && bn.features() == weight.shape()[0];
    }

    /**
     * This convolution followed by a batch norm, as one convolution: weight[o] * scale[o], bias[o] * scale[o] +
     * shift[o]. Saves a pass over the output; the result differs from the two-step one by float rounding only. A new
     * layer over new weights (re-read and folded again the same way where they are rederivable); this one stays as it
     * is, for the caller to close.
     */
    public ConvLayer foldBatchNorm(BatchNormLayer bn) {
        float[][] affine = bn.scaleAndShift();
        float[] scale = affine[0];
        float[] shift = affine[1];
        Tensor foldedBias = Tensor.empty(scale.length);
        Tensor foldedWeight = null;
        try {
            foldedWeight = weight.derive("conv" + dims + "d", raw -> scaled(raw, scale));
            FloatBuffer b = bias != null ? bias.asBuffer() : null;
            FloatBuffer foldedB = foldedBias.asBuffer();
            for (int o = 0; o < scale.length; o++) {
                foldedB.put((b != null ? b.get(o) : 0f) * scale[o] + shift[o]);
            }
        } catch (RuntimeException e) {
            if (foldedWeight != null) {
                foldedWeight.close();
            }
            foldedBias.close();
            throw e;
        }
        ConvWeight.Source unfolded = weight.source();
        ConvWeight.Source reload = unfolded == null ? null : new ConvWeight.Source() {
            @Override
            public Tensor load() {
                try (Tensor raw = unfolded.load()) {
                    return scaled(raw, scale); // the same arithmetic as at load: bit-identical
                }
            }

            @Override
            public String describe() {
                return unfolded.describe() + " (with its BatchNorm folded in)";
            }
        };
        try {
            return of(foldedWeight, reload, foldedBias, dims, options, exactOnly);
        } catch (RuntimeException e) {
            foldedBias.close();
            throw e;
        }
    }

    /**
     * weight[o] * scale[o] for each output channel o, as a new tensor. Native to native through buffer views: the
     * weights never land on the Java heap, whose touched pages would stay resident for the life of the process.
     */
    private static Tensor scaled(Tensor weight, float[] scale) {
        Tensor folded = Tensor.empty(weight.shape());
        try {
            FloatBuffer w = weight.asBuffer();
            FloatBuffer out = folded.asBuffer();
            long perChannel = weight.numel() / scale.length;
            for (float s : scale) {
                for (long i = 0; i < perChannel; i++) {
                    out.put(w.get() * s);
                }
            }
            return folded;
        } catch (RuntimeException e) {
            folded.close();
            throw e;
        }
    }

    /**
     * Whether the raw weights are in memory now: false for {@link ConvWeight#rederivable} ones once the op has made
     * the forms its input shapes run.
     */
    boolean rawWeightsHeld() {
        return weight.isHeld();
    }

    /** Learned parameters: the raw weights (counted from their shape: they may be freed now) and the bias. */
    @Override
    public long parameterCount() {
        return weight.numel() + super.parameterCount();
    }

    /** Frees the op's derived forms, the raw weights (if held) and the bias. */
    @Override
    public void close() {
        try {
            if (op instanceof AutoCloseable closeable) {
                closeable.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            weight.close();
            super.close();
        }
    }

    static int[] repeat(int v, int n) {
        int[] out = new int[n];
        java.util.Arrays.fill(out, v);
        return out;
    }
}
