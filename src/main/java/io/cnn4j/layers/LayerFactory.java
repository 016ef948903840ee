package io.cnn4j.layers;

/** Builds a layer from its arguments and weights; one factory per PyTorch class name, see {@link LayerRegistry}. */
@FunctionalInterface
public interface LayerFactory {
    Layer create(LayerArgs args);
}
