package io.cnn4j.conv;

import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * One transposed-convolution configuration, runnable through cnn4j, the naive reference and libtorch
 * ({@code F.conv_transpose*d}). Some valid configurations ask for an output_size instead of an output_padding:
 * cnn4j derives output_padding as {@code nn.ConvTranspose*d.forward(input, output_size)} does, and libtorch gets
 * the output_padding that the output size was made from.
 */
final class ConvTransposeCase extends WeightedCase {
    int[] outputPadding;
    int[] outputSize; // null: outputPadding applies
    int[] derivedOutputPadding; // what outputSize stands for (libtorch's argument then)

    @Override
    public String toString() {
        return "conv_transpose" + dims + "d input=" + Arrays.toString(inputShape()) + " weight="
                + Arrays.toString(weightShape) + " bias=" + Arrays.toString(biasShape) + " stride="
                + Arrays.toString(stride) + " padding=" + Arrays.toString(padding) + " output_padding="
                + Arrays.toString(outputPadding) + " dilation=" + Arrays.toString(dilation) + " groups=" + groups
                + (outputSize == null ? "" : " output_size=" + Arrays.toString(outputSize));
    }

    static ConvTransposeCase valid(Random r) {
        ConvTransposeCase c = new ConvTransposeCase();
        c.dims = Oracle.between(r, 1, 3);
        int dims = c.dims;
        int maxSize = dims == 1 ? 10 : dims == 2 ? 6 : 4;
        boolean depthwise = r.nextInt(5) == 0;
        c.groups = depthwise ? Oracle.between(r, 2, 5) : r.nextInt(3) == 0 ? Oracle.between(r, 2, 3) : 1;
        long cg = depthwise ? 1 : Oracle.between(r, 1, 3);
        long og = depthwise ? Oracle.between(r, 1, 2) : Oracle.between(r, 1, 3);
        c.inChannels = cg * c.groups;
        c.batch = r.nextInt(6) == 0 ? 0 : Oracle.between(r, 1, 3);
        c.weightShape = new long[dims + 2];
        c.weightShape[0] = c.inChannels;
        c.weightShape[1] = og;
        for (int i = 0; i < dims; i++) {
            c.weightShape[2 + i] = Oracle.between(r, 1, dims == 3 ? 3 : 4);
        }
        c.biasShape = r.nextBoolean() ? new long[] {og * c.groups} : null;
        c.stride = tuple(r, dims, 1, 3);
        c.dilation = tuple(r, dims, 1, dims == 3 ? 2 : 3);
        c.padding = tuple(r, dims, 0, 3);
        c.outputPadding = new int[dims];
        for (int i = 0; i < dims; i++) {
            c.outputPadding[i] = r.nextInt(Math.max(at(c.stride, i), at(c.dilation, i)));
        }
        if (r.nextInt(3) == 0) {
            c.outputPadding = new int[] {0};
        }
        boolean askSize = r.nextInt(4) == 0;
        if (askSize) {
            c.derivedOutputPadding = new int[dims];
            for (int i = 0; i < dims; i++) {
                c.derivedOutputPadding[i] = r.nextInt(at(c.stride, i)); // nn.ConvTranspose's range: < stride
            }
        }
        c.spatial = new long[dims];
        for (int i = 0; i < dims; i++) {
            c.spatial[i] = Oracle.between(r, 1, maxSize);
            while (c.smallest(i) + c.extra(i) < 1) {
                c.spatial[i]++;
            }
        }
        if (askSize) {
            int lead = r.nextBoolean() ? 0 : c.batch > 0 ? 2 : 1;
            c.outputSize = new int[lead + dims];
            for (int i = 0; i < lead; i++) {
                c.outputSize[i] = Oracle.between(r, 1, 9); // ignored, as in PyTorch
            }
            for (int i = 0; i < dims; i++) {
                c.outputSize[lead + i] = (int) (c.smallest(i) + c.derivedOutputPadding[i]);
            }
        }
        c.fill(r);
        return c;
    }

    /** Output size of dim i with output_padding 0. */
    long smallest(int i) {
        long effective = (long) at(dilation, i) * (weightShape[2 + i] - 1) + 1;
        return (spatial[i] - 1) * at(stride, i) - 2L * at(padding, i) + effective;
    }

