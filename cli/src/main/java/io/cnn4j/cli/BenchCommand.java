package io.cnn4j.cli;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription.InputSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bench MODEL [--batch N | --shape [NAME=]DIMS] [--iterations N]}: latency percentiles and throughput on random
 * inputs; {@code --profile} adds a per-layer table.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time the model on random inputs: latency percentiles and throughput")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = Main.MODEL_HELP)
    Path modelPath;

    @Option(names = "--batch", paramLabel = "N", description = "batch size (default: 1)")
    Long batch;

    @Option(names = "--shape", paramLabel = "[NAME=]DIMS", description = Main.SHAPE_HELP)
    List<String> shapes = new ArrayList<>();

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "200", description = "timed runs")
    int iterations;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20", description = "untimed runs first")
    int warmup;

    @Option(names = "--profile", description = "After the timed runs, as many runs again timing each layer: prints "
            + "every layer's median and fastest time, share of the run and multiply-accumulate rate")
    boolean profile;

    @Override
    public Integer call() throws Exception {
        if (iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("--iterations must be >= 1 and --warmup >= 0, got iterations="
                    + iterations + ", warmup=" + warmup);
        }
        long n = Main.checkBatch(batch, shapes);
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        FileChecks.model(modelPath);
        try (Model model = Model.load(modelPath, Main.modelOptions())) {
            List<InputSpec> specs = model.description().inputs();
            Map<String, long[]> inputShapes = InputShapes.resolve(InputShapes.parse(shapes, specs), specs, n);
            Map<String, Tensor> inputs = randomInputs(inputShapes);
            long[] nanos = new long[iterations];
            long[][] layerNanos = null; // per profiled run, per layer
            long[] profiledNanos = null; // per profiled run, the whole run
            try {
                for (int i = 0; i < warmup + iterations; i++) {
                    long t0 = System.nanoTime();
                    model.run(inputs).values().forEach(Tensor::close);
                    long t = System.nanoTime() - t0;
                    if (i >= warmup) {
                        nanos[i - warmup] = t;
                    }
                    if ((i + 1) % Math.max(1, (warmup + iterations) / 20) == 0 || i + 1 == warmup + iterations) {
                        err.printf("\r%s %d/%d runs", i < warmup ? "warming up" : "timing    ", i + 1,
                                warmup + iterations);
                        err.flush();
                    }
                }
                if (profile) {
                    layerNanos = new long[iterations][model.description().layers().size()];
                    profiledNanos = new long[iterations];
                    for (int i = 0; i < iterations; i++) {
                        long t0 = System.nanoTime();
                        model.run(inputs, layerNanos[i]).values().forEach(Tensor::close);
                        profiledNanos[i] = System.nanoTime() - t0;
                    }
                }
            } finally {
                inputs.values().forEach(Tensor::close);
            }
            err.println();
            Arrays.sort(nanos);
            double totalSeconds = Arrays.stream(nanos).sum() / 1e9;
            long samples = inputShapes.values().iterator().next()[0];
            out.printf("model %s, input %s, %d runs after %d warm-up%n", modelPath,
                    InputShapes.describe(inputShapes), iterations, warmup);
            out.printf("cnn4j kernels %s, OpenBLAS kernels %s, %d thread(s)%n", Cnn4j.isa(), Cnn4j.blasCoreName(),
                    Cnn4j.getNumThreads());
            String note = blasNote(System.getenv("OPENBLAS_CORETYPE"), Cnn4j.blasCoreHint());
            if (note != null) {
                err.println("cnn4j: note: " + note);
            }
            out.printf("latency ms: min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f%n", nanos[0] / 1e6,
                    percentile(nanos, 50), percentile(nanos, 90), percentile(nanos, 99), nanos[iterations - 1] / 1e6);
            out.printf("throughput: %.1f runs/s, %.1f samples/s%n", iterations / totalSeconds,
                    iterations * (double) samples / totalSeconds);
            if (layerNanos != null) {
                LayerProfile.print(out, model, inputShapes, layerNanos, profiledNanos);
            }
        }
        return 0;
    }

    /**
     * What to say about OpenBLAS's kernel choice: the hint to try {@code OPENBLAS_CORETYPE} only when the user has not
     * set it; a user who set it chose on purpose, and is told only what it is set to.
     */
    static String blasNote(String coreTypeEnv, String hint) {
        if (coreTypeEnv != null && !coreTypeEnv.isBlank()) {
            return "OPENBLAS_CORETYPE=" + coreTypeEnv + " is set: OpenBLAS uses the kernels it names";
        }
        return hint;
    }

    /** Uniform random values in [-1, 1), the same on every run of the command. */
    static Map<String, Tensor> randomInputs(Map<String, long[]> shapes) {
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            float[] data = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) random.nextDouble(-1, 1);
            }
            inputs.put(name, Tensor.of(data, shape));
        });
        return inputs;
    }

    private static double percentile(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
