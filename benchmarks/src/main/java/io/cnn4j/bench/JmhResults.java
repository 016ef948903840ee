package io.cnn4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JMH JSON results of {@link Conv2dBenchmark} and {@link ModelBenchmark}, as {@link Report} reads them: per
 * benchmark class, params -> runtime -> {@link Score}. Results of runs before the {@code blas} param existed count
 * as {@code blas=own}.
 */
final class JmhResults {
    private JmhResults() {}

    static final String[] RUNTIMES = {"cnn4j", "onnxruntime", "libtorch"};
    /** A multi-threaded run whose fastest call is this many times slower than with 1 thread is marked stalled. */
    static final int STALL_FACTOR = 2;
    static final String CONV = Conv2dBenchmark.class.getSimpleName();
    static final String MODELS = ModelBenchmark.class.getSimpleName();
    /** The time unit each benchmark reports in, as JMH writes it. */
    private static final Map<String, String> UNITS = Map.of(CONV, "us/op", MODELS, "ms/op");

    /** One measured (benchmark, params) point: median, fastest and mean time per call, and calls sampled. */
    record Score(double median, double min, double mean, long calls) {}

    /**
     * One table row: its label cells, its thread count, the score of each runtime, and the scores of the same
     * point with 1 thread (to mark stalls).
     */
    record Row(List<String> labels, int threads, Map<String, Score> scores, Map<String, Score> oneThread) {
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

        /**
         * cnn4j's latency over ORT's and over libtorch's (below 1: cnn4j is faster) from the median calls, then
         * the same two from the fastest calls.
         */
        double[] ratios() {
            Score cnn4j = score(0);
            Score ort = score(1);
            Score libtorch = score(2);
            return new double[] {cnn4j.median() / ort.median(), cnn4j.median() / libtorch.median(),
                    cnn4j.min() / ort.min(), cnn4j.min() / libtorch.min()};
        }
    }

    /**
     * The results of one benchmark class: params -> runtime -> score, one run's JSON (for the JMH and JVM
     * versions), and the distinct JMH settings of its runs in words.
     */
    record Results(Map<Map<String, String>, Map<String, Score>> scores, JsonNode anyRun, TreeSet<String> settings) {
        TreeSet<Integer> values(String param) {
            TreeSet<Integer> values = new TreeSet<>();
            scores.keySet().forEach(p -> values.add(Integer.parseInt(p.get(param))));
            return values;
        }

        /** The OpenBLAS settings measured, "own" first. */
        List<String> blasSettings() {
            TreeSet<String> settings = new TreeSet<>(java.util.Comparator.comparing(s -> !s.equals("own")));
            scores.keySet().forEach(p -> settings.add(p.get("blas")));
            return List.copyOf(settings);
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

    /** Reads JMH JSON result files into benchmark class -> results. */
    static Map<String, Results> read(List<Path> files) throws IOException {
        Map<String, Results> byBenchmark = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (Path file : files) {
            for (JsonNode run : json.readTree(file.toFile())) {
                String benchmark = run.get("benchmark").asText();
                String runtime = benchmark.substring(benchmark.lastIndexOf('.') + 1);
                String benchmarkClass = benchmark.substring(0, benchmark.lastIndexOf('.'));
                benchmarkClass = benchmarkClass.substring(benchmarkClass.lastIndexOf('.') + 1);
                JsonNode metric = run.get("primaryMetric");
                String unit = UNITS.get(benchmarkClass);
                if (unit == null || !"sample".equals(run.get("mode").asText())
                        || !unit.equals(metric.get("scoreUnit").asText())) {
                    throw new IllegalArgumentException(file + ": expected sample-time results of " + UNITS.keySet()
                            + " in " + UNITS.values() + ", got " + benchmark + " in mode " + run.get("mode") + ", "
                            + metric.get("scoreUnit"));
                }
                Map<String, String> params = new TreeMap<>();
                params.put("blas", "own");
                run.get("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
                JsonNode percentiles = metric.get("scorePercentiles");
                Results results = byBenchmark.computeIfAbsent(benchmarkClass,
                        c -> new Results(new HashMap<>(), run, new TreeSet<>()));
                results.settings().add(jmhSettings(run));
                results.scores().computeIfAbsent(params, p -> new TreeMap<>()).put(runtime,
                        new Score(percentiles.get("50.0").asDouble(), percentiles.get("0.0").asDouble(),
                                metric.get("score").asDouble(), calls(metric)));
            }
        }
        return byBenchmark;
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

    /** A run's JMH settings in words. */
    static String jmhSettings(JsonNode run) {
        return run.get("forks").asInt() + " fork per (row, runtime), " + run.get("warmupIterations").asInt()
                + " x " + run.get("warmupTime").asText() + " warmup, " + run.get("measurementIterations").asInt()
                + " x " + run.get("measurementTime").asText() + " measurement, mode " + run.get("mode").asText()
                + ", JVM args " + run.get("jvmArgs");
    }

    static double geometricMean(List<double[]> rows, int column) {
        double logSum = 0;
        for (double[] r : rows) {
            logSum += Math.log(r[column]);
        }
        return Math.exp(logSum / rows.size());
    }
}
