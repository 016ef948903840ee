package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.testing.Budgets;
import io.cnn4j.testing.Oracle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.cnn4j.jni.NativeMemory;
import org.junit.jupiter.api.Test;

/**
 * The arenas a model keeps between runs stay within their byte budget: a server that sees every batch size does not
 * hold one arena per size (issue 10 measured 757 MB held after LeNet-5 at batch sizes 1..256). Memory is measured
 * with JavaCPP's count of the native bytes it has allocated and not freed, so the figures do not depend on timing.
 */
class ArenaBudgetTest {
    private static final Path LENET = Path.of("models/lenet5-mnist.json");
    private static final long MIB = 1 << 20;

    @Test
    void batchSizes1To256HoldAtMost64MiBBeyondTheSteadyState() throws Exception {
        try (Model model = Model.load(LENET)) {
            runBatch(model, 1);
            long steady = NativeMemory.allocatedBytes();
            long largestArena = 0;
            for (int batch = 1; batch <= 256; batch++) {
                runBatch(model, batch);
                largestArena = Math.max(largestArena, model.arenaFloats(batch) * Float.BYTES);
            }
            long held = NativeMemory.allocatedBytes() - steady;
            System.out.printf("ArenaBudgetTest: LeNet-5 at batch sizes 1..256 holds %d bytes beyond the steady "
                    + "state (budget %d, largest arena %d)%n", held, model.arenaCacheBudgetBytes(), largestArena);
            assertTrue(held <= 64 * MIB, "native memory held after batch sizes 1..256: " + held + " bytes beyond "
                    + "the steady state");
            // The automatic budget: four of the largest arena, as runs came one at a time.
            assertEquals(ArenaCache.AUTO_ARENAS * largestArena, model.arenaCacheBudgetBytes());
            assertTrue(model.arenaCacheBytes() <= model.arenaCacheBudgetBytes());
            // The shapes used last are the ones kept: batch 256 runs again without allocating an arena.
            try (Tensor x = Tensor.zeros(256, 1, 28, 28)) {
                long before = NativeMemory.allocatedBytes();
                try (Tensor y = model.run(x)) {
                    assertTrue(NativeMemory.allocatedBytes() < before + y.numel() * Float.BYTES + largestArena,
                            "a batch-256 run allocated an arena again");
                }
            }
        }
    }

    @Test
    void aZeroBudgetKeepsNoArenaAndRunsStillMatch() throws Exception {
        float[] data = Oracle.uniform(new Random(5), 3 * 28 * 28);
        try (Model cached = Model.load(LENET);
                Model uncached = Model.load(LENET, ModelOptions.DEFAULT.withArenaCacheBytes(0));
                Tensor x = Tensor.of(data, 3, 1, 28, 28)) {
            for (int run = 0; run < 3; run++) {
                try (Tensor a = cached.run(x); Tensor b = uncached.run(x)) {
                    assertArrayEquals(a.toFloatArray(), b.toFloatArray());
                }
                assertEquals(0, uncached.arenaCacheBytes());
            }
        }
    }

    @Test
    void aFixedBudgetEvictsTheShapesIdleLongest() throws Exception {
        long budget;
        try (Model probe = Model.load(LENET)) {
            budget = 2 * probe.arenaFloats(64) * Float.BYTES;
        }
        try (Model model = Model.load(LENET, ModelOptions.DEFAULT.withArenaCacheBytes(budget))) {
            for (int batch = 1; batch <= 64; batch++) {
                runBatch(model, batch);
                assertTrue(model.arenaCacheBytes() <= budget, "batch " + batch + ": " + model.arenaCacheBytes());
            }
            assertEquals(budget, model.arenaCacheBudgetBytes());
            // batch 64's and 63's arenas fit the budget of two batch-64 arenas; both are kept.
            assertEquals((model.arenaFloats(64) + model.arenaFloats(63)) * Float.BYTES, model.arenaCacheBytes());
        }
    }

    @Test
    void concurrentRunsUnderATinyBudgetMatchSerialRunsBitForBit() throws Exception {
        Random r = new Random(11);
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            inputs.add(Oracle.uniform(r, (1 + i) * 28 * 28));
        }
        List<float[]> serial = new ArrayList<>();
        try (Model reference = Model.load(LENET)) {
            for (int i = 0; i < inputs.size(); i++) {
                serial.add(run(reference, inputs.get(i), 1 + i));
            }
        }
        // A budget below one arena: every run that gives its arena back frees it, while others run.
        try (Model model = Model.load(LENET, ModelOptions.DEFAULT.withArenaCacheBytes(1))) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int run = 0; run < 60; run++) {
                            int i = (thread + run) % inputs.size();
                            assertArrayEquals(serial.get(i), ArenaBudgetTest.run(model, inputs.get(i), 1 + i),
                                    "thread " + thread + " run " + run);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(0, model.arenaCacheBytes());
        }
    }

    @Test
    void aMalformedBudgetPropertyIsRefusedWithItsName() throws Exception {
        String message = Budgets.withProperty(ModelOptions.ARENA_CACHE_PROPERTY, "lots",
                () -> assertThrows(IllegalArgumentException.class, () -> Model.load(LENET).close()).getMessage());
        assertTrue(message.contains("cnn4j.arenaCacheBytes=lots") && message.contains("auto"), message);
    }

    private static void runBatch(Model model, int batch) {
        try (Tensor x = Tensor.zeros(batch, 1, 28, 28); Tensor y = model.run(x)) {
            assertEquals(batch * 10L, y.numel());
        }
    }

    private static float[] run(Model model, float[] data, int batch) {
        try (Tensor x = Tensor.of(data, batch, 1, 28, 28); Tensor y = model.run(x)) {
            return y.toFloatArray();
        }
    }
}
