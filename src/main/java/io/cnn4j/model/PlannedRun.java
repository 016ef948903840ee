package io.cnn4j.model;

import io.cnn4j.Tensor;
import java.util.Map;

/**
 * A model made ready for one set of input shapes (arena, prepared layers), pooled by {@link Model} per shape and used
 * by one run at a time: an {@link Execution}, or a {@link SplitExecution} that runs the first layers on slices of the
 * batch.
 */
interface PlannedRun extends ArenaCache.Pooled {
    /**
     * Runs the model on these inputs (in the model's input order) and returns copies of its outputs by name.
     *
     * @param layerNanos null, or one slot per layer to which each layer's wall time in nanoseconds is added
     */
    Map<String, Tensor> run(Tensor[] inputs, long[] layerNanos);
}
