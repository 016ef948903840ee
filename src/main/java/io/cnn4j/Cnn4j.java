package io.cnn4j;

import io.cnn4j.jni.NativeCore;

/**
 * Process-wide settings of the runtime. Threads: how many threads one op may use inside its matrix products
 * (OpenBLAS's pool, shared by the whole process, as OpenBLAS has no per-call setting). Ops called from several Java
 * threads at once each still compute correctly; set 1 here when the application already runs ops in parallel.
 */
public final class Cnn4j {
    private Cnn4j() {}

    /** Sets the threads one op may use; {@code threads} must be at least 1. */
    public static void setNumThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("setNumThreads: threads must be at least 1, got threads=" + threads);
        }
        NativeCore.load();
        NativeCore.cnn4j_set_num_threads(threads);
    }

    /** The threads one op may use. */
    public static int getNumThreads() {
        NativeCore.load();
        return NativeCore.cnn4j_get_num_threads();
    }
}
