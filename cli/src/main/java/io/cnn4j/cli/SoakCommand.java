package io.cnn4j.cli;

import io.cnn4j.Tensor;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription.InputSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.cnn4j.jni.NativeMemory;
import org.bytedeco.javacpp.Pointer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code soak MODEL [--workers N] [--runs M] [--max-batch B]}: N threads share one model for M runs each, on inputs
 * of every batch size from 1 to B; every output is compared bit for bit with a single-threaded run of the same input,
 * the process's resident memory is sampled as it goes, and a verdict is printed. PASS needs no mismatch, no error,
 * and resident memory in the second half of the soak no higher than {@code --rss-slack-mb} above its first half's
 * peak (steady state reached, nothing growing per run).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Run a model from many threads for a long time: outputs checked bit for bit "
        + "against single-threaded runs, resident memory sampled, a PASS/FAIL verdict")
final class SoakCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = Main.MODEL_HELP)
    Path modelPath;

    @Option(names = "--shape", paramLabel = "[NAME=]DIMS", description = "the input's shape as in info and bench; "
            + "its batch dim is replaced by each size 1..B")
    List<String> shapes = new ArrayList<>();

    @Option(names = "--workers", paramLabel = "N", defaultValue = "8",
            description = "Java threads sharing the model (--threads is the size of cnn4j's own pool)")
    int threads;

    @Option(names = "--runs", paramLabel = "M", defaultValue = "2000", description = "runs per thread")
    int runs;

    @Option(names = "--max-batch", paramLabel = "B", defaultValue = "16",
            description = "inputs of every batch size 1..B (each a distinct arena shape)")
    int maxBatch;

    @Option(names = "--rss-slack-mb", paramLabel = "MB", defaultValue = "64",
            description = "resident memory the second half may add over the first half's peak")
    long rssSlackMb;

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || runs < 1 || maxBatch < 1 || rssSlackMb < 0) {
            throw new IllegalArgumentException("--workers, --runs and --max-batch must be >= 1 and --rss-slack-mb "
                    + ">= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        FileChecks.model(modelPath);
        try (Model model = Model.load(modelPath, Main.modelOptions())) {
            List<InputSpec> specs = model.description().inputs();
            Map<String, long[]> given = InputShapes.parse(shapes, specs);
            List<Map<String, float[]>> inputs = new ArrayList<>();
            List<Map<String, long[]>> shapes = new ArrayList<>();
            List<float[]> expected = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(42);
            for (int batch = 1; batch <= maxBatch; batch++) {
                Map<String, long[]> batchShapes = InputShapes.resolve(withBatch(given, specs, batch), specs, batch);
                Map<String, float[]> data = new LinkedHashMap<>();
                batchShapes.forEach((name, shape) -> {
                    float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) random.nextDouble(-1, 1);
                    }
                    data.put(name, values);
                });
                inputs.add(data);
                shapes.add(batchShapes);
                expected.add(run(model, data, batchShapes)); // the single-threaded reference
            }
            long total = (long) threads * runs;
            AtomicLong done = new AtomicLong();
            AtomicLong mismatches = new AtomicLong();
            List<long[]> samples = new ArrayList<>(); // {runs done, RSS bytes, native bytes held by JavaCPP}
            samples.add(new long[] {0, residentBytes(), NativeMemory.allocatedBytes()});
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    SplittableRandom pick = new SplittableRandom(thread);
                    for (int r = 0; r < runs; r++) {
                        int i = pick.nextInt(inputs.size());
                        if (!Arrays.equals(expected.get(i), run(model, inputs.get(i), shapes.get(i)))) {
                            mismatches.incrementAndGet();
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            pool.shutdown();
            long step = Math.max(1, total / 20);
            long next = step;
            while (!pool.awaitTermination(50, TimeUnit.MILLISECONDS)) {
                if (done.get() >= next) {
                    samples.add(new long[] {done.get(), residentBytes(), NativeMemory.allocatedBytes()});
                    next = done.get() / step * step + step;
                }
            }
            for (Future<?> f : futures) {
                f.get(); // an exception in any run is an error of the soak (the CLI prints it)
            }
            samples.add(new long[] {done.get(), residentBytes(), NativeMemory.allocatedBytes()});
            double seconds = (System.nanoTime() - start) / 1e9;
            return report(out, model, total, mismatches.get(), samples, seconds);
        }
    }

    private int report(PrintWriter out, Model model, long total, long mismatches, List<long[]> samples,
            double seconds) {
        out.printf("soak %s: %d threads x %d runs (batch sizes 1..%d) in %.1f s, %.0f runs/s%n", modelPath, threads,
                runs, maxBatch, seconds, total / seconds);
        out.println("resident memory (MB) after N runs, and native memory held by cnn4j (MB):");
        for (long[] s : samples) {
            out.printf("  %9d runs  RSS %7.1f  native %7.1f%n", s[0], s[1] / 1e6, s[2] / 1e6);
        }
        int half = samples.size() / 2;
        long firstPeak = samples.subList(0, half).stream().mapToLong(s -> s[1]).max().orElse(0);
        long secondPeak = samples.subList(half, samples.size()).stream().mapToLong(s -> s[1]).max().orElse(0);
        long growth = secondPeak - firstPeak;
        boolean memoryOk = growth <= rssSlackMb * 1_000_000;
        out.printf("arenas held %.1f MB (budget %.1f MB); RSS second-half peak %+.1f MB over the first half's%n",
                model.arenaCacheBytes() / 1e6, model.arenaCacheBudgetBytes() / 1e6, growth / 1e6);
        out.printf("mismatches: %d of %d runs%n", mismatches, total);
        boolean pass = mismatches == 0 && memoryOk;
        out.println("verdict: " + (pass ? "PASS" : "FAIL") + (mismatches > 0 ? " (outputs differ from "
                + "single-threaded runs)" : "") + (memoryOk ? "" : " (resident memory grew by more than "
                + rssSlackMb + " MB)"));
        return pass ? 0 : 1;
    }

    /** The --shape shapes with the batch dim set to {@code batch} where the model leaves it free. */
    private static Map<String, long[]> withBatch(Map<String, long[]> shapes, List<InputSpec> specs, long batch) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (InputSpec spec : specs) {
            long[] s = shapes.get(spec.name());
            if (s != null) {
                s = s.clone();
                s[0] = spec.shape()[0] == -1 ? batch : s[0];
                out.put(spec.name(), s);
            }
        }
        return out;
    }

    /** Every output's values, in the model's output order, one after the other. */
    private static float[] run(Model model, Map<String, float[]> data, Map<String, long[]> shapes) {
        Map<String, Tensor> x = new LinkedHashMap<>();
        Map<String, Tensor> y = Map.of();
        try {
            data.forEach((name, values) -> x.put(name, Tensor.of(values, shapes.get(name))));
            y = model.run(x);
            List<float[]> parts = new ArrayList<>();
            for (String id : model.description().outputs()) {
                parts.add(y.get(id).toFloatArray());
            }
            float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        } finally {
            x.values().forEach(Tensor::close);
            y.values().forEach(Tensor::close);
        }
    }

    /** VmRSS from /proc/self/status (Linux), or JavaCPP's physical-bytes estimate elsewhere. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: fall through
        }
        return Pointer.physicalBytes();
    }
}
