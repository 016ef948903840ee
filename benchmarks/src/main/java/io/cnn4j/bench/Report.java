package io.cnn4j.bench;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.pytorch.global.torch;

/**
 * Turns the JMH JSON results of {@link Conv2dBenchmark} and {@link ModelBenchmark} into docs/benchmarks.md: per
 * conv2d layer GFLOP/s, per whole model milliseconds per batch and images per second, for each thread count and
 * runtime; cnn4j's speed ratios against ONNX Runtime and libtorch, the raw timings, and the machine it ran on. A
 * part without results is left out.
 *
 * <p>usage: {@code Report <output.md> <jmh-result.json>...}
 */
public final class Report {
    private static final String[] RUNTIMES = {"cnn4j", "onnxruntime", "libtorch"};
    /** A multi-threaded run whose fastest call is this many times slower than with 1 thread is marked stalled. */
    private static final int STALL_FACTOR = 2;
    private static final String CONV = Conv2dBenchmark.class.getSimpleName();
    private static final String MODELS = ModelBenchmark.class.getSimpleName();
    /** The time unit each benchmark reports in, as JMH writes it. */
    private static final Map<String, String> UNITS = Map.of(CONV, "us/op", MODELS, "ms/op");

    /** One measured (benchmark, params) point: median, fastest and mean time per call, and calls sampled. */
    private record Score(double median, double min, double mean, long calls) {}

    /**
     * One table row: its label cells, its thread count, the score of each runtime, and the scores of the same
     * point with 1 thread (to mark stalls).
     */
    private record Row(List<String> labels, int threads, Map<String, Score> scores, Map<String, Score> oneThread) {
        Score score(int runtime) {
            return scores.get(RUNTIMES[runtime]);
        }

        boolean stalled(String runtime) {
            Score s = scores.get(runtime);
            Score single = oneThread.get(runtime);
            return s != null && single != null && s.min() > STALL_FACTOR * single.min();
        }

        boolean complete() {
            return scores.keySet().containsAll(List.of(RUNTIMES));
        }

        boolean anyStalled() {
            return scores.keySet().stream().anyMatch(this::stalled);
        }

        /** cnn4j's speed over ORT's and libtorch's from the median calls, then from the fastest calls. */
        double[] ratios() {
            Score cnn4j = score(0);
            Score ort = score(1);
            Score libtorch = score(2);
            return new double[] {ort.median() / cnn4j.median(), libtorch.median() / cnn4j.median(),
                    ort.min() / cnn4j.min(), libtorch.min() / cnn4j.min()};
        }
    }

    /** The results of one benchmark class: params -> runtime -> score, and one run's JSON for its settings. */
    private record Results(Map<Map<String, String>, Map<String, Score>> scores, JsonNode anyRun) {
        TreeSet<Integer> values(String param) {
            TreeSet<Integer> values = new TreeSet<>();
            scores.keySet().forEach(p -> values.add(Integer.parseInt(p.get(param))));
            return values;
        }

        /** The row of these params (label cells first), or null when nothing was measured there. */
        Row row(List<String> labels, Map<String, String> params) {
            Map<String, Score> byRuntime = scores.get(params);
            if (byRuntime == null) {
                return null;
            }
            Map<String, String> single = new TreeMap<>(params);
            single.put("threads", "1");
            return new Row(labels, Integer.parseInt(params.get("threads")), byRuntime,
                    scores.getOrDefault(single, Map.of()));
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Report <output.md> <jmh-result.json>...");
            System.exit(2);
        }
        Map<String, Results> byBenchmark = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (int i = 1; i < args.length; i++) {
            for (JsonNode run : json.readTree(Path.of(args[i]).toFile())) {
                String benchmark = run.get("benchmark").asText();
                String runtime = benchmark.substring(benchmark.lastIndexOf('.') + 1);
                String benchmarkClass = benchmark.substring(0, benchmark.lastIndexOf('.'));
                benchmarkClass = benchmarkClass.substring(benchmarkClass.lastIndexOf('.') + 1);
                JsonNode metric = run.get("primaryMetric");
                String unit = UNITS.get(benchmarkClass);
                if (unit == null || !"sample".equals(run.get("mode").asText())
                        || !unit.equals(metric.get("scoreUnit").asText())) {
                    throw new IllegalArgumentException(args[i] + ": expected sample-time results of " + UNITS.keySet()
                            + " in " + UNITS.values() + ", got " + benchmark + " in mode " + run.get("mode") + ", "
                            + metric.get("scoreUnit"));
                }
                Map<String, String> params = new TreeMap<>();
                run.get("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
                JsonNode percentiles = metric.get("scorePercentiles");
                Results results = byBenchmark.computeIfAbsent(benchmarkClass,
                        c -> new Results(new HashMap<>(), run));
                results.scores().computeIfAbsent(params, p -> new TreeMap<>()).put(runtime,
                        new Score(percentiles.get("50.0").asDouble(), percentiles.get("0.0").asDouble(),
                                metric.get("score").asDouble(), calls(metric)));
            }
        }
        if (byBenchmark.isEmpty()) {
            throw new IllegalArgumentException("no JMH results in " + List.of(args).subList(1, args.length));
        }
        Files.writeString(Path.of(args[0]), render(byBenchmark));
        System.out.println("Report: wrote " + args[0]);
    }

