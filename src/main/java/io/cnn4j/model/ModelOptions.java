package io.cnn4j.model;

/**
 * How a model is loaded. Immutable; {@link #DEFAULT} is what {@link Model#load(java.nio.file.Path)} uses.
 *
 * <pre>{@code
 * Model exact = Model.load(path, ModelOptions.DEFAULT.withExactConvolutions(true));
 * }</pre>
 */
public final class ModelOptions {
    /** The fastest algorithm per layer shape (Winograd where measured faster). */
    public static final ModelOptions DEFAULT = new ModelOptions(false);

    private final boolean exactConvolutions;

    private ModelOptions(boolean exactConvolutions) {
        this.exactConvolutions = exactConvolutions;
    }

    /**
     * Whether every convolution runs the exact im2col + GEMM path (a float32 dot product per output, as PyTorch's
     * CPU convolution), never Winograd, whose results differ from it by up to a few 1e-5 of the output's scale.
     */
    public boolean exactConvolutions() {
        return exactConvolutions;
    }

    public ModelOptions withExactConvolutions(boolean exact) {
        return new ModelOptions(exact);
    }

    @Override
    public String toString() {
        return "ModelOptions[exactConvolutions=" + exactConvolutions + "]";
    }
}
