package io.cnn4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * run.sh's quick mode: for engineers iterating on kernels, the whole-model latency ratios in a minute or two
 * instead of JMH's forks. One JVM; per model it sets up {@link ModelBenchmark} as a JMH fork does (all three
 * runtimes on the same weights, outputs checked against libtorch's before anything is timed), warms each runtime up,
 * then times rounds that alternate the runtimes, so that a process that takes a core for a while slows all three
 * alike. Prints median milliseconds per call and the latency ratios cnn4j/ORT and cnn4j/libtorch (below 1: cnn4j is
 * faster), from the median calls and, in parentheses, from the fastest calls. Not written to the report: the JMH
 * runs are the record.
 *
 * <p>With {@code -Dquick.clock=cpu} (run.sh: {@code QUICK_CLOCK=cpu}) each call is timed by the calling thread's CPU
 * time instead of the wall clock: on a machine busy with other work, time spent preempted is not counted, so the
 * ratios stay usable (cache and memory contention still count). One thread only: at one intra-op thread each runtime
 * computes on the calling thread, which is what makes its CPU time the call's work.
 *
 * <p>usage: {@code Quick <seconds per runtime> <batch> <threads> <own|machine> MODEL...}
 */
public final class Quick {
    private Quick() {}

    private static final ThreadMXBean THREAD_CLOCK = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_CLOCK = "cpu".equals(System.getProperty("quick.clock", "wall"));

    /** Now, by the clock calls are timed with (nanoseconds). */
    private static long clock() {
        return CPU_CLOCK ? THREAD_CLOCK.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private interface Call {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: Quick <seconds per runtime> <batch> <threads> <own|machine> MODEL...");
            System.exit(2);
        }
        double seconds = Double.parseDouble(args[0]);
        int batch = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        String blas = args[3];
        if (CPU_CLOCK && threads != 1) {
            System.err.println("Quick: -Dquick.clock=cpu times the calling thread only: use 1 thread");
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "%-16s %5s %3s %10s %10s %11s %14s %14s%n", "model", "batch", "thr",
                "cnn4j ms", "ORT ms", "libtorch ms", "cnn4j/ORT", "cnn4j/libtorch");
        for (String name : Arrays.asList(args).subList(4, args.length)) {
            ModelBenchmark b = new ModelBenchmark();
            b.model = BenchModel.valueOf(name);
            b.batch = batch;
            b.threads = threads;
            b.blas = blas;
            b.setUp();
            b.enterIteration();
            try {
                Call[] calls = {b::cnn4j, b::onnxruntime, b::libtorch};
                double[][] times = measure(calls, seconds);
                double[] median = new double[3];
                double[] fastest = new double[3];
                for (int r = 0; r < 3; r++) {
                    Arrays.sort(times[r]);
                    median[r] = times[r][times[r].length / 2];
                    fastest[r] = times[r][0];
                }
                System.out.printf(Locale.ROOT, "%-16s %5d %3d %10s %10s %11s %14s %14s   (%d/%d/%d calls)%n",
                        b.model.title, batch, threads, Report.milliseconds(median[0]),
                        Report.milliseconds(median[1]), Report.milliseconds(median[2]),
                        String.format(Locale.ROOT, "%.2f (%.2f)", median[0] / median[1], fastest[0] / fastest[1]),
                        String.format(Locale.ROOT, "%.2f (%.2f)", median[0] / median[2], fastest[0] / fastest[2]),
                        times[0].length, times[1].length, times[2].length);
            } finally {
                b.leaveIteration();
                b.tearDown();
            }
        }
    }

    /**
     * Per runtime the milliseconds of each timed call: a warm-up of a fifth of the time each, then rounds of about
     * 0.2 s (at least one call) per runtime in turn until each has had {@code seconds}.
     */
    private static double[][] measure(Call[] calls, double seconds) throws Exception {
        for (Call call : calls) {
            timeFor(call, seconds / 5, null);
        }
        List<List<Double>> times = new ArrayList<>();
        double[] spent = new double[calls.length];
        for (int r = 0; r < calls.length; r++) {
            times.add(new ArrayList<>());
        }
        boolean more = true;
        while (more) {
            more = false;
            for (int r = 0; r < calls.length; r++) {
                if (spent[r] < seconds) {
                    spent[r] += timeFor(calls[r], 0.2, times.get(r));
                    more = true;
                }
            }
        }
        double[][] result = new double[calls.length][];
        for (int r = 0; r < calls.length; r++) {
            result[r] = times.get(r).stream().mapToDouble(Double::doubleValue).toArray();
        }
        return result;
    }

    /** Calls {@code call} for about {@code seconds} (at least once), adding each call's ms; returns the seconds. */
    private static double timeFor(Call call, double seconds, List<Double> into) throws Exception {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            long t = clock();
            call.run();
            long spent = clock() - t;
            now = System.nanoTime();
            if (into != null) {
                into.add(spent / 1e6);
            }
        } while (now < end);
        return (now - start) / 1e9;
    }
}
