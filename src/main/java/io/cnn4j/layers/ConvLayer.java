package io.cnn4j.layers;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.AutoConvolution;
import io.cnn4j.ops.EpilogueOp;
import java.nio.FloatBuffer;
import java.util.List;

/** {@code nn.Conv1d/2d/3d}: arguments as the PyTorch constructor, weights {@code <name>.weight}, {@code <name>.bias}. */
public final class ConvLayer extends UnaryOpLayer {
    private final EpilogueOp op;
    private final Tensor weight;
    private final Tensor bias;
    private final int dims;
    private final ConvOptions options;
    private final boolean exactOnly;

    private ConvLayer(EpilogueOp op, Tensor weight, Tensor bias, int dims, ConvOptions options, boolean exactOnly) {
        super(op, Aliasing.NONE, bias == null ? List.of(weight) : List.of(weight, bias),
                (in, out) -> Shapes.numel(out) * Shapes.product(weight.shape(), 1, weight.dim()));
        this.op = op;
        this.weight = weight;
        this.bias = bias;
        this.dims = dims;
        this.options = options;
        this.exactOnly = exactOnly;
    }

    /** The layer over these weights: the op picks Winograd per input shape unless exactOnly. */
    private static ConvLayer of(Tensor weight, Tensor bias, int dims, ConvOptions options, boolean exactOnly) {
        return new ConvLayer(AutoConvolution.create(dims, weight, bias, options, exactOnly), weight, bias, dims,
                options, exactOnly);
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
            return of(weight, bias, dims, options, a.exactConvolutions());
        } catch (IllegalArgumentException e) {
            weight.close();
            if (bias != null) {
                bias.close();
            }
            throw a.inContext(e);
        }
    }

    /**
     * This convolution followed by a batch norm, as one convolution: weight[o] * scale[o], bias[o] * scale[o] +
     * shift[o]. Saves a pass over the output; the result differs from the two-step one by float rounding only.
     */
    /** Whether {@link #foldBatchNorm} applies: the batch norm has this layer's dims and output channels. */
    public boolean canFold(BatchNormLayer bn) {
        return bn.dims() == dims && bn.features() == weight.size(0);
    }

    public ConvLayer foldBatchNorm(BatchNormLayer bn) {
        float[][] affine = bn.scaleAndShift();
        float[] scale = affine[0];
        float[] shift = affine[1];
        // Native to native through buffer views: the weights never land on the Java heap, whose touched pages
        // would stay resident for the life of the process.
        Tensor foldedWeight = Tensor.empty(weight.shape());
        Tensor foldedBias = Tensor.empty(scale.length);
        try {
            FloatBuffer w = weight.asBuffer();
            FloatBuffer folded = foldedWeight.asBuffer();
            long perChannel = weight.numel() / scale.length;
            for (float s : scale) {
                for (long i = 0; i < perChannel; i++) {
                    folded.put(w.get() * s);
                }
            }
            FloatBuffer b = bias != null ? bias.asBuffer() : null;
            FloatBuffer foldedB = foldedBias.asBuffer();
            for (int o = 0; o < scale.length; o++) {
                foldedB.put((b != null ? b.get(o) : 0f) * scale[o] + shift[o]);
            }
            return of(foldedWeight, foldedBias, dims, options, exactOnly);
        } catch (RuntimeException e) {
            foldedWeight.close();
            foldedBias.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (op instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        super.close();
    }

    static int[] repeat(int v, int n) {
        int[] out = new int[n];
        java.util.Arrays.fill(out, v);
        return out;
    }
}
