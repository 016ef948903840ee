package io.cnn4j.bench;

import static io.cnn4j.bench.JmhResults.CONV;
import static io.cnn4j.bench.JmhResults.MODELS;
import static io.cnn4j.bench.JmhResults.RUNTIMES;
import static io.cnn4j.bench.JmhResults.STALL_FACTOR;

import ai.onnxruntime.OrtEnvironment;
import io.cnn4j.bench.JmhResults.Results;
import io.cnn4j.bench.JmhResults.Row;
import io.cnn4j.bench.JmhResults.Score;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Turns the results of {@link Conv2dBenchmark}, {@link ModelBenchmark} (JMH JSON), {@link PeakMemory} (.tsv) and
 * {@link BlasSetting} (blas-*.properties) into docs/benchmarks.md: the issue-8 targets, per whole model and OpenBLAS
 * setting the median milliseconds of each runtime and cnn4j's <em>latency ratios</em> cnn4j/ORT and cnn4j/libtorch
 * (below 1: cnn4j is faster), peak memory, per conv2d layer GFLOP/s, raw timings, and the machine. A part without
 * results is left out. The targets section is {@link Targets}.
 *
 * <p>usage: {@code Report <output.md> <file>...}, or {@code Report --terminal <file>...} to print the whole-model
 * rows to the terminal instead (run.sh quick).
 */
