package io.cnn4j.spark;

import io.cnn4j.Cnn4j;
import io.cnn4j.model.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models loaded in this JVM (an executor, or the driver in local mode), one per distinct model: every task of
 * every job that scores with the same model bytes shares it (a cnn4j Model runs from any number of threads at
 * once). They stay loaded for the JVM's life, as a Spark executor's cached data does.
 */
final class ExecutorModels {
    private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();
    private static final Map<String, Integer> LOADS = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    /**
     * The model for {@code bytes}, loaded on first use; {@code threads} becomes cnn4j's thread count for this JVM
     * (cnn4j's setting is per process: the tasks running at once share its pool).
     */
    static Model get(ModelBytes bytes, int threads) {
        if (Cnn4j.getNumThreads() != threads) {
            Cnn4j.setNumThreads(threads);
        }
        return MODELS.computeIfAbsent(bytes.id(), id -> {
            try {
                LOADS.merge(id, 1, Integer::sum);
                return bytes.load();
            } catch (IOException e) {
                throw new UncheckedIOException("cnn4j could not load " + bytes.source() + " on this executor: "
                        + e.getMessage(), e);
            }
        });
    }

    /** How many times the model with this id was loaded in this JVM (the tests check it is once). */
    static int loads(String id) {
        return LOADS.getOrDefault(id, 0);
    }
}
