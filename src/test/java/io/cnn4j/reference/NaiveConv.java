package io.cnn4j.reference;

import java.util.Arrays;

/**
 * Plain-Java definitions of convolution, transposed convolution, unfold and fold, written straight from PyTorch's
 * documented formulas: nested loops, no im2col, no BLAS, in float64 throughout, results not rounded to float. Slow on
 * purpose; it is the conformance tests' anchor: Java's double arithmetic is the same on every CPU, where libtorch's
 * float32 kernels are not. Inputs are batched, [N, C, spatial...] with 1 to 3 spatial dims (unfold/fold: 2); the caller
 * has checked the arguments. Internally every op works in 3-d with leading size-1 dims.
 */
public final class NaiveConv {
    private NaiveConv() {}

    /** A result tensor: its shape and row-major data. */
    public record Result(long[] shape, double[] data) {}

    /**
     * The input index that padded coordinate {@code i} (padding already subtracted, so it may be negative or
     * >= size) reads under PyTorch's padding_mode, or -1 where the padding is zero.
     */
    public static long source(String mode, long i, long size) {
        if (i >= 0 && i < size) {
            return i;
        }
        return switch (mode) {
            case "zeros" -> -1;
            case "reflect" -> i < 0 ? -i : 2 * (size - 1) - i;
            case "replicate" -> i < 0 ? 0 : size - 1;
            case "circular" -> Math.floorMod(i, size);
            default -> throw new IllegalArgumentException("padding mode " + mode);
        };
    }

    /**
     * nn.Conv*d: x [N, C, in...] * w [O, C/groups, k...] + bias [O] (nullable), padded by padBegin/padEnd in
     * {@code mode}. Output size per dim: (in + padBegin + padEnd - dilation * (k - 1) - 1) / stride + 1.
     */
    public static Result conv(double[] x, long[] xShape, double[] w, long[] wShape, double[] bias, long[] stride,
            long[] padBegin, long[] padEnd, long[] dilation, long groups, String mode) {
        int dims = xShape.length - 2;
        long n = xShape[0], c = xShape[1], o = wShape[0], cg = wShape[1], og = o / groups;
        long[] in = to3(Arrays.copyOfRange(xShape, 2, xShape.length), 1);
        long[] k = to3(Arrays.copyOfRange(wShape, 2, wShape.length), 1);
        long[] s = to3(stride, 1), pb = to3(padBegin, 0), pe = to3(padEnd, 0), d = to3(dilation, 1);
        long[] out = new long[3];
        for (int i = 0; i < 3; i++) {
            out[i] = (in[i] + pb[i] + pe[i] - d[i] * (k[i] - 1) - 1) / s[i] + 1;
        }
        double[] y = new double[(int) (n * o * out[0] * out[1] * out[2])];
        int yi = 0;
        for (long b = 0; b < n; b++) {
            for (long oc = 0; oc < o; oc++) {
                long g = oc / og;
                for (long z = 0; z < out[0]; z++) {
                    for (long h = 0; h < out[1]; h++) {
                        for (long v = 0; v < out[2]; v++) {
                            double sum = bias == null ? 0 : bias[(int) oc];
                            for (long ci = 0; ci < cg; ci++) {
                                long ic = g * cg + ci;
                                for (long kz = 0; kz < k[0]; kz++) {
                                    long sz = source(mode, z * s[0] - pb[0] + kz * d[0], in[0]);
                                    for (long kh = 0; kh < k[1]; kh++) {
                                        long sh = source(mode, h * s[1] - pb[1] + kh * d[1], in[1]);
                                        for (long kv = 0; kv < k[2]; kv++) {
                                            long sv = source(mode, v * s[2] - pb[2] + kv * d[2], in[2]);
                                            if (sz < 0 || sh < 0 || sv < 0) {
                                                continue;
                                            }
                                            long xi = (((b * c + ic) * in[0] + sz) * in[1] + sh) * in[2] + sv;
                                            long wi = (((oc * cg + ci) * k[0] + kz) * k[1] + kh) * k[2] + kv;
                                            sum += x[(int) xi] * w[(int) wi];
                                        }
                                    }
                                }
                            }
                            y[yi++] = sum;
                        }
                    }
                }
            }
        }
        return new Result(shape(n, o, out, dims), y);
    }

