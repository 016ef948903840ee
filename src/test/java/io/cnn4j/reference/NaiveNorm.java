package io.cnn4j.reference;

/**
 * Float64 references for GroupNorm, InstanceNorm and LayerNorm, written from PyTorch's definitions element by
 * element: for every sample, the elements of one group of channels (all of a channel for instance norm, all of the
 * trailing normalized_shape for layer norm) get {@code (x - mean) / sqrt(var + eps) * weight + bias}, mean and biased
 * variance over exactly those elements, computed in double from their float32 values.
 *
 * <p>Each method also records, in {@code offCentre[0]}, the largest |mean| / sqrt(var + eps) of its blocks: how far
 * off centre the data is, which bounds the error of an implementation that computes {@code x * a + b} with
 * {@code b = bias - mean * a} in float, as ATen does.
 */
public final class NaiveNorm {
    private NaiveNorm() {}

    /** F.group_norm on (N, C, *): shape[1] % groups == 0; weight, bias of C values or null. */
    public static double[] groupNorm(float[] x, long[] shape, int groups, float[] weight, float[] bias, double eps,
            double[] offCentre) {
        int n = (int) shape[0];
        int c = (int) shape[1];
        int spatial = x.length / (n * c);
        int perGroup = c / groups;
        double[] y = new double[x.length];
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < groups; g++) {
                int[] members = new int[perGroup * spatial];
                int k = 0;
                for (int ch = g * perGroup; ch < (g + 1) * perGroup; ch++) {
                    for (int i = 0; i < spatial; i++) {
                        members[k++] = (s * c + ch) * spatial + i;
                    }
                }
                offCentre[0] = Math.max(offCentre[0], normalize(x, members, eps, y));
                for (int m : members) {
                    int ch = (m / spatial) % c;
                    y[m] = y[m] * (weight == null ? 1 : weight[ch]) + (bias == null ? 0 : bias[ch]);
                }
            }
        }
        return y;
    }

    /** F.instance_norm with batch statistics: group norm with one group per channel. */
    public static double[] instanceNorm(float[] x, long[] shape, float[] weight, float[] bias, double eps,
            double[] offCentre) {
        return groupNorm(x, shape, (int) shape[1], weight, bias, eps, offCentre);
    }

    /** F.layer_norm: the last {@code normalized} elements of every row form a block; weight, bias flat or null. */
    public static double[] layerNorm(float[] x, int normalized, float[] weight, float[] bias, double eps,
            double[] offCentre) {
        double[] y = new double[x.length];
        for (int row = 0; row < x.length / normalized; row++) {
            int[] members = new int[normalized];
            for (int i = 0; i < normalized; i++) {
                members[i] = row * normalized + i;
            }
            offCentre[0] = Math.max(offCentre[0], normalize(x, members, eps, y));
            for (int i = 0; i < normalized; i++) {
                int m = members[i];
                y[m] = y[m] * (weight == null ? 1 : weight[i]) + (bias == null ? 0 : bias[i]);
            }
        }
        return y;
    }

    /** y[m] = (x[m] - mean) / sqrt(var + eps) over the members, in double; returns |mean| / sqrt(var + eps). */
    private static double normalize(float[] x, int[] members, double eps, double[] y) {
        double mean = 0;
        for (int m : members) {
            mean += x[m];
        }
        mean /= members.length;
        double var = 0;
        for (int m : members) {
            var += (x[m] - mean) * (x[m] - mean);
        }
        var /= members.length;
        double rstd = 1 / Math.sqrt(var + eps);
        for (int m : members) {
            y[m] = (x[m] - mean) * rstd;
        }
        double ratio = Math.abs(mean) * rstd;
        return Double.isFinite(ratio) ? ratio : 0; // NaN or infinite data: the outputs are NaN either way
    }
}
