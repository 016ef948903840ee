package io.cnn4j.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.image.Images;
import io.cnn4j.model.ModelDescription;
import io.cnn4j.model.ModelDescription.Preprocess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cnn4j's preprocessing against torchvision's transforms on PIL images (Resize with PIL's antialiased filters,
 * CenterCrop), on the fixtures of {@code scripts/make_preprocess_fixtures.py}: photo-like images downscaled,
 * upscaled, squashed, cropped and padded, in RGB and gray, from PNG and JPEG files (ImageIO's decoding against
 * PIL's), compared pixel by pixel before normalization.
 */
class PreprocessFixturesTest {
    private static final Path DIR = Path.of("src/test/resources/preprocess");

    /**
     * The bound is 1 gray level; cnn4j does PIL's integer arithmetic step for step (same fixed-point weights,
     * same rounding after each pass), so every fixture matches exactly, and any difference is a regression.
     */
    private static final int MAX_DIFFERENCE = 0;

    static Stream<JsonNode> cases() throws Exception {
        List<JsonNode> cases = new ArrayList<>();
        new ObjectMapper().readTree(DIR.resolve("cases.json").toFile()).forEach(cases::add);
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorchvision(JsonNode c) throws Exception {
        String name = c.get("name").asText();
        Preprocess p = ModelDescription.parsePreprocess(c.get("preprocess"), name);
        Pixels got = ImagePipeline.apply(Images.pixels(Images.read(DIR.resolve(c.get("input").asText()))), p);
        Pixels expected = Images.pixels(Images.read(DIR.resolve(c.get("expected").asText())));
        assertEquals(expected.width() + "x" + expected.height() + "x" + expected.channels(),
                got.width() + "x" + got.height() + "x" + got.channels(), name);
        int max = 0;
        long sum = 0;
        for (int i = 0; i < got.data().length; i++) {
            int d = Math.abs((got.data()[i] & 0xff) - (expected.data()[i] & 0xff));
            max = Math.max(max, d);
            sum += d;
        }
        System.out.printf("preprocess fixture %-24s %3dx%-3d max %d, mean %.4f gray levels%n", name, got.width(),
                got.height(), max, (double) sum / got.data().length);
        assertTrue(max <= MAX_DIFFERENCE, name + ": max difference " + max + " gray levels");
    }
}
