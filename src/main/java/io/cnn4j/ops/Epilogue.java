package io.cnn4j.ops;

import io.cnn4j.jni.NativeCore;

/**
 * What a convolution or linear layer applies in the same pass that writes its output, instead of separate passes
 * over memory: an activation (after the bias and, for convolutions, an optional residual tensor added first), as in
 * {@code relu(conv(x) + bias + identity)}. Made from an {@link Activation} with {@link Activation#asEpilogue()};
 * {@link #NONE} applies nothing. Immutable.
 */
public final class Epilogue {
    /** No activation: the output is the product plus bias (plus the residual, if one is given). */
    public static final Epilogue NONE = new Epilogue(NativeCore.ACT_IDENTITY, 0f, "none");

    final int kind;
    final float alpha;
    private final String description;

    Epilogue(int kind, float alpha, String description) {
        this.kind = kind;
        this.alpha = alpha;
        this.description = description;
    }

    /**
     * Applies this epilogue's activation to a tensor in place, as its own pass: what the separate activation layer
     * computes (the same native kernel), for a layer that cannot apply it in its output pass.
     */
    public void applyInPlace(io.cnn4j.Tensor t) {
        if (this == NONE) {
            return;
        }
        NativeCore.check(NativeCore.cnn4j_activation_forward(kind, alpha, t.numel(), t.pointer(), t.pointer()),
                "cnn4j_activation_forward");
    }

    @Override
    public String toString() {
        return description;
    }
}