    /** How many calls a sample-time result timed: the counts of its histogram over all forks and iterations. */
    private static long calls(JsonNode metric) {
        long calls = 0;
        for (JsonNode fork : metric.get("rawDataHistogram")) {
            for (JsonNode iteration : fork) {
                for (JsonNode bin : iteration) {
                    calls += bin.get(1).asLong();
                }
            }
        }
        return calls;
    }

    private static String render(Map<String, Results> byBenchmark) throws IOException {
        StringBuilder md = new StringBuilder();
        Properties versions = versions();
        Results conv = byBenchmark.get(CONV);
        Results models = byBenchmark.get(MODELS);
        JsonNode anyRun = (conv != null ? conv : models).anyRun();
        md.append("# Benchmarks: cnn4j vs ONNX Runtime Java vs libtorch\n\n")
                .append("Generated by `benchmarks/run.sh` (JMH ").append(anyRun.get("jmhVersion").asText())
                .append(") on ").append(LocalDate.now()).append(". float32 on the CPU. Each JMH fork first checks ")
                .append("that the three runtimes' outputs agree on the same input (max abs difference <= ")
                .append(Agreement.TOLERANCE).append(" x the largest output magnitude) and only then measures.\n\n")
                .append("- **cnn4j** ").append(versions.getProperty("cnn4j")).append("; threads via ")
                .append("`Cnn4j.setNumThreads` (OpenBLAS threads).\n")
                .append("- **ONNX Runtime Java** ").append(OrtEnvironment.getEnvironment().getVersion())
                .append(": `OrtSession.run` on a reused input tensor, result closed; intra-op threads = threads, ")
                .append("inter-op threads = 1, default session options (all graph optimizations).\n")
                .append("- **libtorch** (bytedeco pytorch ").append(versions.getProperty("pytorch"))
                .append("): under `InferenceMode`, result freed; `torch.set_num_threads(threads)`. Its OpenMP threads ")
                .append("spin at each barrier (libgomp's default wait policy), so of the three it suffers most when ")
                .append("another process holds one of the 2 cores.\n\n")
                .append("Ratios are cnn4j's speed over the other runtime's, **above 1 means cnn4j is faster**: first ")
                .append("from the median calls, then in parentheses from the fastest calls. The median is what a user ")
                .append("of this busy machine gets; the fastest call is the best estimate of what each runtime does ")
                .append("with the cores to itself. With 2 threads the two differ most: a runtime whose threads wait on ")
                .append("each other stalls whenever another process holds one of the cores. † marks a stalled ")
                .append("runtime: even its fastest call with these threads took more than ").append(STALL_FACTOR)
                .append("x its fastest call with 1 thread, so its threads kept waiting for a core that another ")
                .append("process held; the ratios of that row measure the machine more than the code.\n\n")
                .append("Contents: ").append(conv != null ? "[conv2d layers](#conv2d-layers), " : "")
                .append(models != null ? "[whole models](#whole-models), " : "")
                .append("[machine and method](#machine-and-method).\n");
        if (conv != null) {
            renderConv(md, conv);
        }
        if (models != null) {
            renderModels(md, models);
        }
        md.append("\n## Machine and method\n\n")
                .append("- CPU: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores visible to the JVM; ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.arch")).append(", ").append(anyRun.get("vmName").asText()).append(' ')
                .append(anyRun.get("vmVersion").asText()).append(".\n")
                .append("- **The 2 cores are shared** with other developers' builds and tests running at the same ")
                .append("time (load average when this report was written: ").append(loadAverage())
                .append("). Absolute numbers are noise; the ratios are the signal: `run.sh` runs JMH once per ")
                .append("layer and once per model, so the three runtimes of one row are measured within minutes of ")
                .append("each other. Even so, a ratio can swing when another process grabs a core, most of all with ")
                .append("2 threads, where a runtime's threads wait on each other.\n");
        if (conv != null) {
            md.append("- JMH, conv2d layers: ").append(jmhSettings(conv.anyRun())).append(".\n");
        }
        if (models != null) {
            md.append("- JMH, whole models: ").append(jmhSettings(models.anyRun())).append(".\n");
        }
        md.append("- libtorch parallel setup: ").append(torchParallelInfo()).append(".\n\n")
                .append("## Reproduce\n\nFrom the repository root (about 8 minutes per part on 2 cores):\n\n```sh\n");
        if (conv != null) {
            md.append("JMH_OPTS=\"").append(jmhOptions(conv.anyRun())).append("\" ");
        }
        if (models != null) {
            md.append("MODELS_JMH_OPTS=\"").append(jmhOptions(models.anyRun())).append("\" ");
        }
        md.append("benchmarks/run.sh ").append(conv != null && models != null ? "all" : conv != null ? "conv" : "models")
                .append("\n```\n\n")
                .append("It installs cnn4j (`mvn -q install -DskipTests`), compiles `benchmarks/`, writes the model ")
                .append("files with `benchmarks/make_models.py` if they are missing, runs JMH once per layer and once ")
                .append("per model into `benchmarks/target/jmh/{conv,models}/*.json`, then writes this file with ")
                .append("`io.cnn4j.bench.Report` from every result there; see `benchmarks/README.md`.\n");
        return md.toString();
    }

