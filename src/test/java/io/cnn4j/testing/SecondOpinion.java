package io.cnn4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ledger of libtorch's float32 answers checked against the float64 reference. libtorch is a second opinion: its
 * kernels differ between CPUs (oneDNN and ATen pick code paths by instruction set, and some are wrong), so a
 * disagreement never fails a test. It prints one line naming the test, the configuration, this CPU and both numbers,
 * appends it to {@link #FILE} for collecting after a run, and is counted; each test prints its count with
 * {@link #report()}. One ledger per test: {@code SecondOpinion ledger = SecondOpinion.of("conv_transpose valid")}.
 */
public final class SecondOpinion {
    /** Every disagreement line (and each test's total, prefixed "#") of this JVM's run; emptied when it starts. */
    public static final Path FILE = Path.of("target", "libtorch-disagreements.txt");
    /** This machine's CPU as /proc/cpuinfo names it: model name, vendor, family/model, AVX-512 or not. */
    public static final String CPU = describeCpu();

    static {
        try {
            Files.deleteIfExists(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final String test;
    private int compared;
    private int disagreed;

    private SecondOpinion(String test) {
        this.test = test;
    }

    public static SecondOpinion of(String test) {
        return new SecondOpinion(test);
    }

    /** libtorch's float32 values against the float64 reference, by {@link Oracle}'s rule at {@link Oracle#RTOL}. */
    public boolean check(Object config, double[] reference, float[] libtorch) {
        return check(config, reference, libtorch, Oracle.RTOL);
    }

    /** As {@link #check(Object, double[], float[])} at a stated tolerance; true when libtorch agrees. */
    public synchronized boolean check(Object config, double[] reference, float[] libtorch, double rtol) {
        compared++;
        if (reference.length != libtorch.length) {
            return disagree(config, "length " + libtorch.length + ", float64 reference length " + reference.length);
        }
        int i = Oracle.firstMismatch(reference, libtorch, rtol);
        return i < 0 || disagree(config, "element " + i + ": libtorch " + libtorch[i] + ", float64 reference "
                + reference[i] + " (scale " + Oracle.scale(reference) + ", rtol " + rtol + ")");
    }

    /** libtorch's indices (max pooling) against the reference's, which must be equal. */
    public synchronized boolean checkExact(Object config, long[] reference, long[] libtorch) {
        compared++;
        if (Arrays.equals(reference, libtorch)) {
            return true;
        }
        int i = Arrays.mismatch(reference, libtorch);
        return disagree(config, "index " + i + ": libtorch " + (i < libtorch.length ? libtorch[i] : "none")
                + ", reference " + (i < reference.length ? reference[i] : "none"));
    }

    private boolean disagree(Object config, String numbers) {
        disagreed++;
        String line = "libtorch float32 disagrees with the float64 reference: " + test + " | " + config + " | CPU "
                + CPU + " | " + numbers;
        System.out.println(line);
        append(line);
        return false;
    }

    /** Prints and files this test's count: "conv_transpose valid: 600 results compared, libtorch ... on 7". */
    public synchronized String report() {
        String line = test + ": " + compared + " results compared, libtorch float32 disagreed with the float64 "
                + "reference on " + disagreed + " (CPU " + CPU + ")";
        System.out.println(line);
        append("# " + line);
        return line;
    }

    public synchronized int disagreements() {
        return disagreed;
    }

    private static synchronized void append(String line) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describeCpu() {
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    if (!fields.isEmpty()) {
                        break; // the first processor is enough
                    }
                    continue;
                }
                fields.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch") + " (no /proc/cpuinfo)";
        }
        String flags = " " + fields.getOrDefault("flags", "") + " ";
        return fields.getOrDefault("model name", "unknown model") + ", " + fields.getOrDefault("vendor_id", "?")
                + " family " + fields.getOrDefault("cpu family", "?") + " model " + fields.getOrDefault("model", "?")
                + (flags.contains(" avx512f ") ? ", AVX-512" : flags.contains(" avx2 ") ? ", AVX2" : "");
    }
}
