package io.cnn4j.model;

import io.cnn4j.Tensor;
import io.cnn4j.layers.WeightSource;
import java.util.LinkedHashMap;
import java.util.Map;

/** An in-memory weights file for tests: key -> (shape, data). */
final class MapWeights implements WeightSource {
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, float[]> data = new LinkedHashMap<>();

    MapWeights put(String key, float[] values, long... shape) {
        shapes.put(key, shape);
        data.put(key, values);
        return this;
    }

    @Override
    public long[] shape(String key) {
        return shapes.get(key);
    }

    @Override
    public Tensor load(String key) {
        return Tensor.of(data.get(key), shapes.get(key));
    }
}
