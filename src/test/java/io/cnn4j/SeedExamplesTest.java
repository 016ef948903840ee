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

    // ---- 003: a 6x6 image through F.unfold and a two-filter nn.Conv2d (im2col as a matrix product) ----

    private static final float[] IMAGE_6X6 = {
        7, 6, 8, 5, 1, 3,
        8, 6, 5, 3, 5, 5,
        9, 1, 1, 5, 3, 5,
        4, 5, 5, 9, 2, 6,
        9, 5, 3, 1, 2, 2,
        4, 4, 8, 8, 9, 8};

    private static final float[] TWO_FILTERS_3X3 = {
        1, 1, 0, -1, 1, -1, 0, -1, -1,
        1, 1, 0, -1, 1, -1, -1, 0, -1};

    @Test
    void unfoldSixBySixImageIntoNinePatchRowsOfSixteenColumns() {
        float[] expected = {
            7, 6, 8, 5, 8, 6, 5, 3, 9, 1, 1, 5, 4, 5, 5, 9,
            6, 8, 5, 1, 6, 5, 3, 5, 1, 1, 5, 3, 5, 5, 9, 2,
            8, 5, 1, 3, 5, 3, 5, 5, 1, 5, 3, 5, 5, 9, 2, 6,
            8, 6, 5, 3, 9, 1, 1, 5, 4, 5, 5, 9, 9, 5, 3, 1,
            6, 5, 3, 5, 1, 1, 5, 3, 5, 5, 9, 2, 5, 3, 1, 2,
            5, 3, 5, 5, 1, 5, 3, 5, 5, 9, 2, 6, 3, 1, 2, 2,
            9, 1, 1, 5, 4, 5, 5, 9, 9, 5, 3, 1, 4, 4, 8, 8,
            1, 1, 5, 3, 5, 5, 9, 2, 5, 3, 1, 2, 4, 8, 8, 9,
            1, 5, 3, 5, 5, 9, 2, 6, 3, 1, 2, 2, 8, 8, 9, 8};
        try (Tensor x = Tensor.of(IMAGE_6X6, 1, 1, 6, 6);
                Tensor cols = Functional.unfold(x, new int[] {3, 3}, new int[] {1}, new int[] {0}, new int[] {1})) {
            assertArrayEquals(new long[] {1, 9, 16}, cols.shape());
            assertArrayEquals(expected, cols.toFloatArray());
        }
    }

    @Test
    void twoFilterConvWithBiasGivesTwoFourByFourMaps() {
        float[] expected = {
            5, 5, -1, -4,
            -4, -7, -1, -6,
            -1, -10, 6, -8,
            -9, -8, -6, -6,

            -3, 5, 3, -6,
            -3, -7, 3, -13,
            -5, -12, 4, -7,
            -9, -4, -6, -5};
        try (Tensor x = Tensor.of(IMAGE_6X6, 1, 1, 6, 6);
                Tensor w = Tensor.of(TWO_FILTERS_3X3, 2, 1, 3, 3);
                Tensor b = Tensor.of(new float[] {1, 1}, 2);
                Tensor y = Functional.conv2d(x, w, b, new ConvOptions())) {
            assertArrayEquals(new long[] {1, 2, 4, 4}, y.shape());
            assertArrayEquals(expected, y.toFloatArray());
        }
    }

    @Test
    void unfoldOfConvMapsIntoTwoByTwoPoolingPatches() {
        float[] expected = {
            5, -1, -1, 6,
            5, -4, -10, -8,
            -4, -1, -9, -6,
            -7, -6, -8, -6,
            -3, 3, -5, 4,
            5, -6, -12, -7,
            -3, 3, -9, -6,
            -7, -13, -4, -5};
        try (Tensor x = Tensor.of(IMAGE_6X6, 1, 1, 6, 6);
                Tensor w = Tensor.of(TWO_FILTERS_3X3, 2, 1, 3, 3);
                Tensor b = Tensor.of(new float[] {1, 1}, 2);
                Tensor h = Functional.conv2d(x, w, b, new ConvOptions());
                Tensor cols = Functional.unfold(h, new int[] {2}, new int[] {1}, new int[] {0}, new int[] {2})) {
            assertArrayEquals(new long[] {1, 8, 4}, cols.shape());
            assertArrayEquals(expected, cols.toFloatArray());
        }
    }
}
