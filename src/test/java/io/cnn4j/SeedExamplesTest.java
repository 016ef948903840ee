package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.ops.ConvOptions;
import org.junit.jupiter.api.Test;

/** The worked examples of ../shared/seeds/, exact (small integers are exact in float32). */
class SeedExamplesTest {
    private static final float[] SIGNAL = {5, 4, 8, 7, 9, 3, 6};
    private static final float[] FILTER = {1, 2, 3};

    private static float[] conv1d(ConvOptions options, float[] bias) {
        try (Tensor x = Tensor.of(SIGNAL, 1, 1, 7);
                Tensor w = Tensor.of(FILTER, 1, 1, 3);
                Tensor b = bias == null ? null : Tensor.of(bias, 1);
                Tensor y = Functional.conv1d(x, w, b, options)) {
            return y.toFloatArray();
        }
    }

    @Test
    void conv1dPaddingOne() {
        assertArrayEquals(new float[] {22, 37, 41, 49, 34, 33, 15}, conv1d(new ConvOptions().padding(1), null));
    }

    @Test
    void conv1dNoPadding() {
        assertArrayEquals(new float[] {37, 41, 49, 34, 33}, conv1d(new ConvOptions(), null));
    }

    @Test
    void conv1dStrideTwo() {
        assertArrayEquals(new float[] {37, 49, 33}, conv1d(new ConvOptions().stride(2), null));
    }

    @Test
    void conv1dDilationTwo() {
        assertArrayEquals(new float[] {48, 27, 44}, conv1d(new ConvOptions().dilation(2), null));
    }

    @Test
    void conv1dBiasFive() {
        assertArrayEquals(new float[] {27, 42, 46, 54, 39, 38, 20},
                conv1d(new ConvOptions().padding(1), new float[] {5}));
    }
}
