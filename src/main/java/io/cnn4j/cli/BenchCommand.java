package io.cnn4j.cli;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.model.Model;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bench MODEL [--batch N] [--iterations N]}: latency percentiles and throughput on random inputs. */
@Command(name = "bench", description = "Time the model on random inputs: latency percentiles and throughput")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "model .json (or single-file .safetensors)")
    Path modelPath;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "batch size")
    int batch;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "200", description = "timed runs")
    int iterations;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20", description = "untimed runs first")
    int warmup;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --iterations must be >= 1 and --warmup >= 0, got batch="
                    + batch + ", iterations=" + iterations + ", warmup=" + warmup);
        }
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try (Model model = Model.load(modelPath, Main.modelOptions())) {
            if (model.description().inputs().size() != 1) {
                throw new IllegalArgumentException("bench supports models with one input");
            }
            long[] shape = model.description().inputs().get(0).shape().clone();
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] == -1) {
                    shape[d] = batch;
                }
            }
            float[] data = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) random.nextDouble(-1, 1);
            }
            long[] nanos = new long[iterations];
            try (Tensor x = Tensor.of(data, shape)) {
                for (int i = 0; i < warmup + iterations; i++) {
                    long t0 = System.nanoTime();
                    model.run(x).close();
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
            }
            err.println();
            Arrays.sort(nanos);
            double totalSeconds = Arrays.stream(nanos).sum() / 1e9;
            out.printf("model %s, input %s, %d runs after %d warm-up%n", modelPath, Arrays.toString(shape),
                    iterations, warmup);
            out.printf("cnn4j kernels %s, OpenBLAS kernels %s, %d thread(s)%n", Cnn4j.isa(), Cnn4j.blasCoreName(),
                    Cnn4j.getNumThreads());
            String hint = Cnn4j.blasCoreHint();
            if (hint != null) {
                err.println("cnn4j: note: " + hint);
            }
            out.printf("latency ms: min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f%n", nanos[0] / 1e6,
                    percentile(nanos, 50), percentile(nanos, 90), percentile(nanos, 99), nanos[iterations - 1] / 1e6);
            out.printf("throughput: %.1f runs/s, %.1f samples/s%n", iterations / totalSeconds,
                    iterations * (double) batch / totalSeconds);
        }
        return 0;
    }

    private static double percentile(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
