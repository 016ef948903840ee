package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.BatchNorm;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * {@code nn.BatchNorm1d/2d/3d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)} at
 * inference: running statistics {@code <name>.running_mean}, {@code .running_var}, affine {@code .weight},
 * {@code .bias}. The model folds it into a preceding convolution where it can ({@link #scaleAndShift}).
 */
public final class BatchNormLayer implements Layer {
    private final BatchNorm op;
    private final Tensor mean;
    private final Tensor var;
    private final Tensor weight;
    private final Tensor bias;
    private final double eps;
    private final int dims;

    private BatchNormLayer(int dims, BatchNorm op, Tensor mean, Tensor var, Tensor weight, Tensor bias, double eps) {
        this.dims = dims;
        this.op = op;
        this.mean = mean;
        this.var = var;
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    static Layer create(LayerArgs a, int dims) {
        int features = a.requiredInt("num_features");
        double eps = a.number("eps", BatchNorm.DEFAULT_EPS);
        a.number("momentum", 0.1); // a training argument: no effect at inference
        boolean affine = a.bool("affine", true);
        if (!a.bool("track_running_stats", true)) {
            throw a.error("track_running_stats=false normalizes with each batch's own statistics even at inference; "
                    + "cnn4j runs inference with running statistics only");
        }
        if (features <= 0) {
            throw a.error("num_features must be positive, got num_features=" + features);
        }
        a.finish();
        List<Tensor> owned = new ArrayList<>();
        try {
            Tensor mean = own(owned, a.weight("running_mean", features));
            Tensor var = own(owned, a.weight("running_var", features));
            Tensor weight = affine ? own(owned, a.weight("weight", features)) : null;
            Tensor bias = affine ? own(owned, a.weight("bias", features)) : null;
            return new BatchNormLayer(dims, BatchNorm.create(dims, mean, var, weight, bias, eps), mean, var, weight, bias,
                    eps);
        } catch (RuntimeException e) {
            owned.forEach(Tensor::close);
            throw a.inContext(e);
        }
    }

    int dims() {
        return dims;
    }

    long features() {
        return mean.numel();
    }

    private static Tensor own(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }

    /**
     * The per-channel affine map this layer computes, y = x * scale + shift, in the same float arithmetic as the
     * native kernel (and ATen): scale = weight / sqrt(var + eps), shift = bias - mean * scale.
     */
    float[][] scaleAndShift() {
        float[] m = mean.toFloatArray();
        float[] v = var.toFloatArray();
        float[] w = weight != null ? weight.toFloatArray() : null;
        float[] b = bias != null ? bias.toFloatArray() : null;
        float[] scale = new float[m.length];
        float[] shift = new float[m.length];
        for (int c = 0; c < m.length; c++) {
            float invstd = (float) (1.0f / Math.sqrt(v[c] + (float) eps));
            scale[c] = (w != null ? w[c] : 1f) * invstd;
            shift[c] = (b != null ? b[c] : 0f) - m[c] * scale[c];
        }
        return new float[][] {scale, shift};
    }

    @Override
    public long[] outputShape(List<long[]> inputShapes) {
        return op.outputShape(inputShapes.get(0));
    }

    @Override
    public void run(List<Tensor> inputs, Tensor output, FloatPointer workspace) {
        op.run(inputs.get(0), output, workspace);
    }

    @Override
    public Aliasing aliasing() {
        return Aliasing.IN_PLACE_OK;
    }

    @Override
    public long parameterCount() {
        return (weight != null ? weight.numel() : 0) + (bias != null ? bias.numel() : 0);
    }

    @Override
    public void close() {
        mean.close();
        var.close();
        if (weight != null) {
            weight.close();
        }
        if (bias != null) {
            bias.close();
        }
    }

    /** Per channel: each sample from itself. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
