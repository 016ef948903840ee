package io.cnn4j.cli;

import static io.cnn4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.cli.CliTest.Result;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images on the command line: the resize notice, preprocess blocks for ONNX models, sizes that do not fit. */
class CliImagesTest {
    private static final String LENET = "models/lenet5-mnist.json";
    private static final Path DIGIT = Path.of("models/samples/digit-7-19.png");
    private static final Path LENET_ONNX = Path.of("src/test/resources/onnx/lenet_opset13.onnx"); // [N, 1, 20, 20]

    @TempDir
    Path dir;

    private Path png(String name, int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, (x * 7 + y * 3) % 256);
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void anImageOfAnotherSizeIsResizedWithANotice() throws Exception {
        Path photo = png("photo.png", 40, 30);
        Result r = cli("run", LENET, photo.toString(), DIGIT.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("cnn4j: note: " + photo + ": 40x30 resized to 28x28 (bilinear as PIL, aspect "
                + "ratio 1.33 -> 1.00), as the model's preprocess says"), r.err());
        assertFalse(r.err().contains(DIGIT.toString()), r.err()); // already 28x28: nothing to say
        assertTrue(r.out().contains(photo + ":") && r.out().contains(DIGIT + ":"), r.out());
    }

    @Test
    void anOnnxModelWithoutPreprocessSaysWhereToPutOne() throws Exception {
        Path onnx = Files.copy(LENET_ONNX, dir.resolve("lenet.onnx"));
        Result r = cli("run", onnx.toString(), DIGIT.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains(onnx + " has no \"preprocess\" section, so cnn4j cannot turn images into its "
                + "input; put one in lenet.onnx.preprocess.json beside it, or give one with --preprocess FILE.json"),
                r.err());
    }

    @Test
    void theSidecarBesideAnOnnxModelIsItsPreprocess() throws Exception {
        Path onnx = Files.copy(LENET_ONNX, dir.resolve("lenet.onnx"));
        Files.writeString(dir.resolve("lenet.onnx.preprocess.json"), "{\"resize\": 20, \"color\": \"grayscale\"}");
        Result r = cli("run", onnx.toString(), DIGIT.toString(), "--top", "2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains(": 28x28 resized to 20x20 (bilinear as PIL), as the model's preprocess says"),
                r.err());
        assertTrue(r.out().contains("class "), r.out());
        // convert carries it into the cnn4j model, which then runs the same.
        Path json = dir.resolve("lenet.json");
        assertEquals(0, cli("convert", onnx.toString(), json.toString()).status());
        assertTrue(Files.readString(json).contains("\"preprocess\""));
        assertEquals(r.out(), cli("run", json.toString(), DIGIT.toString(), "--top", "2").out());
    }

    @Test
    void preprocessOptionOverridesAndIsChecked() throws Exception {
        Path block = Files.writeString(dir.resolve("pre.json"), "{\"resize\": [20, 20], \"crop\": 20, \"color\": "
                + "\"grayscale\"}");
        Result r = cli("run", LENET_ONNX.toString(), DIGIT.toString(), "--preprocess", block.toString());
        assertEquals(0, r.status(), r.err());
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"crop\": \"center\"}");
        r = cli("run", LENET_ONNX.toString(), DIGIT.toString(), "--preprocess", bad.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains(bad + ": preprocess: \"crop\" must be [height, width] or one number"), r.err());
        Path sidecar = Files.writeString(dir.resolve("broken.onnx.preprocess.json"), "{\"resize\": ");
        Files.copy(LENET_ONNX, dir.resolve("broken.onnx"));
        r = cli("info", dir.resolve("broken.onnx").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains(sidecar + " is not valid JSON: the text ends before the JSON is complete"),
                r.err());
    }

    @Test
    void anImageThatDoesNotFitAModelWithoutResizeSaysWhatToAdd() throws Exception {
        Path block = Files.writeString(dir.resolve("pre.json"), "{\"color\": \"grayscale\"}");
        Result r = cli("run", LENET_ONNX.toString(), DIGIT.toString(), "--preprocess", block.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains(DIGIT + " is 28x28, but the model takes 20x20 images (width x height): give the "
                + "preprocess a \"resize\": [20, 20] (or a resize and a \"crop\")"), r.err());
    }
}
