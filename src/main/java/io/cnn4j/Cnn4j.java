package io.cnn4j;

import io.cnn4j.jni.NativeCore;

/**
 * Process-wide settings of the runtime.
 *
 * <p>Threads: cnn4j runs each op on its own thread pool (the calling thread plus {@code getNumThreads() - 1}
 * workers); OpenBLAS is kept single-threaded inside it, so the two never compete for cores. By default the pool has
 * as many threads as the JVM sees processors (at most 16). When several Java threads run models at once, only one
 * of them uses the pool at a time and the others run on their own thread, so a busy server never has more
 * runnable threads than its callers plus the pool. Set 1 when the application already runs models in parallel
 * on every core.
 *
 * <p>Instruction set: see {@link #isa()}.
 */
public final class Cnn4j {
    private Cnn4j() {}

    /** Most threads the pool takes ({@link #setNumThreads}): far more than a CPU's cores helps no op. */
    public static final int MAX_THREADS = 256;

    /** Sets the threads one op may use; {@code threads} must be 1 to {@link #MAX_THREADS}. */
    public static void setNumThreads(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("setNumThreads: threads must be 1 to " + MAX_THREADS + ", got threads="
                    + threads);
        }
        NativeCore.load();
        NativeCore.cnn4j_set_num_threads(threads);
    }

    /**
     * The CPU kernels OpenBLAS chose when it loaded (e.g. "Haswell", "SkylakeX"). It decides most of the speed of
     * convolutions and linear layers; the environment variable {@code OPENBLAS_CORETYPE}, set before the JVM starts,
     * overrides the choice.
     */
    public static String blasCoreName() {
        NativeCore.load();
        return NativeCore.cnn4j_blas_core_name();
    }

    /**
     * A hint when OpenBLAS chose kernels narrower than the CPU offers (AVX2 kernels on an AVX-512 CPU, which happens on
     * some AMD and virtualized CPUs), or null. Reads the CPU flags from /proc/cpuinfo (Linux).
     */
    public static String blasCoreHint() {
        String core = blasCoreName();
        if (core == null || core.toLowerCase(java.util.Locale.ROOT).matches(".*(skylakex|cooperlake|sapphirerapids).*")) {
            return null;
        }
        try {
            java.nio.file.Path cpuinfo = java.nio.file.Path.of("/proc/cpuinfo");
            if (!java.nio.file.Files.isReadable(cpuinfo)) {
                return null;
            }
            for (String line : java.nio.file.Files.readAllLines(cpuinfo)) {
                if (line.startsWith("flags")) {
                    java.util.List<String> flags = java.util.Arrays.asList(line.split("\\s+"));
                    if (flags.containsAll(java.util.List.of("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"))) {
                        return "OpenBLAS chose its " + core + " kernels on a CPU with AVX-512; starting the JVM with "
                                + "OPENBLAS_CORETYPE=SKYLAKEX may make convolutions markedly faster";
                    }
                    return null;
                }
            }
        } catch (java.io.IOException e) {
            return null;
        }
        return null;
    }

    /**
     * The instruction set of cnn4j's own kernels in use: "avx512", "avx2", "neon" or "scalar". By default the widest
     * this CPU supports; {@code -Dcnn4j.isa=NAME} or the environment variable {@code CNN4J_ISA} force one at start.
     */
    public static String isa() {
        NativeCore.load();
        return NativeCore.cnn4j_isa_active();
    }

    /** The instruction sets this build and CPU support, narrowest ("scalar", the reference) first. */
    public static java.util.List<String> supportedIsas() {
        NativeCore.load();
        return NativeCore.supportedIsas();
    }

    /**
     * Makes cnn4j's kernels use {@code name} from now on, process-wide (ops already running finish with the kernels
     * they started with). For comparing variants and for the exact scalar reference; results of every variant agree
     * with the scalar one within each kernel's stated tolerance.
     *
     * @throws IllegalArgumentException if this build or CPU does not support {@code name}
     */
    public static void setIsa(String name) {
        NativeCore.load();
        if (name == null || NativeCore.cnn4j_isa_select(name) != NativeCore.OK) {
            throw new IllegalArgumentException("setIsa: '" + name + "' is not an instruction set cnn4j can use here; "
                    + "this build and CPU support " + NativeCore.supportedIsas());
        }
    }

    /** The threads one op may use. */
    public static int getNumThreads() {
        NativeCore.load();
        return NativeCore.cnn4j_get_num_threads();
    }
}