    private static void renderConv(StringBuilder md, Results conv) {
        md.append("\n## conv2d layers\n\n")
                .append("`Conv2dBenchmark`: one conv2d layer, batch 1, with bias, the same random weights and input ")
                .append("for all three runtimes. cnn4j: `Convolution.run` into a preallocated output and workspace. ")
                .append("ONNX Runtime: a one-node Conv model (opset 13, weights as initializers). libtorch: ")
                .append("`torch.conv2d` on prebuilt tensors.\n\n")
                .append("GFLOP/s = 2 x Cout x Hout x Wout x Cin/groups x kH x kW / median time per call (bias not ")
                .append("counted).\n\n")
                .append("| layer | threads | MFLOP | cnn4j GFLOP/s | ORT GFLOP/s | libtorch GFLOP/s | cnn4j/ORT | ")
                .append("cnn4j/libtorch |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        List<Row> rows = new ArrayList<>();
        for (ConvShape shape : ConvShape.values()) {
            for (int threads : conv.values("threads")) {
                Row row = conv.row(List.of(shape.describe()),
                        Map.of("shape", shape.name(), "threads", String.valueOf(threads)));
                if (row == null) {
                    continue;
                }
                rows.add(row);
                md.append("| ").append(shape.describe()).append(" | ").append(threads).append(" | ")
                        .append(format("%.1f", shape.flops() / 1e6));
                for (String runtime : RUNTIMES) {
                    Score s = row.scores().get(runtime);
                    md.append(" | ").append(s == null ? "-" : format("%.1f", shape.flops() / (s.median() * 1e3)))
                            .append(row.stalled(runtime) ? " †" : "");
                }
                appendRatios(md, row);
            }
        }
        appendGeometricMeans(md, rows, "layers");
        appendRawTimings(md, "### conv2d raw timings", "Microseconds", "µs", List.of("layer"), rows);
    }

    private static void renderModels(StringBuilder md, Results models) {
        md.append("\n## Whole models\n\n")
                .append("`ModelBenchmark`: ResNet-18, MobileNetV2 and VGG-11-BN as `python/e2e/reference_models.py` ")
                .append("defines them (torchvision's architectures; random weights and non-trivial BatchNorm ")
                .append("statistics, eval mode), batch x 3 x 224 x 224 input. `benchmarks/make_models.py` writes the ")
                .append("same module once per runtime; every fork loads all three and checks their outputs agree ")
                .append("on the same random input before it measures.\n\n")
                .append("- cnn4j: `Model.load` of the exporter's JSON + safetensors (`cnn4j_export.export`; ")
                .append("BatchNorm folded into the convolutions at load), then per call `model.run(input)` and the ")
                .append("returned tensor closed; runs reuse the model's pooled arenas.\n")
                .append("- ONNX Runtime: the `torch.onnx.export` file (opset 17, TorchScript-based exporter, dynamic ")
                .append("batch axis), one `OrtSession` from the file.\n")
                .append("- libtorch: `torch.jit.trace` then `torch.jit.freeze` (which folds BatchNorm, as the other ")
                .append("two do), saved with `torch.jit.save`; loaded with `torch.load` and called with ")
                .append("`JitModule.forward`.\n\n")
                .append("ms = median milliseconds per batch; images/s = batch / median time per batch.\n\n")
                .append("| model | batch | threads | cnn4j ms | ORT ms | libtorch ms | cnn4j img/s | ORT img/s | ")
                .append("libtorch img/s | cnn4j/ORT | cnn4j/libtorch |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<Row> rows = new ArrayList<>();
        for (BenchModel model : BenchModel.values()) {
            for (int batch : models.values("batch")) {
                for (int threads : models.values("threads")) {
                    Row row = models.row(List.of(model.title, String.valueOf(batch)), Map.of("model", model.name(),
                            "batch", String.valueOf(batch), "threads", String.valueOf(threads)));
                    if (row == null) {
                        continue;
                    }
                    rows.add(row);
                    md.append("| ").append(model.title).append(" | ").append(batch).append(" | ").append(threads);
                    for (String runtime : RUNTIMES) {
                        Score s = row.scores().get(runtime);
                        md.append(" | ").append(s == null ? "-" : format("%.1f", s.median()))
                                .append(row.stalled(runtime) ? " †" : "");
                    }
                    for (String runtime : RUNTIMES) {
                        Score s = row.scores().get(runtime);
                        md.append(" | ").append(s == null ? "-" : format("%.1f", batch * 1e3 / s.median()));
                    }
                    appendRatios(md, row);
                }
            }
        }
        appendGeometricMeans(md, rows, "models and batch sizes");
        Row fewest = null;
        String fewestRuntime = null;
        for (Row row : rows) {
            for (Map.Entry<String, Score> e : row.scores().entrySet()) {
                if (fewest == null || e.getValue().calls() < fewest.scores().get(fewestRuntime).calls()) {
                    fewest = row;
                    fewestRuntime = e.getKey();
                }
            }
        }
        if (fewest != null) {
            md.append("\nEvery runtime gets the same measurement time per row, so the slowest rows rest on few calls: ")
                    .append("the fewest were ").append(fewest.scores().get(fewestRuntime).calls()).append(" (")
                    .append(fewestRuntime).append(", ").append(String.join(" batch ", fewest.labels()))
                    .append(", ").append(fewest.threads()).append(" thread").append(fewest.threads() > 1 ? "s" : "")
                    .append("); the raw timings give every count.\n");
        }
        appendRawTimings(md, "### Whole-model raw timings", "Milliseconds", "ms", List.of("model", "batch"), rows);
    }

    /** The two ratio cells that end a table row, median (fastest). */
    private static void appendRatios(StringBuilder md, Row row) {
        if (!row.complete()) {
            md.append(" | - | - |\n");
            return;
        }
        double[] ratios = row.ratios();
        md.append(" | ").append(format("%.2f (%.2f)", ratios[0], ratios[2])).append(" | ")
                .append(format("%.2f (%.2f)", ratios[1], ratios[3])).append(" |\n");
    }

    private static void appendGeometricMeans(StringBuilder md, List<Row> rows, String over) {
        Map<Integer, List<double[]>> ratiosByThreads = new TreeMap<>();
        int stalled = 0;
        for (Row row : rows) {
            if (row.complete() && row.anyStalled()) {
                stalled++;
            } else if (row.complete()) {
                ratiosByThreads.computeIfAbsent(row.threads(), t -> new ArrayList<>()).add(row.ratios());
            }
        }
        md.append("\nGeometric mean of the ratios over the ").append(over)
                .append(stalled == 0 ? "" : " (the " + stalled + " row" + (stalled > 1 ? "s" : "") + " with a † left out)")
                .append(", median (fastest):\n\n")
                .append("| threads | cnn4j/ORT | cnn4j/libtorch |\n|---:|---:|---:|\n");
        ratiosByThreads.forEach((threads, ratios) -> md.append("| ").append(threads).append(" | ")
                .append(format("%.2f (%.2f)", geometricMean(ratios, 0), geometricMean(ratios, 2))).append(" | ")
                .append(format("%.2f (%.2f)", geometricMean(ratios, 1), geometricMean(ratios, 3))).append(" |\n"));
    }

    private static void appendRawTimings(StringBuilder md, String heading, String unitName, String unit,
            List<String> labelHeaders, List<Row> rows) {
        md.append("\n").append(heading).append("\n\n").append(unitName)
                .append(" per call: median / fastest / mean over all sampled calls, and the number of calls timed. ")
                .append("A mean far above the median means that other processes took the cores away for part of the ")
                .append("run.\n\n| ").append(String.join(" | ", labelHeaders)).append(" | threads");
        for (String runtime : RUNTIMES) {
            md.append(" | ").append(runtime.equals("onnxruntime") ? "ORT" : runtime).append(' ').append(unit);
        }
        md.append(" |\n|---|").append("---:|".repeat(labelHeaders.size() + RUNTIMES.length)).append("\n");
        for (Row row : rows) {
            md.append("| ").append(String.join(" | ", row.labels())).append(" | ").append(row.threads());
            for (String runtime : RUNTIMES) {
                Score s = row.scores().get(runtime);
                md.append(" | ").append(s == null ? "-"
                        : format("%.1f / %.1f / %.1f (%d)", s.median(), s.min(), s.mean(), s.calls()));
            }
            md.append(" |\n");
        }
    }

    /** A run's JMH settings in words. */
    private static String jmhSettings(JsonNode run) {
        return run.get("forks").asInt() + " fork per (row, runtime), " + run.get("warmupIterations").asInt()
                + " x " + run.get("warmupTime").asText() + " warmup, " + run.get("measurementIterations").asInt()
                + " x " + run.get("measurementTime").asText() + " measurement, mode " + run.get("mode").asText()
                + ", JVM args " + run.get("jvmArgs");
    }

    /** A run's JMH settings as the options that reproduce them. */
    private static String jmhOptions(JsonNode run) {
        return "-f " + run.get("forks").asInt() + " -wi " + run.get("warmupIterations").asInt() + " -i "
                + run.get("measurementIterations").asInt() + " -w " + run.get("warmupTime").asText().replace(" ", "")
                + " -r " + run.get("measurementTime").asText().replace(" ", "");
    }

    private static double geometricMean(List<double[]> rows, int column) {
        double logSum = 0;
        for (double[] r : rows) {
            logSum += Math.log(r[column]);
        }
        return Math.exp(logSum / rows.size());
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }

    private static Properties versions() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Report.class.getResourceAsStream("/versions.properties")) {
            p.load(in);
        }
        return p;
    }

