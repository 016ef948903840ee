package io.cnn4j;

/**
 * What max pooling returns with {@code return_indices=True}: the pooled values and, for each, the flat offset of
 * the maximum inside its input plane (see {@link IndexTensor}). Closing it closes both.
 */
public record TensorWithIndices(Tensor values, IndexTensor indices) implements AutoCloseable {
    @Override
    public void close() {
        values.close();
        indices.close();
    }
}
