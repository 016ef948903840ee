package io.cnn4j.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.Tensor;
import io.cnn4j.model.ModelDescription;
import io.cnn4j.model.ModelDescription.Preprocess;
import java.util.List;
import org.junit.jupiter.api.Test;

/** torchvision's geometry rules, the tensor layout, and the preprocess block's refusals. */
class ImagePipelineTest {
    private static Preprocess parse(String json) throws Exception {
        return ModelDescription.parsePreprocess(new ObjectMapper().readTree(json), "test");
    }

    private static String refusal(String json) {
        return assertThrows(IllegalArgumentException.class, () -> parse(json)).getMessage();
    }

    @Test
    void shorterSideAndCenterCropFollowTorchvision() throws Exception {
        Preprocess p = parse("{\"resize\": 256, \"crop\": 224}");
        ImagePipeline.Geometry g = ImagePipeline.geometry(640, 480, p);
        // int(256 * 640 / 480) = 341
        assertEquals(List.of(341, 256, 224, 224), List.of(g.resizedWidth(), g.resizedHeight(), g.outWidth(),
                g.outHeight()));
        assertEquals("640x480 resized to 341x256 (bilinear as PIL), center-cropped to 224x224", g.describe());
        ImagePipeline.Geometry portrait = ImagePipeline.geometry(300, 301, parse("{\"resize\": 100}"));
        assertEquals(List.of(100, 100), List.of(portrait.resizedWidth(), portrait.resizedHeight()));
    }

    @Test
    void squashingIsSaid() throws Exception {
        ImagePipeline.Geometry g = ImagePipeline.geometry(640, 480, parse("{\"resize\": [28, 28]}"));
        assertTrue(g.distorts());
        assertEquals("640x480 resized to 28x28 (bilinear as PIL, aspect ratio 1.33 -> 1.00)", g.describe());
        assertTrue(!ImagePipeline.geometry(640, 480, parse("{\"resize\": [240, 320]}")).distorts());
    }

    @Test
    void centerCropOffsetsRoundHalfToEven() {
        // (5 - 2) / 2 = 1.5 rounds to 2 in Python; (7 - 2) / 2 = 2.5 rounds to 2.
        Pixels row5 = new Pixels(5, 1, 1, new byte[] {0, 1, 2, 3, 4});
        assertArrayEquals(new byte[] {2, 3}, ImagePipeline.centerCrop(row5, 2, 1).data());
        Pixels row7 = new Pixels(7, 1, 1, new byte[] {0, 1, 2, 3, 4, 5, 6});
        assertArrayEquals(new byte[] {2, 3}, ImagePipeline.centerCrop(row7, 2, 1).data());
        // Larger than the image: zero padding, (4 - 1) // 2 = 1 column on the left.
        Pixels one = new Pixels(1, 1, 1, new byte[] {9});
        assertArrayEquals(new byte[] {0, 9, 0, 0}, ImagePipeline.centerCrop(one, 4, 1).data());
    }