    /**
     * nn.ConvTranspose*d: x [N, C, in...], w [C, O/groups, k...], bias [O] (nullable). Every input value scatters
     * x * w into output position in * stride - padding + tap * dilation; output size per dim:
     * (in - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1.
     */
    public static Result convTranspose(double[] x, long[] xShape, double[] w, long[] wShape, double[] bias,
            long[] stride, long[] padding, long[] outputPadding, long[] dilation, long groups) {
        int dims = xShape.length - 2;
        long n = xShape[0], c = xShape[1], og = wShape[1], o = og * groups, cg = c / groups;
        long[] in = to3(Arrays.copyOfRange(xShape, 2, xShape.length), 1);
        long[] k = to3(Arrays.copyOfRange(wShape, 2, wShape.length), 1);
        long[] s = to3(stride, 1), p = to3(padding, 0), op = to3(outputPadding, 0), d = to3(dilation, 1);
        long[] out = new long[3];
        for (int i = 0; i < 3; i++) {
            out[i] = (in[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1;
        }
        long plane = out[0] * out[1] * out[2];
        double[] acc = new double[(int) (n * o * plane)];
        for (long b = 0; b < n; b++) {
            for (long ic = 0; ic < c; ic++) {
                long g = ic / cg;
                for (long z = 0; z < in[0]; z++) {
                    for (long h = 0; h < in[1]; h++) {
                        for (long v = 0; v < in[2]; v++) {
                            double xv = x[(int) ((((b * c + ic) * in[0] + z) * in[1] + h) * in[2] + v)];
                            for (long ol = 0; ol < og; ol++) {
                                long oc = g * og + ol;
                                for (long kz = 0; kz < k[0]; kz++) {
                                    long tz = z * s[0] - p[0] + kz * d[0];
                                    for (long kh = 0; kh < k[1]; kh++) {
                                        long th = h * s[1] - p[1] + kh * d[1];
                                        for (long kv = 0; kv < k[2]; kv++) {
                                            long tv = v * s[2] - p[2] + kv * d[2];
                                            if (tz < 0 || tz >= out[0] || th < 0 || th >= out[1] || tv < 0
                                                    || tv >= out[2]) {
                                                continue;
                                            }
                                            long wi = (((ic * og + ol) * k[0] + kz) * k[1] + kh) * k[2] + kv;
                                            long yi = (b * o + oc) * plane + (tz * out[1] + th) * out[2] + tv;
                                            acc[(int) yi] += xv * w[(int) wi];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < acc.length; i++) {
            acc[i] += bias == null ? 0 : bias[(int) (i / plane % o)];
        }
        return new Result(shape(n, o, out, dims), acc);
    }

    /**
     * F.unfold: x [N, C, H, W] -> [N, C*kH*kW, L]; row (c, i, j), column (bh, bw) holds
     * x[c, bh*sH - pH + i*dH, bw*sW - pW + j*dW], or 0 outside the input.
     */
    public static Result unfold(double[] x, long[] xShape, long[] kernel, long[] dilation, long[] padding,
            long[] stride) {
        long n = xShape[0], c = xShape[1], hIn = xShape[2], wIn = xShape[3];
        long[] blocks = blocks(new long[] {hIn, wIn}, kernel, dilation, padding, stride);
        long rows = c * kernel[0] * kernel[1], cols = blocks[0] * blocks[1];
        double[] y = new double[(int) (n * rows * cols)];
        forEachTap(n, c, kernel, blocks, (b, ci, i, j, bh, bw, row, col) -> {
            long h = bh * stride[0] - padding[0] + i * dilation[0];
            long v = bw * stride[1] - padding[1] + j * dilation[1];
            if (h >= 0 && h < hIn && v >= 0 && v < wIn) {
                y[(int) ((b * rows + row) * cols + col)] = x[(int) (((b * c + ci) * hIn + h) * wIn + v)];
            }
        });
        return new Result(new long[] {n, rows, cols}, y);
    }

    /** F.fold: the adjoint of unfold, x [N, C*kH*kW, L] summed into [N, C, outputSize...]. */
    public static Result fold(double[] x, long[] xShape, long[] outputSize, long[] kernel, long[] dilation,
            long[] padding, long[] stride) {
        long n = xShape[0], rows = xShape[1], cols = xShape[2], c = rows / (kernel[0] * kernel[1]);
        long hOut = outputSize[0], wOut = outputSize[1];
        long[] blocks = blocks(outputSize, kernel, dilation, padding, stride);
        double[] acc = new double[(int) (n * c * hOut * wOut)];
        forEachTap(n, c, kernel, blocks, (b, ci, i, j, bh, bw, row, col) -> {
            long h = bh * stride[0] - padding[0] + i * dilation[0];
            long v = bw * stride[1] - padding[1] + j * dilation[1];
            if (h >= 0 && h < hOut && v >= 0 && v < wOut) {
                acc[(int) (((b * c + ci) * hOut + h) * wOut + v)] += x[(int) ((b * rows + row) * cols + col)];
            }
        });
        return new Result(new long[] {n, c, hOut, wOut}, acc);
    }

    /**
     * nn.Conv*d's padding='same': per dim a total of dilation * (kernel - 1), half before (Python's //), the odd
     * extra after. Returns {before, after}.
     */
    public static long[][] samePadding(long[] dilation, long[] kernel) {
        long[][] pads = new long[2][kernel.length];
        for (int i = 0; i < kernel.length; i++) {
            long total = dilation[i] * (kernel[i] - 1);
            pads[0][i] = Math.floorDiv(total, 2);
            pads[1][i] = total - pads[0][i];
        }
        return pads;
    }

    /** Sliding blocks per dim of a 2-d image: floor((size + 2p - d(k-1) - 1) / s) + 1. */
    public static long[] blocks(long[] size, long[] kernel, long[] dilation, long[] padding, long[] stride) {
        long[] out = new long[2];
        for (int i = 0; i < 2; i++) {
            out[i] = Math.floorDiv(size[i] + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1, stride[i]) + 1;
        }
        return out;
    }

    private interface TapVisitor {
        void visit(long b, long c, long i, long j, long bh, long bw, long row, long col);
    }

    /** Visits every (image, channel, kernel tap, block) with its unfold row and column. */
    private static void forEachTap(long n, long c, long[] kernel, long[] blocks, TapVisitor visitor) {
        for (long b = 0; b < n; b++) {
            for (long ci = 0; ci < c; ci++) {
                for (long i = 0; i < kernel[0]; i++) {
                    for (long j = 0; j < kernel[1]; j++) {
                        long row = (ci * kernel[0] + i) * kernel[1] + j;
                        for (long bh = 0; bh < blocks[0]; bh++) {
                            for (long bw = 0; bw < blocks[1]; bw++) {
                                visitor.visit(b, ci, i, j, bh, bw, row, bh * blocks[1] + bw);
                            }
                        }
                    }
                }
            }
        }
    }

    private static long[] to3(long[] values, long fill) {
        long[] out = new long[3];
        int lead = 3 - values.length;
        for (int i = 0; i < 3; i++) {
            out[i] = i < lead ? fill : values[i - lead];
        }
        return out;
    }

    private static long[] shape(long n, long channels, long[] out3, int dims) {
        long[] shape = new long[dims + 2];
        shape[0] = n;
        shape[1] = channels;
        System.arraycopy(out3, 3 - dims, shape, 2, dims);
        return shape;
    }
}