    private static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.exists(cpuinfo)) {
            return System.getProperty("os.arch");
        }
        TreeSet<String> flags = new TreeSet<>();
        String model = "unknown CPU";
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("model name") && model.equals("unknown CPU")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                } else if (line.startsWith("flags") && flags.isEmpty()) {
                    for (String f : line.substring(line.indexOf(':') + 1).trim().split(" ")) {
                        if (f.equals("avx2") || f.equals("fma") || f.equals("avx512f") || f.equals("avx512_bf16")
                                || f.equals("amx_tile")) {
                            flags.add(f);
                        }
                    }
                }
            }
        }
        return model + " (" + String.join(", ", flags) + ")";
    }

    private static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        if (!Files.exists(loadavg)) {
            return "unknown";
        }
        String[] f = Files.readString(loadavg).trim().split(" ");
        return f[0] + " / " + f[1] + " / " + f[2] + " over 1 / 5 / 15 min";
    }

    /** ATen's parallel backend, OpenMP and oneDNN (MKL-DNN) versions, on one line. */
    private static String torchParallelInfo() {
        List<String> parts = new ArrayList<>();
        for (String line : torch.get_parallel_info().getString().split("\n")) {
            line = line.trim();
            if (line.startsWith("ATen parallel backend") || line.startsWith("MKL not found")
                    || line.startsWith("Intel(R) MKL-DNN") || line.startsWith("OpenMP ")) {
                parts.add(line);
            }
        }
        return "`" + String.join("; ", parts) + "`";
    }
}
