package io.cnn4j.jni;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.openblas.presets.openblas;

/**
 * The JNI face of the native core ({@code native/cnn4j.h}): one Java method per C function, nothing else.
 *
 * <p>Callers are the op classes in {@code io.cnn4j.ops}; they validate every shape and argument first and turn a
 * non-zero status into an exception through {@link #check}. Geometry arrays ({@code window}) are 18 longs in the
 * field order of {@code cnn4j_window}. Nothing here allocates; workspaces are the caller's.
 */
@Properties(inherit = openblas.class,
        value = @Platform(include = "cnn4j.h", link = "cnn4j_core", library = "jnicnn4j"))
public final class NativeCore {
    static {
        Loader.load();
    }

    private NativeCore() {}

    public static final int OK = 0;

    /** Loads the native libraries (OpenBLAS, then cnn4j's); idempotent. */
    public static void load() {
        // The static initializer above does the work; this method only makes it happen at a chosen time.
    }

    /** Turns a native status into an exception; the core only fails on arguments Java should have refused. */
    public static void check(int status, String function) {
        if (status != OK) {
            throw new IllegalStateException("cnn4j native " + function + " refused its arguments (status " + status
                    + "); this is a bug in cnn4j's validation, please report it");
        }
    }

    // ---- threads ----
    public static native void cnn4j_set_num_threads(int threads);

    public static native int cnn4j_get_num_threads();

    public static native @Cast("const char*") String cnn4j_blas_core_name();

    // ---- im2col / col2im ----
    public static native int cnn4j_im2col(@Cast("const int64_t*") long[] window, long channels,
            @Const FloatPointer image, FloatPointer columns);

    public static native int cnn4j_col2im(@Cast("const int64_t*") long[] window, long channels,
            @Const FloatPointer columns, FloatPointer image);

    // ---- convolution ----
    public static native long cnn4j_conv_workspace_size(@Cast("const int64_t*") long[] window, long inChannels,
            long groups);

    public static native int cnn4j_conv_forward(@Cast("const int64_t*") long[] window, long batch, long inChannels,
            long outChannels, long groups, @Const FloatPointer input, @Const FloatPointer weight,
            @Const FloatPointer bias, FloatPointer output, FloatPointer workspace);

    public static native long cnn4j_conv_transpose_workspace_size(@Cast("const int64_t*") long[] window,
            long outChannels, long groups);

    public static native int cnn4j_conv_transpose_forward(@Cast("const int64_t*") long[] window, long batch,
            long inChannels, long outChannels, long groups, @Const FloatPointer input, @Const FloatPointer weight,
            @Const FloatPointer bias, FloatPointer output, FloatPointer workspace);

    // ---- padding ----
    public static native int cnn4j_pad(int mode, float value, long planes, @Cast("const int64_t*") long[] inSize,
            @Cast("const int64_t*") long[] padBegin, @Cast("const int64_t*") long[] padEnd,
            @Const FloatPointer input, FloatPointer output);

    // ---- pooling ----
    public static native int cnn4j_max_pool_forward(@Cast("const int64_t*") long[] window, long planes,
            @Const FloatPointer input, FloatPointer output, @Cast("int64_t*") LongPointer indices);

    public static native int cnn4j_avg_pool_forward(@Cast("const int64_t*") long[] window, long planes,
            int countIncludePad, long divisorOverride, @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_lp_pool_forward(@Cast("const int64_t*") long[] window, long planes,
            float normType, @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_adaptive_avg_pool_forward(@Cast("const int64_t*") long[] inSize,
            @Cast("const int64_t*") long[] outSize, long planes, @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_adaptive_max_pool_forward(@Cast("const int64_t*") long[] inSize,
            @Cast("const int64_t*") long[] outSize, long planes, @Const FloatPointer input, FloatPointer output,
            @Cast("int64_t*") LongPointer indices);

    // ---- dense ----
    public static native int cnn4j_linear_forward(long rows, long inFeatures, long outFeatures,
            @Const FloatPointer input, @Const FloatPointer weight, @Const FloatPointer bias, FloatPointer output);

    public static native int cnn4j_batch_norm_forward(long batch, long channels, long spatial,
            @Const FloatPointer input, @Const FloatPointer mean, @Const FloatPointer var,
            @Const FloatPointer weight, @Const FloatPointer bias, float eps, FloatPointer output);

    // ---- element-wise ----
    public static final int ACT_IDENTITY = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_LEAKY_RELU = 3, ACT_ELU = 4,
            ACT_GELU = 5, ACT_GELU_TANH = 6, ACT_SILU = 7, ACT_SIGMOID = 8, ACT_TANH = 9, ACT_HARDSWISH = 10,
            ACT_HARDSIGMOID = 11;

    public static native int cnn4j_activation_forward(int kind, float alpha, long count,
            @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_softmax_forward(int log, long outer, long dim, long inner,
            @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_add_forward(long count, @Const FloatPointer a, @Const FloatPointer b,
            FloatPointer output);

    public static native int cnn4j_copy_into(long outer, long inner, @Const FloatPointer input, long outputInner,
            long offset, FloatPointer output);
}
