package io.cnn4j.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cnn4j.model.ModelDescription;
import io.cnn4j.testing.Oracle;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged files: each fixture truncated at 50 random points and with random bytes flipped must either convert (a
 * flip can land in a weight) into a description cnn4j's reader accepts, or fail with an IllegalArgumentException
 * that says what is wrong; never another exception, an OutOfMemoryError or a stack overflow.
 */
class OnnxCorruptionTest {
    @ParameterizedTest
    @MethodSource("io.cnn4j.onnx.OnnxFixturesTest#fixtures")
    void truncatedFilesFailClearly(String fixture) throws Exception {
        byte[] file = Files.readAllBytes(OnnxFixturesTest.DIR.resolve(fixture + ".onnx"));
        Oracle.forEachSeed(fixture + " truncated", 50, (random, seed) -> {
            int cut = random.nextInt(file.length);
            String outcome = attempt(Arrays.copyOf(file, cut), fixture + " cut at " + cut);
            assertTrue(outcome == null || !outcome.isBlank(), fixture + " cut at " + cut);
        });
    }

    @ParameterizedTest
    @MethodSource("io.cnn4j.onnx.OnnxFixturesTest#fixtures")
    void flippedBytesFailClearly(String fixture) throws Exception {
        byte[] file = Files.readAllBytes(OnnxFixturesTest.DIR.resolve(fixture + ".onnx"));
        Oracle.forEachSeed(fixture + " flipped", 100, (random, seed) -> {
            byte[] damaged = file.clone();
            int flips = 1 + random.nextInt(4);
            StringBuilder where = new StringBuilder(fixture + " flipped at");
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(damaged.length);
                // Half the flips write bytes that matter to the wire format: varint continuation, large lengths.
                damaged[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : 0x80 | random.nextInt(128));
                where.append(' ').append(at);
            }
            attempt(damaged, where.toString());
        });
    }

    /** Null if the file converted, else the message of the IllegalArgumentException it failed with. */
    private static String attempt(byte[] bytes, String what) {
        try {
            OnnxImport.Converted c = OnnxImport.convert(bytes, "damaged", null);
            ModelDescription.parse(c.model(), what);
            return null;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                fail(what + ": IllegalArgumentException without a message", e);
            }
            return e.getMessage();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }
}
