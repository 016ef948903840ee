package io.cnn4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.io.Npy;
import io.cnn4j.model.Model;
import io.cnn4j.testing.Oracle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Image preprocessing against what the training script fed PyTorch (src/test/resources/mnist/heldout-200.npy). */
class ImagesTest {
    @Test
    void samplePngsPreprocessLikeTheTrainingPipeline() throws Exception {
        try (Model model = Model.load(Path.of("models/lenet5-mnist.json"));
                Tensor heldOut = Npy.read(Path.of("src/test/resources/mnist/heldout-200.npy"));
                Tensor images = Images.batchFromFiles(List.of(Path.of("models/samples/digit-7-19.png"),
                        Path.of("models/samples/digit-0-1.png")), model.description().preprocess())) {
            assertArrayEquals(new long[] {2, 1, 28, 28}, images.shape());
            float[] all = heldOut.toFloatArray();
            float[] got = images.toFloatArray();
            int plane = 28 * 28;
            Oracle.assertClose("digit 19", Arrays.copyOfRange(all, 19 * plane, 20 * plane),
                    Arrays.copyOfRange(got, 0, plane), 1e-6);
            Oracle.assertClose("digit 1", Arrays.copyOfRange(all, plane, 2 * plane),
                    Arrays.copyOfRange(got, plane, 2 * plane), 1e-6);
        }
    }

    @Test
    void notAnImageIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> Images.read(Path.of("README.md")));
        assertTrue(e.getMessage().contains("is not an image format Java can read"), e.getMessage());
    }
}
