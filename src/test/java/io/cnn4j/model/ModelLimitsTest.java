package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.testing.Budgets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model JSON files at and past cnn4j's limits (io.cnn4j.Limits): each limit refuses with a message that names it and
 * the property that raises it, and deep models load in time linear in their layers.
 */
class ModelLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aDeepReluChainLoadsAndRunsInLinearTime() throws Exception {
        // Issue 10: planning was quadratic, 49 s to load 320,000 ReLUs and as long again for the first run. Linear, it
        // takes a few seconds; 60 s is generous for a busy CI machine and still far below the quadratic time.
        for (int layers : new int[] {160_000, 320_000}) {
            Path p = write(chain("ReLU", layers));
            long start = System.nanoTime();
            try (Model m = Model.load(p)) {
                long loaded = System.nanoTime();
                try (Tensor x = Tensor.of(new float[] {-1, 2, -3, 4}, 1, 4); Tensor y = m.run(x)) {
                    assertArrayEquals(new float[] {0, 2, 0, 4}, y.toFloatArray());
                }
                long ran = System.nanoTime();
                System.out.printf("ModelLimitsTest: %d ReLU layers load in %.2f s, run once in %.2f s%n", layers,
                        (loaded - start) / 1e9, (ran - loaded) / 1e9);
                assertTrue(ran - start < 60_000_000_000L, layers + " layers took " + (ran - start) / 1e9 + " s");
            }
        }
    }

    @Test
    void manyValuesAliveAtOnceStillPlanCorrectly() throws Exception {
        // 2,000 values computed from the input and all alive until an Add chain consumes them: first-fit would look
        // at ~2 million pairs, past its work budget, so the smallest buffers are stacked instead. The sum is exact.
        int width = 2000;
        StringBuilder layers = new StringBuilder();
        for (int i = 0; i < width; i++) {
            layers.append(i == 0 ? "" : ",").append("{\"type\": \"ReLU\", \"id\": \"r").append(i)
                    .append("\", \"inputs\": [\"x\"]}");
        }
        String previous = "r0";
        for (int i = 1; i < width; i++) {
            layers.append(",{\"type\": \"Add\", \"id\": \"a").append(i).append("\", \"inputs\": [\"").append(previous)
                    .append("\", \"r").append(i).append("\"]}");
            previous = "a" + i;
        }
        Path p = write("{\"cnn4j\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 3]}], \"layers\": [" + layers
                + "]}");
        try (Model m = Model.load(p); Tensor x = Tensor.of(new float[] {1, -1, 0.5f}, 1, 3); Tensor y = m.run(x)) {
            assertArrayEquals(new float[] {width, 0, width / 2f}, y.toFloatArray());
            // Stacking costs memory only: at most one slot per value, never an overlap.
            assertTrue(m.arenaFloats(1) <= 3L * (2 * width) + 64, "arena " + m.arenaFloats(1));
        }
    }

    @Test
    void moreLayersThanTheLimitAreRefusedWithThePropertyToRaiseIt() throws Exception {
        Path p = write(chain("ReLU", 11));
        String message = Budgets.withProperty("cnn4j.maxLayers", "10", () -> loadError(p));
        assertMentions(message, p.toString(), "\"layers\" has more than 10 layers", "-Dcnn4j.maxLayers=N");
        Budgets.withProperty("cnn4j.maxLayers", "11", () -> {
            Model.load(p).close();
            return null;
        });
    }

    @Test
    void theDefaultLayerLimitIsAMillion() throws Exception {
        Path p = write(chain("Identity", 1_000_001));
        assertMentions(loadError(p), "\"layers\" has more than 1000000 layers", "cnn4j.maxLayers");
    }

    @Test
    void aLayerWithMoreInputsThanTheFanInLimitIsRefused() throws Exception {
        StringBuilder inputs = new StringBuilder();
        for (int i = 0; i < 4097; i++) {
            inputs.append(i == 0 ? "" : ", ").append("\"x\"");
        }
        Path p = write("{\"cnn4j\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 3]}], \"layers\": ["
                + "{\"type\": \"Concat\", \"name\": \"cat\", \"dim\": 1, \"inputs\": [" + inputs + "]}]}");
        assertMentions(loadError(p), "layer 0 'cat' (Concat)", "\"inputs\" has more than 4096 inputs",
                "-Dcnn4j.maxFanIn=N");
    }

    @Test
    void anInputOfMoreDimsThanTheRankLimitIsRefused() throws Exception {
        String shape = "[-1" + ", 1".repeat(64) + "]";
        Path p = write("{\"cnn4j\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": " + shape + "}], \"layers\": ["
                + "{\"type\": \"ReLU\"}]}");
        assertMentions(loadError(p), "input 'x'", "\"shape\" has more than 64 dims", "cnn4j.maxRank");
    }

    @Test
    void aLayerOutputOfMoreDimsThanTheRankLimitIsRefused() throws Exception {
        String sizes = "[1" + ", 1".repeat(64) + "]";
        Path p = write("{\"cnn4j\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 1]}], \"layers\": ["
                + "{\"type\": \"Unflatten\", \"name\": \"u\", \"dim\": 1, \"unflattened_size\": " + sizes + "}]}");
        assertMentions(loadError(p), "layer 0 'u' (Unflatten)", "has more than 64 dims", "cnn4j.maxRank");
    }

    @Test
    void aMalformedLimitPropertyIsRefusedWithItsName() throws Exception {
        Path p = write(chain("ReLU", 2));
        String message = Budgets.withProperty("cnn4j.maxLayers", "many", () -> loadError(p));
        assertMentions(message, "cnn4j.maxLayers=many", "positive integer");
    }

    private static String chain(String type, int layers) {
        StringBuilder sb = new StringBuilder("{\"cnn4j\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 4]}], "
                + "\"layers\": [");
        String layer = "{\"type\": \"" + type + "\"}";
        for (int i = 0; i < layers; i++) {
            sb.append(i == 0 ? "" : ",").append(layer);
        }
        return sb.append("]}").toString();
    }

    private Path write(String json) throws Exception {
        Path p = dir.resolve("model-" + System.nanoTime() + ".json");
        Files.writeString(p, json);
        return p;
    }

    private static String loadError(Path model) {
        return assertThrows(IllegalArgumentException.class, () -> Model.load(model).close()).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message should mention \"" + part + "\": " + message);
        }
    }
}