    @Test
    void tensorIsChwNormalizedAndBgrSwapsChannels() throws Exception {
        Pixels rgb = new Pixels(1, 1, 3, new byte[] {(byte) 255, 0, 51});
        Preprocess p = parse("{\"color\": \"bgr\", \"mean\": [0, 0.5, 0], \"std\": [1, 1, 0.5]}");
        try (Tensor t = ImagePipeline.toTensor(List.of(ImagePipeline.apply(rgb, p)), p)) {
            assertArrayEquals(new long[] {1, 3, 1, 1}, t.shape());
            assertArrayEquals(new float[] {0.2f, -0.5f, 2f}, t.toFloatArray(), 1e-6f);
        }
        Preprocess gray = parse("{\"color\": \"grayscale\"}");
        try (Tensor t = ImagePipeline.toTensor(List.of(ImagePipeline.apply(rgb, gray)), gray)) {
            // PIL's L = (255 * 19595 + 51 * 7471 + 0x8000) >> 16 = 82
            assertArrayEquals(new float[] {82 / 255f}, t.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void imagesOfDifferentSizesWithoutResizeAreRefused() throws Exception {
        Preprocess p = parse("{}");
        var e = assertThrows(IllegalArgumentException.class, () -> ImagePipeline.toTensor(List.of(
                new Pixels(2, 2, 3, new byte[12]), new Pixels(3, 2, 3, new byte[18])), p));
        assertTrue(e.getMessage().contains("image 1 is 3x2x3 but image 0 is 2x2x3; a batch needs one size (give the "
                + "preprocess a \"resize\" or a \"crop\")"), e.getMessage());
    }

    @Test
    void badBlocksAreRefusedWithTheField() {
        assertTrue(refusal("{\"resize\": [1, 2, 3]}").contains("test: preprocess: \"resize\" must be [height, width] "
                + "or one number (the shorter side, as torchvision's Resize(256)), got [1,2,3]"));
        assertTrue(refusal("{\"crop\": -4}").contains("\"crop\" must be [height, width] or one number"));
        assertTrue(refusal("{\"interpolation\": \"area\"}").contains("\"interpolation\" must be nearest, box, "
                + "bilinear, hamming, bicubic or lanczos (torchvision's InterpolationMode in lower case, PIL's "
                + "filters), got area"));
        assertTrue(refusal("[1]").contains("test: preprocess must be a JSON object like"));
        // A misspelt key would be ignored and the image preprocessed otherwise than the file means.
        assertTrue(refusal("{\"resize\": 256, \"max-size\": 300}").contains("test: preprocess: unknown key "
                + "\"max-size\"; the keys are color, resize, max_size, interpolation, crop, scale, mean, std"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImagePipeline.geometry(1, 100_000,
                parse("{\"resize\": 100000}"))).getMessage().contains("cnn4j.maxImagePixels"));
    }

    @Test
    void maxSizeCapsTheLongerSideAsTorchvision() throws Exception {
        // Resize(256, max_size=300) on 640x480: 341 > 300, so the longer side is 300, the shorter int(300 * 256 / 341).
        ImagePipeline.Geometry capped = ImagePipeline.geometry(640, 480, parse("{\"resize\": 256, \"max_size\": 300}"));
        assertEquals(List.of(300, 225), List.of(capped.resizedWidth(), capped.resizedHeight()));
        // Within the cap: as without it.
        ImagePipeline.Geometry within = ImagePipeline.geometry(480, 640, parse("{\"resize\": 256, \"max_size\": 400}"));
        assertEquals(List.of(256, 341), List.of(within.resizedWidth(), within.resizedHeight()));
        // Alone (transforms.v2's Resize(None, max_size)): the longer side becomes max_size, up or down.
        ImagePipeline.Geometry alone = ImagePipeline.geometry(37, 29, parse("{\"max_size\": 74}"));
        assertEquals(List.of(74, 58), List.of(alone.resizedWidth(), alone.resizedHeight()));
        assertEquals("37x29 resized to 74x58 (bilinear as PIL)", alone.describe());
        assertEquals(300, parse("{\"resize\": 256, \"max_size\": 300}").maxSize());
        assertEquals(0, parse("{\"resize\": 256}").maxSize());
    }

    @Test
    void maxSizeIsRefusedWhereTorchvisionRefusesIt() throws Exception {
        assertTrue(refusal("{\"resize\": 256, \"max_size\": 256}").contains("test: preprocess: \"max_size\" 256 must "
                + "be greater than \"resize\" 256 (the shorter side), as torchvision's Resize requires"));
        assertTrue(refusal("{\"resize\": [224, 224], \"max_size\": 300}").contains("\"max_size\" goes with "
                + "\"resize\": N (the shorter side), not with \"resize\": [height, width]"));
        assertTrue(refusal("{\"resize\": 256, \"max_size\": 300.5}").contains("\"max_size\" must be a positive whole "
                + "number"));
        assertTrue(refusal("{\"max_size\": 0}").contains("\"max_size\" must be a positive whole number"));
        // A side that would round to 0 pixels: PIL refuses a zero size; cnn4j says which image and why.
        var e = assertThrows(IllegalArgumentException.class, () -> ImagePipeline.geometry(1000, 1,
                parse("{\"max_size\": 100}")));
        assertTrue(e.getMessage().contains("the 1000x1 image would be resized to a side of 0 pixels"), e.getMessage());
    }

    @Test
    void everyPilFilterResizes() {
        // A 1-D ramp shrunk 4x and grown 2x by each filter: sizes right, values within the ramp's range, and the
        // shrink antialiased (each output is a weighted mean of its 4-pixel neighbourhood, near the ramp's value at
        // the output pixel's center).
        byte[] ramp = new byte[64];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (byte) (i * 4);
        }
        Pixels row = new Pixels(64, 1, 1, ramp);
        for (Resample.Filter f : Resample.Filter.values()) {
            Pixels small = Resample.resize(row, 16, 1, f);
            Pixels large = Resample.resize(row, 128, 1, f);
            assertEquals(16, small.width(), f.name());
            assertEquals(128, large.width(), f.name());
            // Outputs whose filter support lies inside the row (lanczos: 12 input pixels each side at this scale).
            for (int x = 3; x <= 12; x++) {
                int centre = (int) Math.round(((x + 0.5) * 4 - 0.5) * 4);
                int tolerance = f == Resample.Filter.NEAREST ? 8 : 1;
                assertTrue(Math.abs(small.get(x, 0, 0) - centre) <= tolerance, f + " at " + x + ": "
                        + small.get(x, 0, 0) + " vs " + centre);
            }
            assertEquals(f, Resample.Filter.named(f.name().toLowerCase(java.util.Locale.ROOT)));
        }
    }

    @Test
    void versionOnePreprocessMeansBilinearWithoutCrop() {
        Preprocess p = new Preprocess(new int[] {28, 28}, "grayscale", 1 / 255.0, new float[] {0}, new float[] {1});
        assertEquals("bilinear", p.interpolation());
        assertEquals(null, p.crop());
        assertEquals(0, p.resizeShorter());
    }
}
