package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * PReLU as torch.nn.functional.prelu: {@code x > 0 ? x : weight[c] * x}, with one weight shared by every element or
 * one per channel, the channel being dim 1 of an input of two or more dims (a 1-d input has one channel, as in
 * ATen's prelu). Lifecycle as
 * {@link Activation}; the weight is the caller's and must stay open while the op is used.
 */
public final class PRelu implements UnaryOp {
    private static final String OP = "prelu";
    private final Tensor weight;

    private PRelu(Tensor weight) {
        this.weight = weight;
    }

    /** weight: a 1-d tensor of 1 or C values (nn.PReLU's num_parameters). */
    public static PRelu create(Tensor weight) {
        Args.checkOpen(OP, "weight", weight);
        if (weight.shape().length != 1) {
            throw new IllegalArgumentException(OP + ": weight must be 1-d (num_parameters values), got shape "
                    + Args.shape(weight.shape()));
        }
        return new PRelu(weight);
    }

    /** Checks that the input has as many channels (dim 1; a 1-d input has one) as there are weights, unless one. */
    private void checkChannels(long[] inputShape) {
        Args.checkInputShape(OP, inputShape);
        long count = weight.shape()[0];
        long channels = inputShape.length >= 2 ? inputShape[1] : 1;
        if (count != 1 && channels != count) {
            throw new IllegalArgumentException(OP + ": " + count + " weights (num_parameters) need " + count
                    + " channels in dim 1 of the input, got input of shape " + Args.shape(inputShape)
                    + " (num_parameters is 1 or the number of channels)");
        }
    }

    public long[] outputShape(long[] inputShape) {
        checkChannels(inputShape);
        return inputShape.clone();
    }

    public long workspaceSize(long[] inputShape) {
        checkChannels(inputShape);
        return 0;
    }

    /** output = prelu(input); output may be input itself, else must not overlap it. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] shape = Args.checkRun(OP, input, output, this::outputShape, true);
        Args.checkOpen(OP, "weight", weight);
        long channels = weight.shape()[0];
        long outer = channels == 1 ? 1 : shape[0];
        long inner = input.numel() / (outer * channels);
        NativeCore.check(NativeCore.cnn4j_prelu_forward(outer, channels, inner, weight.pointer(), input.pointer(),
                output.pointer()), "cnn4j_prelu_forward");
    }
}