    private int extra(int i) {
        return derivedOutputPadding != null ? derivedOutputPadding[i] : at(outputPadding, i);
    }

    /** A valid configuration with one or two arguments broken at random; output_size stays unused. */
    static ConvTransposeCase maybeInvalid(Random r) {
        ConvTransposeCase c = valid(r);
        c.outputSize = null;
        c.derivedOutputPadding = null;
        int mutations = Oracle.between(r, 1, 2);
        for (int m = 0; m < mutations; m++) {
            c.mutate(r);
        }
        c.fill(r);
        return c;
    }

    private void mutate(Random r) {
        switch (r.nextInt(11)) {
            case 0 -> groups = Oracle.between(r, 0, 4) - (r.nextInt(8) == 0 ? 2 : 0);
            case 1 -> inChannels = Math.max(1, inChannels + (r.nextBoolean() ? 1 : -1));
            case 2 -> biasShape = switch (r.nextInt(3)) {
                case 0 -> new long[] {weightShape[1]};
                case 1 -> new long[] {weightShape[1] * groups + Oracle.between(r, -1, 1)};
                default -> new long[] {1, weightShape[1] * groups};
            };
            case 3 -> weightShape = Arrays.copyOf(weightShape, weightShape.length + (r.nextBoolean() ? 1 : -1));
            case 4 -> spatial = Arrays.copyOf(spatial, Math.max(0, spatial.length + (r.nextBoolean() ? 1 : -1)));
            case 5 -> {
                int i = r.nextInt(dims);
                outputPadding = expandInts(outputPadding);
                outputPadding[i] = Math.max(at(stride, i), at(dilation, i)) + r.nextInt(2);
            }
            case 6 -> padding = tuple(r, dims, -2, 1);
            case 7 -> outputPadding = tuple(r, dims, -2, 0);
            case 8 -> stride = tuple(r, dims, -1, 1);
            case 9 -> dilation = tuple(r, dims, -1, 1);
            case 10 -> padding = tuple(r, dims, 3, 12);
            default -> throw new AssertionError();
        }
        if (r.nextInt(10) == 0) {
            int[] wrong = {1, 1, 1, 1};
            switch (r.nextInt(4)) {
                case 0 -> stride = wrong;
                case 1 -> padding = new int[] {0, 0, 0, 0};
                case 2 -> outputPadding = new int[] {0, 0, 0, 0};
                default -> dilation = wrong;
            }
        }
        clampSizes();
    }

    private int[] expandInts(int[] tuple) {
        return Arrays.stream(expand(tuple)).mapToInt(v -> (int) v).toArray();
    }

    ConvOptions options() {
        ConvOptions o = new ConvOptions().stride(stride).padding(padding).dilation(dilation).groups(groups)
                .outputPadding(outputPadding);
        return outputSize == null ? o : o.outputSize(outputSize);
    }

    @Override
    Tensor callCnn4j(Tensor input, Tensor weight, Tensor bias) {
        return switch (dims) {
            case 1 -> Functional.convTranspose1d(input, weight, bias, options());
            case 2 -> Functional.convTranspose2d(input, weight, bias, options());
            default -> Functional.convTranspose3d(input, weight, bias, options());
        };
    }

    @Override
    org.bytedeco.pytorch.Tensor callTorch(org.bytedeco.pytorch.Tensor input, org.bytedeco.pytorch.Tensor weight,
            TensorOptional bias) {
        long[] st = longs(stride);
        long[] pad = longs(padding);
        long[] dl = longs(dilation);
        long[] op = longs(derivedOutputPadding != null ? derivedOutputPadding : outputPadding);
        return switch (dims) {
            case 1 -> torch.conv_transpose1d(input, weight, bias, st, pad, op, groups, dl);
            case 2 -> torch.conv_transpose2d(input, weight, bias, st, pad, op, groups, dl);
            default -> torch.conv_transpose3d(input, weight, bias, st, pad, op, groups, dl);
        };
    }

    @Override
    NaiveConv.Result naiveBatched(long[] inputShape) {
        long[] op = new long[dims];
        for (int i = 0; i < dims; i++) {
            op[i] = extra(i);
        }
        return NaiveConv.convTranspose(Oracle.widen(x), inputShape, Oracle.widen(w), weightShape, Oracle.widen(b),
                expand(stride), expand(padding), op, expand(dilation), groups);
    }
}
