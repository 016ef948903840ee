package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.reference.NaiveDense;
import io.cnn4j.reference.NaivePooling;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@link ModuleInterpreter} through the plain-Java naive references in float64, nothing rounded to float: the anchor
 * the importer's fixtures are checked against, the same on every CPU. Inputs are batched, as the fixtures' are.
 */
final class Float64Interpreter extends ModuleInterpreter<Float64Interpreter.Value> {
    /** A float64 tensor: shape and row-major data. */
    record Value(long[] shape, double[] data) {}

    /** The first output of {@code model} for one input, in float64. */
    static double[] run(JsonNode model, Map<String, OnnxTensorData> weights, float[] input, long[] shape) {
        return new Float64Interpreter().interpret(model, weights, input, shape).data();
    }

    @Override
    Value input(float[] data, long[] shape) {
        return new Value(shape, Oracle.widen(data));
    }

    @Override
    Value weight(OnnxTensorData data) {
        return new Value(data.shape(), Oracle.widen(data.data()));
    }

    @Override
    long[] shape(Value x) {
        return x.shape();
    }

    private static double[] data(Value v) {
        return v == null ? null : v.data();
    }

    private static Value of(NaiveConv.Result r) {
        return new Value(r.shape(), r.data());
    }

    private static Value of(NaivePooling.Result r) {
        return new Value(r.shape(), r.values());
    }

    @Override
    Value conv(int dims, Value x, Value w, Value b, long[] stride, String paddingString, long[] padding,
            long[] dilation, long groups, String mode) {
        long[][] pads;
        if ("same".equals(paddingString)) {
            pads = NaiveConv.samePadding(dilation, Arrays.copyOfRange(w.shape(), 2, w.shape().length));
        } else {
            long[] symmetric = paddingString == null ? padding : new long[dims]; // 'valid': none
            pads = new long[][] {symmetric, symmetric};
        }
        return of(NaiveConv.conv(x.data(), x.shape(), w.data(), w.shape(), data(b), stride, pads[0], pads[1],
                dilation, groups, mode));
    }

    @Override
    Value convTranspose(int dims, Value x, Value w, Value b, long[] stride, long[] padding, long[] outputPadding,
            long[] dilation, long groups) {
        return of(NaiveConv.convTranspose(x.data(), x.shape(), w.data(), w.shape(), data(b), stride, padding,
                outputPadding, dilation, groups));
    }

    @Override
    Value maxPool(int dims, Value x, long[] kernel, long[] stride, long[] padding, long[] dilation, boolean ceil) {
        return of(NaivePooling.maxPool(x.data(), x.shape(), dims, kernel, stride, padding, dilation, ceil));
    }

    @Override
    Value avgPool(int dims, Value x, long[] kernel, long[] stride, long[] padding, boolean ceil,
            boolean countIncludePad) {
        return of(NaivePooling.avgPool(x.data(), x.shape(), dims, kernel, stride, padding, ceil, countIncludePad,
                null));
    }

    @Override
    Value adaptivePool(int dims, Value x, long[] outputSize, boolean max) {
        return of(NaivePooling.adaptive(x.data(), x.shape(), dims, outputSize, max));
    }

    @Override
    Value batchNorm(Value x, Value weight, Value bias, Value mean, Value var, double eps) {
        long[] s = x.shape();
        long spatial = x.data().length / (s[0] * s[1]);
        return new Value(s, NaiveDense.batchNorm(x.data(), (int) s[0], (int) s[1], (int) spatial, mean.data(),
                var.data(), data(weight), data(bias), eps));
    }

    @Override
    Value linear(Value x, Value w, Value b) {
        int out = (int) w.shape()[0];
        int in = (int) w.shape()[1];
        long[] shape = x.shape().clone();
        shape[shape.length - 1] = out;
        return new Value(shape, NaiveDense.linear(x.data(), x.data().length / in, in, w.data(), out, data(b)));
    }

    @Override
    Value reshape(Value x, long[] shape) {
        return new Value(shape, x.data());
    }

    @Override
    Value activation(Value x, String name, double param) {
        double[] y = new double[x.data().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = NaiveDense.activation(name, param, x.data()[i]);
        }
        return new Value(x.shape(), y);
    }

    @Override
    Value softmax(Value x, long dim, boolean log) {
        long[] s = x.shape();
        int d = (int) Math.floorMod(dim, s.length);
        return new Value(s, NaiveDense.softmax(x.data(), product(s, 0, d), (int) s[d], product(s, d + 1, s.length),
                log));
    }

    @Override
    Value add(List<Value> inputs) {
        return new Value(inputs.get(0).shape(), NaiveDense.add(false, inputs.stream().map(Value::data)
                .toArray(double[][]::new)));
    }

    @Override
    Value cat(List<Value> inputs, long dim) {
        long[][] shapes = inputs.stream().map(Value::shape).toArray(long[][]::new);
        int d = (int) Math.floorMod(dim, shapes[0].length);
        long[] shape = shapes[0].clone();
        shape[d] = Arrays.stream(shapes).mapToLong(s -> s[d]).sum();
        return new Value(shape, NaiveDense.cat(inputs.stream().map(Value::data).toArray(double[][]::new), shapes,
                d));
    }

    private static long product(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= shape[i];
        }
        return p;
    }
}
