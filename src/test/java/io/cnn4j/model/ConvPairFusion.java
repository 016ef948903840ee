package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.Tensor;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.Map;
import java.util.Random;

/**
 * The harness of the conv-pair fusion tests (DepthwisePointwiseFusionTest, ExpandDepthwiseFusionTest): a model of two
 * convolutions, each with an optional activation, runs as one fused layer (ConvPairLayer) and gives bit for bit what
 * the two layers give, on every ISA. The reference is the same model with the first convolution's output also
 * returned, which keeps the two layers apart.
 */
final class ConvPairFusion {
    private static final String[] ACTIVATIONS = {"ReLU6", "ReLU", "SiLU", "Hardswish", null};

    private ConvPairFusion() {}

    /** Which pair: a depthwise convolution then a 1x1 one over its channels, or a 1x1 expansion then a depthwise. */
    enum Pair {
        DEPTHWISE_POINTWISE("dw", "pw"),
        EXPAND_DEPTHWISE("expand", "dw");

        /** The layers' module names; their value ids are the names' first letters. */
        final String firstName, secondName, firstId, secondId;

        Pair(String firstName, String secondName) {
            this.firstName = firstName;
            this.secondName = secondName;
            this.firstId = firstName.substring(0, 1);
            this.secondId = secondName.substring(0, 1);
        }
    }

    /** A random pair's depthwise geometry (a map the kernel fits), activations, biases and batch. */
    record RandomCase(int kernel, int stride, int padding, int dilation, int h, int w, String act1, String act2,
            boolean bias1, boolean bias2, int batch) {
        /** Drawn from {@code r} in a fixed order, so that a seed gives the same cases. */
        static RandomCase draw(Random r) {
            int kernel = new int[] {3, 5, 1, 7}[r.nextInt(4)], stride = 1 + r.nextInt(2), dilation = 1 + r.nextInt(2);
            int padding = r.nextInt(kernel / 2 * dilation + 1);
            int extent = dilation * (kernel - 1) + 1;
            int h = Math.max(1 + r.nextInt(20), extent - 2 * padding);
            int w = Math.max(1 + r.nextInt(30), extent - 2 * padding);
            String act1 = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)], act2 = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
            boolean bias1 = r.nextBoolean(), bias2 = r.nextBoolean();
            return new RandomCase(kernel, stride, padding, dilation, h, w, act1, act2, bias1, bias2, 1 + r.nextInt(3));
        }
    }

    /** The check below, of a random case. */
    static void check(Pair pair, Random r, String label, int in, int out, RandomCase c) throws Exception {
        check(pair, r, label, in, out, c.kernel(), c.stride(), c.padding(), c.dilation(), c.h(), c.w(), c.act1(),
                c.act2(), c.bias1(), c.bias2(), c.batch());
    }

    /**
     * The pair from {@code in} to {@code out} channels (a depthwise convolution keeps its count) over an input [batch,
     * in, h, w], the depthwise one with this kernel, stride, padding and dilation, each convolution followed by its
     * activation (null: none) and with or without bias; random weights (both weights, then both biases, then the
     * input, drawn from {@code r} in that order). Checks that the pair runs as one layer and gives what the two
     * layers give apart, bit for bit; {@code label} leads every message.
     */
    static void check(Pair pair, Random r, String label, int in, int out, int kernel, int stride, int padding,
            int dilation, int h, int w, String act1, String act2, boolean bias1, boolean bias2, int batch)
            throws Exception {
        boolean depthwiseFirst = pair == Pair.DEPTHWISE_POINTWISE;
        int mid = depthwiseFirst ? in : out;
        String first = depthwiseFirst
                ? conv(pair.firstName, pair.firstId, in, in, in, kernel, stride, padding, dilation, bias1, act1)
                : conv(pair.firstName, pair.firstId, in, out, 1, 1, 1, 0, 1, bias1, act1);
        String second = depthwiseFirst
                ? conv(pair.secondName, pair.secondId, in, out, 1, 1, 1, 0, 1, bias2, act2)
                : conv(pair.secondName, pair.secondId, out, out, out, kernel, stride, padding, dilation, bias2, act2);
        long[] depthwiseShape = {mid, 1, kernel, kernel};
        long[][] shapes = depthwiseFirst ? new long[][] {depthwiseShape, {out, in, 1, 1}}
                : new long[][] {{out, in, 1, 1}, depthwiseShape};
        MapWeights weights = new MapWeights()
                .put(pair.firstName + ".weight", Oracle.uniform(r, numel(shapes[0])), shapes[0])
                .put(pair.secondName + ".weight", Oracle.uniform(r, numel(shapes[1])), shapes[1]);
        if (bias1) {
            weights.put(pair.firstName + ".bias", Oracle.uniform(r, shapes[0][0]), shapes[0][0]);
        }
        if (bias2) {
            weights.put(pair.secondName + ".bias", Oracle.uniform(r, shapes[1][0]), shapes[1][0]);
        }
        String last = output(pair.secondId, act2), kept = output(pair.firstId, act1);
        String head = "{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, " + in + ", " + h + ", " + w
                + "]}], \"layers\": [" + first + "," + second + "]";
        String config = label + ": " + in + "->" + out + " @" + h + "x" + w + " k" + kernel + " s" + stride + " p"
                + padding + " d" + dilation + " " + act1 + "/" + act2 + " bias " + bias1 + "/" + bias2;
        try (Model fused = ModelGraphTest.build(head + "}", weights);
                Model apart = ModelGraphTest.build(head + ", \"outputs\": [\"" + last + "\", \"" + kept + "\"]}",
                        weights)) {
            assertEquals(act1 == null ? 1 : 2, fused.layerFusedInto()[0],
                    config + ": " + pair.firstName + " runs in the " + pair.secondName + " layer");
            assertEquals(-1, apart.layerFusedInto()[0], config + ": a returned " + pair.firstName + " output is not "
                    + "fused away");
            float[] x = Oracle.uniform(r, (long) batch * in * h * w);
            Isas.forEach(isa -> {
                try (Tensor input = Tensor.of(x, batch, in, h, w); Tensor result = fused.run(input)) {
                    Map<String, Tensor> both = apart.run(Map.of("x", input));
                    try (Tensor expected = both.get(last); Tensor ignored = both.get(kept)) {
                        assertArrayEquals(expected.shape(), result.shape(), config);
                        assertArrayEquals(expected.toFloatArray(), result.toFloatArray(), isa + " " + config);
                    }
                }
            });
        }
    }

    /** A Conv2d layer with value id {@code id}, and its activation (id {@code <id>_act}) unless null. */
    private static String conv(String name, String id, int in, int out, int groups, int kernel, int stride,
            int padding, int dilation, boolean bias, String activation) {
        return "{\"type\": \"Conv2d\", \"name\": \"" + name + "\", \"in_channels\": " + in + ", \"out_channels\": "
                + out + ", \"groups\": " + groups + ", \"kernel_size\": " + kernel + ", \"stride\": " + stride
                + ", \"padding\": " + padding + ", \"dilation\": " + dilation + ", \"bias\": " + bias + ", \"id\": \""
                + id + "\"}" + (activation == null ? "" : ",{\"type\": \"" + activation + "\", \"id\": \""
                + output(id, activation) + "\"}");
    }

    private static String output(String id, String activation) {
        return activation == null ? id : id + "_act";
    }

    private static long numel(long[] shape) {
        return shape[0] * shape[1] * shape[2] * shape[3];
    }
}
