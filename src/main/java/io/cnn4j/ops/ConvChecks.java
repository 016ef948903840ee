package io.cnn4j.ops;

import io.cnn4j.Tensor;

/**
 * The argument checks that {@link Convolution} and {@link ConvTranspose} share: spatial dims, weight rank, groups,
 * bias shape and the input's rank and channels. Messages follow {@link Args}: op, argument, value.
 */
final class ConvChecks {
    private ConvChecks() {}

    /**
     * What every create checks first: 1 to 3 spatial dims, options given, weight open and (dims + 2)-d;
     * {@code layout} names the weight's dims for the message. Returns the op's name, {@code prefix + dims + "d"}.
     */
    static String checkCreate(String family, String prefix, int dims, ConvOptions options, Tensor weight,
            String layout) {
        String op = checkOpName(family, prefix, dims, options);
        Args.checkOpen(op, "weight", weight);
        checkWeightDims(op, dims, weight.shape(), layout);
        return op;
    }

    /** As {@link #checkCreate(String, String, int, ConvOptions, Tensor, String)}, for weights known by their shape. */
    static String checkCreate(String family, String prefix, int dims, ConvOptions options, long[] weightShape,
            String layout) {
        String op = checkOpName(family, prefix, dims, options);
        checkWeightDims(op, dims, weightShape, layout);
        return op;
    }

    private static String checkOpName(String family, String prefix, int dims, ConvOptions options) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException(family + ": spatial dims must be 1, 2 or 3, got dims=" + dims);
        }
        String op = prefix + dims + "d";
        if (options == null) {
            throw new IllegalArgumentException(op + ": options must not be null (use new ConvOptions() for defaults)");
        }
        return op;
    }

    private static void checkWeightDims(String op, int dims, long[] weightShape, String layout) {
        if (weightShape.length != dims + 2) {
            throw new IllegalArgumentException(op + ": weight must be " + (dims + 2) + "-d [" + layout + "], got "
                    + "weight of shape " + Args.shape(weightShape));
        }
    }

    /** groups must be positive and divide {@code channels} (weight.size(0), named {@code what}). */
    static void checkGroups(String op, long groups, long channels, String what) {
        if (groups <= 0) {
            throw new IllegalArgumentException(op + ": groups must be positive, got groups=" + groups);
        }
        if (channels % groups != 0) {
            throw new IllegalArgumentException(op + ": " + what + " (weight.size(0)=" + channels
                    + ") must be divisible by groups, got groups=" + groups);
        }
    }

    /** bias is null or [outChannels]. */
    static void checkBias(String op, Tensor bias, long outChannels) {
        if (bias == null) {
            return;
        }
        Args.checkOpen(op, "bias", bias);
        if (bias.dim() != 1 || bias.size(0) != outChannels) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + outChannels + "] (out_channels), got "
                    + "bias of shape " + Args.shape(bias.shape()));
        }
    }

    /**
     * The input must be [N, C, spatial...] or unbatched [C, spatial...] with C = {@code channels}; {@code why} says
     * where that count comes from. Returns whether the input is batched.
     */
    static boolean checkInput(String op, long[] inputShape, int dims, long channels, String why) {
        if (inputShape == null || (inputShape.length != dims + 1 && inputShape.length != dims + 2)) {
            throw new IllegalArgumentException(op + ": expected " + (dims + 1) + "-d (unbatched) or " + (dims + 2)
                    + "-d (batched) input, got input of shape " + Args.shape(inputShape));
        }
        boolean batched = inputShape.length == dims + 2;
        long got = inputShape[batched ? 1 : 0];
        if (got != channels) {
            throw new IllegalArgumentException(op + ": expected input of shape " + Args.shape(inputShape) + " to have "
                    + channels + " channels (" + why + "), but got " + got + " channels");
        }
        return batched;
    }
}
