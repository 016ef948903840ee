package io.cnn4j.weights;

import static io.cnn4j.weights.WeightFixtures.bytes;
import static io.cnn4j.weights.WeightFixtures.unzip;
import static io.cnn4j.weights.WeightFixtures.write;
import static io.cnn4j.weights.WeightFixtures.zip;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files must only ever be refused with {@link WeightsFormatException}: never another exception, an
 * OutOfMemoryError or a stack overflow. Mutations: truncation, flipped bits, overwritten 8-byte windows (lengths,
 * sizes), and for zip archives the same applied to data.pkl with the archive re-zipped so the CRC still matches and
 * the pickle interpreter sees the damage.
 */
class WeightsFuzzTest {
    /** 300 per build; -Dcnn4j.fuzz.runs=100000 for a longer hunt, -Dcnn4j.fuzz.seed=N to replay a failure. */
    private static final int RUNS = Integer.getInteger("cnn4j.fuzz.runs", 300);
    private static final List<String> SEEDS = List.of("tiny_f32.pt", "views.pt", "libtorch_pickle_save.pt",
            "tiny_f16.safetensors", "tiny_f32.safetensors", "specials.safetensors");

    @TempDir
    Path dir;

    @Test
    void damagedFilesAreOnlyEverRefusedCleanly() {
        long seed = Long.getLong("cnn4j.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        int refused = 0;
        for (int run = 0; run < RUNS; run++) {
            String seedFile = SEEDS.get(random.nextInt(SEEDS.size()));
            byte[] original = bytes(seedFile);
            byte[] damaged;
            String how;
            if (seedFile.endsWith(".pt") && random.nextInt(3) == 0) {
                Map<String, byte[]> records = unzip(original, dir);
                String pkl = records.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
                how = "data.pkl ";
                byte[][] holder = {records.get(pkl)};
                how += mutate(holder, random);
                records.put(pkl, holder[0]);
                damaged = zip(records);
            } else {
                byte[][] holder = {original.clone()};
                how = mutate(holder, random);
                damaged = holder[0];
            }
            Path file = write(dir, "fuzz" + run, damaged);
            try {
                WeightsReader.read(file);
            } catch (WeightsFormatException expected) {
                refused++;
            } catch (Throwable t) {
                throw new AssertionError("seed " + seed + " (-Dcnn4j.fuzz.seed=" + seed + "), run " + run + ": "
                        + seedFile + " with " + how + " threw " + t, t);
            }
        }
        System.out.println("WeightsFuzzTest: seed " + seed + ", " + refused + " of " + RUNS + " damaged files refused");
    }

    /** Damages holder[0] in place (or replaces it) and says how. */
    private static String mutate(byte[][] holder, Random random) {
        byte[] b = holder[0];
        switch (random.nextInt(3)) {
            case 0 -> {
                int length = random.nextInt(b.length);
                holder[0] = Arrays.copyOf(b, length);
                return "truncated to " + length + " bytes";
            }
            case 1 -> {
                int flips = 1 + random.nextInt(8);
                StringBuilder where = new StringBuilder();
                for (int i = 0; i < flips; i++) {
                    int at = random.nextInt(b.length);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                    where.append(' ').append(at);
                }
                return "bits flipped at" + where;
            }
            default -> {
                int at = random.nextInt(Math.max(1, b.length - 8));
                long[] values = {-1L, Long.MAX_VALUE, Integer.MAX_VALUE, 0x7fffffffL + 1, 0, random.nextLong()};
                long v = values[random.nextInt(values.length)];
                for (int i = 0; i < 8 && at + i < b.length; i++) {
                    b[at + i] = (byte) (v >>> (8 * i));
                }
                return "8 bytes at " + at + " set to " + v;
            }
        }
    }
}