public final class Report {
    private Report() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Report <output.md>|--terminal <jmh-result.json|memory.tsv|blas-*.properties>...");
            System.exit(2);
        }
        List<Path> jsons = new ArrayList<>();
        List<Path> tsvs = new ArrayList<>();
        Map<String, Properties> blas = new TreeMap<>(java.util.Comparator.comparing((String k) -> !k.equals("own"))
                .thenComparing(k -> k));
        for (int i = 1; i < args.length; i++) {
            Path file = Path.of(args[i]);
            String name = file.getFileName().toString();
            if (name.endsWith(".json")) {
                jsons.add(file);
            } else if (name.endsWith(".tsv")) {
                tsvs.add(file);
            } else if (name.endsWith(".properties")) {
                Properties p = BlasSetting.read(file);
                blas.put(p.getProperty("setting"), p);
            } else {
                throw new IllegalArgumentException(file + ": expected .json, .tsv or .properties");
            }
        }
        Map<String, Results> byBenchmark = JmhResults.read(jsons);
        MemoryResults memory = MemoryResults.read(tsvs);
        if (args[0].equals("--terminal")) {
            printTerminal(byBenchmark.get(MODELS));
            return;
        }
        if (byBenchmark.isEmpty()) {
            throw new IllegalArgumentException("no JMH results in " + List.of(args).subList(1, args.length));
        }
        Files.writeString(Path.of(args[0]), render(byBenchmark, memory, blas));
        System.out.println("Report: wrote " + args[0]);
    }

    /** The whole-model rows as plain text, for engineers iterating on kernels. */
    private static void printTerminal(Results models) {
        if (models == null) {
            System.out.println("Report: no whole-model results");
            return;
        }
        System.out.println("median ms per call; latency ratios cnn4j/ORT and cnn4j/libtorch (below 1: cnn4j is "
                + "faster), fastest calls in parentheses");
        System.out.printf(Locale.ROOT, "%-16s %5s %3s %7s %10s %10s %10s %14s %14s%n", "model", "batch", "thr",
                "blas", "cnn4j", "ORT", "libtorch", "cnn4j/ORT", "cnn4j/libtorch");
        for (Row row : modelRows(models, null)) {
            String[] l = row.labels().toArray(String[]::new);
            System.out.printf(Locale.ROOT, "%-16s %5s %3d %7s", l[0], l[1], row.threads(), l[2]);
            for (int r = 0; r < RUNTIMES.length; r++) {
                Score s = row.score(r);
                System.out.printf(Locale.ROOT, " %10s", s == null ? "-" : format("%.3f", s.median()));
            }
            if (row.complete()) {
                double[] q = row.ratios();
                System.out.printf(Locale.ROOT, " %14s %14s%n", format("%.2f (%.2f)", q[0], q[2]),
                        format("%.2f (%.2f)", q[1], q[3]));
            } else {
                System.out.println();
            }
        }
    }

    /**
     * The whole-model rows in report order (model, batch, threads) of one OpenBLAS setting, or of every setting
     * when {@code blas} is null; labels are model title, batch, and setting.
     */
    static List<Row> modelRows(Results models, String blas) {
        List<Row> rows = new ArrayList<>();
        for (String setting : models.blasSettings()) {
            if (blas != null && !blas.equals(setting)) {
                continue;
            }
            for (BenchModel model : BenchModel.values()) {
                for (int batch : models.values("batch")) {
                    for (int threads : models.values("threads")) {
                        Row row = models.row(List.of(model.title, String.valueOf(batch), setting),
                                Map.of("model", model.name(), "batch", String.valueOf(batch), "threads",
                                        String.valueOf(threads), "blas", setting));
                        if (row != null) {
                            rows.add(row);
                        }
                    }
                }
            }
        }
        return rows;
    }

    private static String render(Map<String, Results> byBenchmark, MemoryResults memory, Map<String, Properties> blas)
            throws IOException {
        StringBuilder md = new StringBuilder();
        Properties versions = MachineInfo.versions();
        Results conv = byBenchmark.get(CONV);
        Results models = byBenchmark.get(MODELS);
        var anyRun = (models != null ? models : conv).anyRun();
        md.append("# Benchmarks: cnn4j vs ONNX Runtime Java vs libtorch\n\n")
                .append("Generated by `benchmarks/run.sh` (JMH ").append(anyRun.get("jmhVersion").asText())
                .append(") on ").append(LocalDate.now()).append(". float32 on the CPU. Each JMH fork first checks ")
                .append("that the three runtimes' outputs agree on the same input (max abs difference <= ")
                .append(Agreement.TOLERANCE).append(" x the largest output magnitude) and only then measures.\n\n")
                .append("- **cnn4j** ").append(versions.getProperty("cnn4j")).append("; threads via ")
                .append("`Cnn4j.setNumThreads` (OpenBLAS threads).\n")
                .append("- **ONNX Runtime Java** ").append(OrtEnvironment.getEnvironment().getVersion())
                .append(" (the newest version Maven Central serves here): `OrtSession.run` on a reused input ")
                .append("tensor, result closed; intra-op threads = threads, inter-op threads = 1, default session ")
                .append("options (all graph optimizations).\n")
                .append("- **libtorch** (bytedeco pytorch ").append(versions.getProperty("pytorch"))
                .append("): under `InferenceMode`, result freed; `torch.set_num_threads(threads)`. Its OpenMP threads ")
                .append("spin at each barrier (libgomp's default wait policy), so of the three it suffers most when ")
                .append("another process holds one of the 2 cores.\n\n")
                .append("**Ratios are latency ratios, cnn4j's time over the other runtime's: cnn4j/ORT and ")
                .append("cnn4j/libtorch. Below 1 means cnn4j is faster** (0.5: cnn4j takes half the time). Each ratio ")
                .append("is from the median calls, then in parentheses from the fastest calls. The median is what a ")
                .append("user of this busy machine gets; the fastest call is the best estimate of what each runtime ")
                .append("does with the cores to itself. † marks a stalled runtime: even its fastest call with these ")
                .append("threads took more than ").append(STALL_FACTOR).append("x its fastest call with 1 thread, so ")
                .append("its threads kept waiting for a core that another process held; the ratios of that row ")
                .append("measure the machine more than the code.\n\n")
                .append("OpenBLAS setting: **own** = `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` unset for the ")
                .append("benchmark JVMs, so OpenBLAS picks its kernels itself, as on a user's machine (the headline ")
                .append("figures); **machine** = the variables as this machine's environment sets them for old ")
                .append("OpenBLAS builds. Both cnn4j and libtorch (bytedeco's build links the same OpenBLAS) can ")
                .append("depend on it; ONNX Runtime does not use OpenBLAS. The kernel picked under each is in ")
                .append("[machine and method](#machine-and-method).\n\n")
                .append("Contents: ").append(models != null ? "[targets](#targets-issue-8), " : "")
                .append(models != null ? "[whole models](#whole-models), " : "")
                .append(memory.isEmpty() ? "" : "[peak memory](#peak-memory), ")
                .append(conv != null ? "[conv2d layers](#conv2d-layers), " : "")
                .append("[machine and method](#machine-and-method).\n");
        if (models != null) {
            Targets.render(md, models, memory);
            renderModels(md, models);
        }
        if (!memory.isEmpty()) {
            memory.render(md);
        }
        if (conv != null) {
            ConvSection.render(md, conv);
        }
        md.append("\n## Machine and method\n\n")
                .append("- CPU: ").append(MachineInfo.cpuModel()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores visible to the JVM; ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(", ").append(anyRun.get("vmName").asText()).append(' ')
                .append(anyRun.get("vmVersion").asText()).append(".\n");
        for (Properties p : blas.values()) {
            md.append("- OpenBLAS, setting **").append(p.getProperty("setting")).append("** (")
                    .append(p.getProperty("environment")).append("): OpenBLAS picks its **")
                    .append(p.getProperty("kernel")).append("** kernels (`Cnn4j.blasCoreName()`).\n");
        }
        md.append("- **The 2 cores are shared** with other developers' builds and tests running at the same ")
                .append("time (load average when this report was written: ").append(MachineInfo.loadAverage())
                .append("). Absolute numbers are noise; the ratios are the signal: `run.sh` runs JMH once per ")
                .append("layer and once per model and batch, so the three runtimes of one row are measured within ")
                .append("minutes of each other. Even so, a ratio can swing when another process grabs a core, most ")
                .append("of all with 2 threads, where a runtime's threads wait on each other.\n");
        if (conv != null) {
            conv.settings().forEach(s -> md.append("- JMH, conv2d layers: ").append(s).append(".\n"));
        }
        if (models != null) {
            models.settings().forEach(s -> md.append("- JMH, whole models: ").append(s).append(".\n"));
            md.append("  Calls of at least ").append(format("%.0f", BenchModel.HEAVY_GFLOP))
                    .append(" GFLOP (batch x the model's GFLOP per image) run with `HEAVY_JMH_OPTS`, the others ")
                    .append("with `MODELS_JMH_OPTS`; see `benchmarks/README.md`.\n");
        }
        md.append("- libtorch parallel setup: ").append(MachineInfo.torchParallelInfo()).append(".\n\n")
                .append("## Reproduce\n\nFrom the repository root:\n\n```sh\n")
                .append("benchmarks/run.sh all          # conv2d layers, whole models, peak memory; both OpenBLAS ")
                .append("settings\nbenchmarks/run.sh quick        # batch 1, 1 thread, 2 s per runtime, one JVM: ")
                .append("ratios on the terminal\nMODELS=\"LENET5 CNN1D\" BATCHES=\"1 8\" BLAS_ENV=own benchmarks/run.sh ")
                .append("models   # a part of the matrix\n```\n\n")
                .append("It installs cnn4j (`mvn -q install -DskipTests`), compiles `benchmarks/`, writes the model ")
                .append("files with `benchmarks/make_models.py` if they are missing, runs JMH once per layer and once ")
                .append("per model and batch into `benchmarks/target/jmh/`, `PeakMemory` into ")
                .append("`benchmarks/target/jmh/memory/`, then writes this file with `io.cnn4j.bench.Report` from ")
                .append("every result there; see `benchmarks/README.md` for the knobs (models, batches, threads, ")
                .append("iterations, OpenBLAS setting).\n");
        return md.toString();
    }

    private static void renderModels(StringBuilder md, Results models) {
        md.append("\n## Whole models\n\n")
                .append("`ModelBenchmark`: the networks of `python/e2e/reference_models.py` (random weights, ")
                .append("non-trivial BatchNorm statistics, eval mode): ");
        List<String> inputs = new ArrayList<>();
        for (BenchModel m : BenchModel.values()) {
            inputs.add(m.title + " (batch x " + m.describeInput() + ")");
        }
        md.append(String.join(", ", inputs)).append("; the 1-D CNN is the e2e tests' `timeseries_cnn1d` with 12 ")
                .append("input channels. `benchmarks/make_models.py` writes the same module once per runtime; every ")
                .append("fork loads all three and checks their outputs agree on the same random input before it ")
                .append("measures.\n\n")
                .append("- cnn4j: `Model.load` of the exporter's JSON + safetensors (`cnn4j_export.export`; ")
                .append("BatchNorm folded into the convolutions at load), then per call `model.run(input)` and the ")
                .append("returned tensor closed; runs reuse the model's pooled arenas.\n")
                .append("- ONNX Runtime: the `torch.onnx.export` file (opset 17, TorchScript-based exporter, dynamic ")
                .append("batch axis), one `OrtSession` from the file.\n")
                .append("- libtorch: `torch.jit.trace` then `torch.jit.freeze` (which folds BatchNorm, as the other ")
                .append("two do), saved with `torch.jit.save`; loaded with `torch.load` and called with ")
                .append("`JitModule.forward`.\n\n")
                .append("ms = median milliseconds per call (one batch). Ratios: latency cnn4j/ORT and ")
                .append("cnn4j/libtorch, median (fastest), **below 1 means cnn4j is faster**.\n");
        for (String setting : models.blasSettings()) {
            List<Row> rows = modelRows(models, setting);
            md.append("\n### OpenBLAS setting: ").append(setting).append("\n\n")
                    .append("| model | batch | threads | cnn4j ms | ORT ms | libtorch ms | cnn4j/ORT | ")
                    .append("cnn4j/libtorch |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row row : rows) {
                md.append("| ").append(row.labels().get(0)).append(" | ").append(row.labels().get(1)).append(" | ")
                        .append(row.threads());
                for (String runtime : RUNTIMES) {
                    Score s = row.scores().get(runtime);
                    md.append(" | ").append(s == null ? "-" : milliseconds(s.median()))
                            .append(row.stalled(runtime) ? " †" : "");
                }
                appendRatios(md, row);
            }
            appendGeometricMeans(md, rows, "models and batch sizes");
        }
        List<Row> all = modelRows(models, null);
        Row fewest = null;
        String fewestRuntime = null;
        for (Row row : all) {
            for (Map.Entry<String, Score> e : row.scores().entrySet()) {
                if (fewest == null || e.getValue().calls() < fewest.scores().get(fewestRuntime).calls()) {
                    fewest = row;
                    fewestRuntime = e.getKey();
                }
            }
        }
        if (fewest != null) {
            md.append("\nThe slowest rows rest on few calls: the fewest were ")
                    .append(fewest.scores().get(fewestRuntime).calls()).append(" (").append(fewestRuntime)
                    .append(", ").append(fewest.labels().get(0)).append(" batch ").append(fewest.labels().get(1))
                    .append(", ").append(fewest.threads()).append(" thread").append(fewest.threads() > 1 ? "s" : "")
                    .append("); the raw timings give every count.\n");
        }
        appendRawTimings(md, "### Whole-model raw timings", "Milliseconds", "ms",
                List.of("model", "batch", "OpenBLAS"), all);
    }

    /** A time in ms with three significant digits at least (LeNet-5 calls take tens of microseconds). */
    static String milliseconds(double ms) {
        return ms >= 100 ? format("%.0f", ms) : ms >= 10 ? format("%.1f", ms) : ms >= 1 ? format("%.2f", ms)
                : format("%.3f", ms);
    }

    /** The two ratio cells that end a table row, median (fastest). */
    static void appendRatios(StringBuilder md, Row row) {
        if (!row.complete()) {
            md.append(" | - | - |\n");
            return;
        }
        double[] ratios = row.ratios();
        md.append(" | ").append(ratio(ratios[0])).append(" (").append(ratio(ratios[2])).append(") | ")
                .append(ratio(ratios[1])).append(" (").append(ratio(ratios[3])).append(") |\n");
    }

    static void appendGeometricMeans(StringBuilder md, List<Row> rows, String over) {
        Map<Integer, List<double[]>> ratiosByThreads = new TreeMap<>();
        int stalled = 0;
        for (Row row : rows) {
            if (row.complete() && row.anyStalled()) {
                stalled++;
            } else if (row.complete()) {
                ratiosByThreads.computeIfAbsent(row.threads(), t -> new ArrayList<>()).add(row.ratios());
            }
        }
        md.append("\nGeometric mean of the latency ratios over the ").append(over)
                .append(stalled == 0 ? "" : " (the " + stalled + " row" + (stalled > 1 ? "s" : "") + " with a † left out)")
                .append(", median (fastest):\n\n")
                .append("| threads | cnn4j/ORT | cnn4j/libtorch |\n|---:|---:|---:|\n");
        ratiosByThreads.forEach((threads, ratios) -> md.append("| ").append(threads).append(" | ")
                .append(format("%.2f (%.2f)", JmhResults.geometricMean(ratios, 0), JmhResults.geometricMean(ratios, 2)))
                .append(" | ")
                .append(format("%.2f (%.2f)", JmhResults.geometricMean(ratios, 1), JmhResults.geometricMean(ratios, 3)))
                .append(" |\n"));
    }

    static void appendRawTimings(StringBuilder md, String heading, String unitName, String unit,
            List<String> labelHeaders, List<Row> rows) {
        md.append("\n").append(heading).append("\n\n").append(unitName)
                .append(" per call: median / fastest / mean over all sampled calls, and the number of calls timed. ")
                .append("A mean far above the median means that other processes took the cores away for part of the ")
                .append("run.\n\n| ").append(String.join(" | ", labelHeaders)).append(" | threads");
        for (String runtime : RUNTIMES) {
            md.append(" | ").append(runtime.equals("onnxruntime") ? "ORT" : runtime).append(' ').append(unit);
        }
        md.append(" |\n|").append("---|".repeat(labelHeaders.size()))
                .append("---:|".repeat(1 + RUNTIMES.length)).append("\n");
        for (Row row : rows) {
            md.append("| ").append(String.join(" | ", row.labels())).append(" | ").append(row.threads());
            for (String runtime : RUNTIMES) {
                Score s = row.scores().get(runtime);
                md.append(" | ").append(s == null ? "-" : String.join(" / ", milliseconds(s.median()),
                        milliseconds(s.min()), milliseconds(s.mean())) + " (" + s.calls() + ")");
            }
            md.append(" |\n");
        }
    }

    /** A ratio with two decimals, or two significant digits below 0.1. */
    static String ratio(double r) {
        return r >= 0.1 ? format("%.2f", r) : format("%.2g", r);
    }

    static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}
