package io.cnn4j.conv;

import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * One convolution configuration for the conformance tests, runnable three ways: cnn4j ({@link Functional#conv2d}
 * etc.), the naive reference and libtorch, as {@code nn.Conv*d(..., padding_mode=mode)} computes it (F.pad in the
 * mode, then F.conv*d unpadded; F.conv*d with its own padding for 'zeros').
 *
 * <p>{@link #valid} draws a configuration PyTorch accepts; {@link #maybeInvalid} breaks one or two arguments of one
 * at random (groups, channels, bias, ranks, kernel size, padding, stride, dilation, 'same' with stride, reflect /
 * circular limits, tuple lengths), which either side must then reject alike.
 */
final class ConvCase extends WeightedCase {
    static final String[] MODES = {"zeros", "reflect", "replicate", "circular"};

    String paddingString; // "same" or "valid", padding then null
    String mode;

    @Override
    public String toString() {
        return "conv" + dims + "d input=" + Arrays.toString(inputShape()) + " weight=" + Arrays.toString(weightShape)
                + " bias=" + Arrays.toString(biasShape) + " stride=" + Arrays.toString(stride) + " padding="
                + (paddingString != null ? "'" + paddingString + "'" : Arrays.toString(padding)) + " dilation="
                + Arrays.toString(dilation) + " groups=" + groups + " padding_mode=" + mode;
    }

    /** A configuration PyTorch accepts: 1-3 dims, groups incl. depthwise, every padding form and mode. */
    static ConvCase valid(Random r) {
        ConvCase c = new ConvCase();
        c.dims = Oracle.between(r, 1, 3);
        int dims = c.dims;
        int maxKernel = dims == 3 ? 3 : 4;
        int maxSize = dims == 1 ? 14 : dims == 2 ? 8 : 5;
        boolean depthwise = r.nextInt(5) == 0;
        c.groups = depthwise ? Oracle.between(r, 2, 5) : r.nextInt(3) == 0 ? Oracle.between(r, 2, 3) : 1;
        long cg = depthwise ? 1 : Oracle.between(r, 1, 3);
        long og = depthwise ? Oracle.between(r, 1, 2) : Oracle.between(r, 1, 3);
        c.inChannels = cg * c.groups;
        c.batch = r.nextInt(6) == 0 ? 0 : Oracle.between(r, 1, 3);
        c.mode = MODES[r.nextInt(MODES.length)];
        c.weightShape = new long[dims + 2];
        c.weightShape[0] = og * c.groups;
        c.weightShape[1] = cg;
        for (int i = 0; i < dims; i++) {
            c.weightShape[2 + i] = Oracle.between(r, 1, maxKernel);
        }
        c.biasShape = r.nextBoolean() ? new long[] {c.weightShape[0]} : null;
        c.dilation = tuple(r, dims, 1, dims == 3 ? 2 : 3);
        switch (r.nextInt(5)) {
            case 0 -> c.paddingString = "same";
            case 1 -> c.paddingString = "valid";
            default -> c.padding = tuple(r, dims, 0, 2);
        }
        c.stride = "same".equals(c.paddingString) ? new int[] {1} : tuple(r, dims, 1, 3);
        // Sizes: at least what the kernel, the padding mode and a little randomness need.
        long[][] pads = c.pads();
        c.spatial = new long[dims];
        for (int i = 0; i < dims; i++) {
            long effective = (long) at(c.dilation, i) * (c.weightShape[2 + i] - 1) + 1;
            long need = Math.max(1, effective - pads[0][i] - pads[1][i]);
            long maxPad = Math.max(pads[0][i], pads[1][i]);
            if (c.mode.equals("reflect")) {
                need = Math.max(need, maxPad + 1);
            } else if (c.mode.equals("circular")) {
                need = Math.max(need, maxPad);
            }
            c.spatial[i] = Math.max(need, Oracle.between(r, 1, maxSize));
        }
        c.fill(r);
        return c;
    }

    /**
     * A depthwise convolution (groups = channels, multiplier 1 or 2) whose last kernel dim is {@code width}: the
     * native core has a direct kernel per width (fused for some, sliced for very wide ones) that this pins down.
     */
    static ConvCase depthwise(Random r, int dims, int width, int stride, int dilation, int padding) {
        ConvCase c = new ConvCase();
        c.dims = dims;
        c.groups = Oracle.between(r, 2, 4);
        c.inChannels = c.groups;
        c.batch = Oracle.between(r, 0, 2);
        c.mode = "zeros";
        c.weightShape = new long[dims + 2];
        c.weightShape[0] = c.groups * Oracle.between(r, 1, 2);
        c.weightShape[1] = 1;
        for (int i = 0; i < dims - 1; i++) {
            c.weightShape[2 + i] = Oracle.between(r, 1, 3);
        }
        c.weightShape[dims + 1] = width;
        c.biasShape = r.nextBoolean() ? new long[] {c.weightShape[0]} : null;
        c.stride = new int[] {stride};
        c.dilation = new int[] {dilation};
        c.padding = new int[] {padding};
        c.spatial = new long[dims];
        for (int i = 0; i < dims; i++) {
            long effective = (long) dilation * (c.weightShape[2 + i] - 1) + 1;
            c.spatial[i] = Math.max(effective - 2L * padding, 1) + Oracle.between(r, 0, i == dims - 1 ? 20 : 3);
        }
        c.fill(r);
        return c;
    }

    /** A valid configuration with one or two arguments broken at random (the result may happen to be valid). */
    static ConvCase maybeInvalid(Random r) {
        ConvCase c = valid(r);
        int mutations = Oracle.between(r, 1, 2);
        for (int m = 0; m < mutations; m++) {
            c.mutate(r);
        }
        c.fill(r);
        return c;
    }

    private void mutate(Random r) {
        switch (r.nextInt(12)) {
            case 0 -> groups = Oracle.between(r, 0, 4) - (r.nextInt(8) == 0 ? 2 : 0);
            case 1 -> inChannels = Math.max(1, inChannels + (r.nextBoolean() ? 1 : -1));
            case 2 -> biasShape = r.nextBoolean() ? new long[] {weightShape[0] + Oracle.between(r, -1, 1)}
                    : new long[] {1, weightShape[0]};
            case 3 -> weightShape = r.nextBoolean() ? Arrays.copyOf(weightShape, weightShape.length + 1)
                    : Arrays.copyOf(weightShape, weightShape.length - 1);
            case 4 -> spatial = r.nextBoolean() ? Arrays.copyOf(spatial, spatial.length + 1)
                    : Arrays.copyOf(spatial, spatial.length - 1);
            case 5 -> {
                int common = Math.min(dims, Math.min(spatial.length, weightShape.length - 2));
                if (common > 0) {
                    int i = r.nextInt(common);
                    weightShape[2 + i] = spatial[i] + Oracle.between(r, 0, 4);
                }
            }
            case 6 -> {
                mode = "zeros";
                paddingString = null;
                padding = tuple(r, dims, -2, 1);
            }
            case 7 -> stride = tuple(r, dims, -1, 1);
            case 8 -> dilation = tuple(r, dims, -1, 1);
            case 9 -> {
                paddingString = "same";
                padding = null;
                stride = tuple(r, dims, 1, 3);
            }
            case 10 -> {
                mode = r.nextBoolean() ? "reflect" : "circular";
                paddingString = null;
                long size = spatial.length == 0 ? 1 : spatial[r.nextInt(Math.min(dims, spatial.length))];
                padding = new int[] {(int) size + Oracle.between(r, -1, 1)};
            }
            default -> {
                mode = "zeros";
                int[] wrong = tuple(r, dims == 1 ? 2 : dims + 1, 1, 2);
                wrong = wrong.length == 1 ? new int[] {1, 1, 1, 1} : wrong;
                switch (r.nextInt(3)) {
                    case 0 -> stride = wrong;
                    case 1 -> dilation = wrong;
                    default -> {
                        paddingString = null;
                        padding = wrong;
                    }
                }
            }
        }
        clampSizes();
    }

    ConvOptions options() {
        ConvOptions o = new ConvOptions().stride(stride).dilation(dilation).groups(groups).paddingMode(mode);
        return paddingString != null ? o.padding(paddingString) : o.padding(padding);
    }

    @Override
    Tensor callCnn4j(Tensor input, Tensor weight, Tensor bias) {
        return switch (dims) {
            case 1 -> Functional.conv1d(input, weight, bias, options());
            case 2 -> Functional.conv2d(input, weight, bias, options());
            default -> Functional.conv3d(input, weight, bias, options());
        };
    }

    /** As nn.Conv*d computes it: F.pad in the mode, then an unpadded F.conv*d; F.conv*d's own padding for 'zeros'. */
    @Override
    org.bytedeco.pytorch.Tensor callTorch(org.bytedeco.pytorch.Tensor input, org.bytedeco.pytorch.Tensor weight,
            TensorOptional bias) {
        long[] st = longs(stride);
        long[] dl = longs(dilation);
        String padString = paddingString;
        long[] pad = padding == null ? null : longs(padding);
        if (!mode.equals("zeros")) {
            // nn.Conv*d.__init__ refuses this before F.pad could hide it.
            if ("same".equals(paddingString) && Arrays.stream(stride).anyMatch(s -> s != 1)) {
                throw new RuntimeException("padding='same' is not supported for strided convolutions");
            }
            input = torch.pad(input, torchPads(), mode, new DoubleOptional());
            padString = null;
            pad = new long[dims];
        }
        if (padString != null) {
            return switch (dims) {
                case 1 -> torch.conv1d(input, weight, bias, st, padString, dl, groups);
                case 2 -> torch.conv2d(input, weight, bias, st, padString, dl, groups);
                default -> torch.conv3d(input, weight, bias, st, padString, dl, groups);
            };
        }
        return switch (dims) {
            case 1 -> torch.conv1d(input, weight, bias, st, pad, dl, groups);
            case 2 -> torch.conv2d(input, weight, bias, st, pad, dl, groups);
            default -> torch.conv3d(input, weight, bias, st, pad, dl, groups);
        };
    }

    @Override
    NaiveConv.Result naiveBatched(long[] inputShape) {
        long[][] pads = pads();
        return NaiveConv.conv(Oracle.widen(x), inputShape, Oracle.widen(w), weightShape, Oracle.widen(b),
                expand(stride), pads[0], pads[1], expand(dilation), groups, mode);
    }

    /** Padding before and after each spatial dim, as nn.Conv*d derives it ('same': the odd extra at the end). */
    long[][] pads() {
        if ("same".equals(paddingString)) {
            return NaiveConv.samePadding(expand(dilation),
                    Arrays.copyOfRange(weightShape, weightShape.length - dims, weightShape.length));
        }
        long[][] pads = new long[2][dims];
        for (int i = 0; i < dims; i++) {
            if (padding != null) {
                pads[0][i] = at(padding, i);
                pads[1][i] = at(padding, i);
            }
        }
        return pads;
    }

    /** F.pad's list, last dim first: nn.Conv*d's _reversed_padding_repeated_twice. */
    private long[] torchPads() {
        long[][] pads = pads();
        long[] out = new long[2 * dims];
        for (int i = 0; i < dims; i++) {
            out[2 * i] = pads[0][dims - 1 - i];
            out[2 * i + 1] = pads[1][dims - 1 - i];
        }
        return out;
    }
}
