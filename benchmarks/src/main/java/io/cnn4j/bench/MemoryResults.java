package io.cnn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The lines {@link PeakMemory} wrote, and their section of the report. */
final class MemoryResults {
    /** One PeakMemory run, sizes in kB. */
    record Peak(String runtime, BenchModel model, int batch, int threads, int calls, long baseline, long peak,
            boolean reset, String jvmArgs) {
        long added() {
            return peak - baseline;
        }
    }

    /** model -> batch -> runtime -> the last run's peak. */
    private final Map<BenchModel, Map<Integer, Map<String, Peak>>> peaks = new TreeMap<>();

    static MemoryResults read(List<Path> files) throws IOException {
        MemoryResults results = new MemoryResults();
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                Peak p = new Peak(f[0], BenchModel.valueOf(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                        Integer.parseInt(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]),
                        Boolean.parseBoolean(f[7]), f.length > 8 ? f[8] : "");
                results.peaks.computeIfAbsent(p.model(), m -> new TreeMap<>())
                        .computeIfAbsent(p.batch(), b -> new TreeMap<>()).put(p.runtime(), p);
            }
        }
        return results;
    }

    boolean isEmpty() {
        return peaks.isEmpty();
    }

    /** cnn4j's and ORT's peaks of a model and batch, or null if either is missing. */
    Peak[] cnn4jAndOrt(BenchModel model, int batch) {
        Map<String, Peak> byRuntime = peaks.getOrDefault(model, Map.of()).getOrDefault(batch, Map.of());
        Peak cnn4j = byRuntime.get("cnn4j");
        Peak ort = byRuntime.get("onnxruntime");
        return cnn4j == null || ort == null ? null : new Peak[] {cnn4j, ort};
    }

    List<Peak> all() {
        List<Peak> all = new ArrayList<>();
        peaks.values().forEach(byBatch -> byBatch.values().forEach(byRuntime -> all.addAll(byRuntime.values())));
        return all;
    }

    void render(StringBuilder md) {
        List<Peak> all = all();
        md.append("\n## Peak memory\n\n")
                .append("`PeakMemory`: one JVM per runtime x model x batch (JVM options `").append(all.get(0).jvmArgs())
                .append("`), with the OpenBLAS variables unset as for the timings. It loads the runtime's native ")
                .append("library and sets its threads (").append(all.get(0).threads()).append(") with no model, ")
                .append("and reads the resident set, VmRSS in /proc/self/status: the **baseline**. ")
                .append("It resets the process's peak to that (`5` into /proc/self/clear_refs")
                .append(all.stream().allMatch(Peak::reset) ? "" : "; where that failed the row is marked ‡ and its "
                        + "peak may be the JVM's start-up").append("), loads the model from its file, makes the ")
                .append("input, runs ").append(all.get(0).calls()).append(" inferences (results freed) and reads the ")
                .append("peak resident set, VmHWM: the **peak** of the whole process, JVM, runtime library, weights ")
                .append("and activations, native memory included. \"+\" is the peak above the baseline: what loading ")
                .append("and running the model added. MB = 2^20 bytes. cnn4j/ORT is the ratio of the peaks (below 1: ")
                .append("cnn4j uses less).\n\n")
                .append("| model | batch | cnn4j MB | ORT MB | libtorch MB | cnn4j/ORT peak | cnn4j/ORT + |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        peaks.forEach((model, byBatch) -> byBatch.forEach((batch, byRuntime) -> {
            md.append("| ").append(model.title).append(" | ").append(batch);
            for (String runtime : JmhResults.RUNTIMES) {
                Peak p = byRuntime.get(runtime);
                md.append(" | ").append(p == null ? "-" : format("%.0f (+%.0f)%s", p.peak() / 1024.0,
                        p.added() / 1024.0, p.reset() ? "" : " ‡"));
            }
            Peak cnn4j = byRuntime.get("cnn4j");
            Peak ort = byRuntime.get("onnxruntime");
            md.append(cnn4j == null || ort == null ? " | - | - |\n"
                    : format(" | %.2f | %.2f |\n", (double) cnn4j.peak() / ort.peak(),
                            (double) cnn4j.added() / Math.max(1, ort.added())));
        }));
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
