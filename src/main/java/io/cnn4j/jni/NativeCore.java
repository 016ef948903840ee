package io.cnn4j.jni;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.openblas.presets.openblas_nolapack;

/**
 * The JNI face of the native core ({@code native/cnn4j.h}): one Java method per C function, nothing else.
 *
 * <p>Callers are the op classes in {@code io.cnn4j.ops}; they validate every shape and argument first and turn a
 * non-zero status into an exception through {@link #check}. Geometry arrays ({@code window}) are 18 longs in the
 * field order of {@code cnn4j_window}. Nothing here allocates; workspaces are the caller's.
 */
@Properties(inherit = openblas_nolapack.class,
        value = @Platform(include = "cnn4j.h", link = "cnn4j_core", library = "jnicnn4j"))
public final class NativeCore {
    /** The thread pool's size until Cnn4j.setNumThreads changes it: the processors the JVM sees, at most 16. */
    public static final int DEFAULT_THREADS = Math.min(16, Runtime.getRuntime().availableProcessors());

    /** Why the natives did not load on this platform, or null: thrown by every {@link #load()}. */
    private static final MissingNativeLibraryError LOAD_PROBLEM;

    /** Why the requested instruction set could not be used, or null: reported by every {@link #load()}. */
    private static final String ISA_PROBLEM;

    static {
        LOAD_PROBLEM = loadLibraries();
        if (LOAD_PROBLEM == null) {
            ISA_PROBLEM = applyRequestedIsa();
            cnn4j_set_num_threads(DEFAULT_THREADS);
        } else {
            ISA_PROBLEM = null;
        }
    }

    /** Loads OpenBLAS's and cnn4j's JNI libraries; null, or the one-line reason they did not load. */
    private static MissingNativeLibraryError loadLibraries() {
        try {
            Loader.load();
            return null;
        } catch (UnsatisfiedLinkError e) {
            String platform = Loader.getPlatform();
            ClassLoader classes = NativeCore.class.getClassLoader();
            String message = NativeLibraries.explain(platform, resource -> classes.getResource(resource) != null,
                    e.getMessage(), version("openblas"), version("javacpp"));
            MissingNativeLibraryError error = new MissingNativeLibraryError(platform, message);
            error.initCause(e);
            return error;
        }
    }

    private static String version(String artifact) {
        try {
            return Loader.getVersion("org.bytedeco", artifact);
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    private NativeCore() {}

    public static final int OK = 0;
    /** cnn4j_winograd_forward: the input holds NaN or Inf, the output is not written; run the exact path. */
    public static final int NONFINITE_INPUT = 1;

    /** The system property that forces the kernels' instruction set (as the environment variable CNN4J_ISA). */
    public static final String ISA_PROPERTY = "cnn4j.isa";

    /**
     * Loads the native libraries (OpenBLAS, then cnn4j's); idempotent.
     *
     * @throws MissingNativeLibraryError if this platform's natives are not on the class path (its message names the
     *                                   platform and what to add), at every call
     * @throws IllegalStateException if {@code -Dcnn4j.isa} or {@code CNN4J_ISA} names an instruction set that this
     *                               build or CPU lacks (the user asked for it: running other kernels would hide it)
     */
    public static void load() {
        if (LOAD_PROBLEM != null) {
            MissingNativeLibraryError error = new MissingNativeLibraryError(LOAD_PROBLEM.platform(),
                    LOAD_PROBLEM.getMessage());
            error.initCause(LOAD_PROBLEM.getCause());
            throw error;
        }
        if (ISA_PROBLEM != null) {
            throw new IllegalStateException(ISA_PROBLEM);
        }
    }

    /** The instruction sets this build has kernels for and this CPU runs, narrowest first. */
    public static java.util.List<String> supportedIsas() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; cnn4j_isa_name(i) != null; i++) {
            if (cnn4j_isa_supported(cnn4j_isa_name(i)) == 1) {
                names.add(cnn4j_isa_name(i));
            }
        }
        return names;
    }

    private static String applyRequestedIsa() {
        String property = System.getProperty(ISA_PROPERTY);
        String requested = property != null ? property : System.getenv("CNN4J_ISA");
        if (requested == null || requested.isEmpty() || cnn4j_isa_select(requested) == OK) {
            return null;
        }
        return (property != null ? "-D" + ISA_PROPERTY + "=" : "CNN4J_ISA=") + requested + " names no instruction "
                + "set cnn4j can use here; this build and CPU support " + supportedIsas() + " (unset it to use the "
                + "best one)";
    }

    /** Turns a native status into an exception; the core only fails on arguments Java should have refused. */
    public static void check(int status, String function) {
        if (status != OK) {
            throw new IllegalStateException("cnn4j native " + function + " refused its arguments (status " + status
                    + "); this is a bug in cnn4j's validation, please report it");
        }
    }

    // ---- threads ----
    public static native @Cast("const char*") String cnn4j_isa_active();

    public static native @Cast("const char*") String cnn4j_isa_name(int index);

    public static native int cnn4j_isa_supported(String name);

    public static native int cnn4j_isa_select(String name);

    // ---- memory: through jni/NativeMemory only ----
    static native @Cast("intptr_t") long cnn4j_alloc(long bytes);

    static native void cnn4j_free(@Cast("void*") long memory);

    public static native void cnn4j_set_num_threads(int threads);

    public static native int cnn4j_get_num_threads();

    public static native void cnn4j_set_thread_alone(int alone);

    public static native @Cast("const char*") String cnn4j_blas_core_name();

    // ---- im2col / col2im ----
    public static native int cnn4j_im2col(@Cast("const int64_t*") long[] window, long channels,
            @Const FloatPointer image, FloatPointer columns);

    public static native int cnn4j_col2im(@Cast("const int64_t*") long[] window, long channels,
            @Const FloatPointer columns, FloatPointer image);

    // ---- convolution ----
    public static native long cnn4j_conv_workspace_size(@Cast("const int64_t*") long[] window, long inChannels,
            long outChannels, long groups);

    public static native long cnn4j_conv_packed_weight_size(long outChannels, long inChannels, long groups,
            long kernelVolume);

    public static native int cnn4j_conv_pack_weights(long outChannels, long inChannels, long groups,
            long kernelVolume, @Const FloatPointer weight, FloatPointer packed);

    public static native int cnn4j_conv_forward(@Cast("const int64_t*") long[] window, long batch, long inChannels,
            long outChannels, long groups, @Const FloatPointer input, @Const FloatPointer weight,
            @Const FloatPointer bias, int actKind, float actAlpha, @Const FloatPointer residual, FloatPointer output,
            FloatPointer workspace, long workspaceSlots);

    // ---- expansion + depthwise convolution ----
    public static native long cnn4j_expand_depthwise_workspace_size(@Cast("const int64_t*") long[] dwWindow);

    public static native int cnn4j_expand_depthwise_forward(@Cast("const int64_t*") long[] dwWindow, long batch,
            long inChannels, long midChannels, @Const FloatPointer input, @Const FloatPointer expandWeight,
            @Const FloatPointer expandBias, int expandAct, float expandAlpha, @Const FloatPointer dwWeight,
            @Const FloatPointer dwBias, int dwAct, float dwAlpha, FloatPointer output, FloatPointer workspace,
            long workspaceSlots);

    // ---- depthwise + pointwise convolution ----
    public static native long cnn4j_depthwise_pointwise_workspace_size(@Cast("const int64_t*") long[] dwWindow,
            long channels);

    public static native int cnn4j_depthwise_pointwise_forward(@Cast("const int64_t*") long[] dwWindow, long batch,
            long channels, long outChannels, @Const FloatPointer input, @Const FloatPointer dwWeight,
            @Const FloatPointer dwBias, int dwAct, float dwAlpha, @Const FloatPointer pwWeight,
            @Const FloatPointer pwBias, int pwAct, float pwAlpha, FloatPointer output, FloatPointer workspace,
            long workspaceSlots);

    public static native long cnn4j_conv_transpose_workspace_size(@Cast("const int64_t*") long[] window,
            long outChannels, long groups);

    public static native int cnn4j_conv_transpose_forward(@Cast("const int64_t*") long[] window, long batch,
            long inChannels, long outChannels, long groups, @Const FloatPointer input, @Const FloatPointer weight,
            @Const FloatPointer bias, FloatPointer output, FloatPointer workspace);

    // ---- Winograd convolution ----
    public static native long cnn4j_winograd_weight_size(int tile, long outChannels, long inChannels, long groups);

    public static native int cnn4j_winograd_transform_weights(int tile, long outChannels, long inChannels,
            long groups, @Const FloatPointer weight, FloatPointer transformed);

    public static native long cnn4j_winograd_workspace_size(int tile, @Cast("const int64_t*") long[] window,
            long batch, long inChannels, long outChannels, long groups);

    public static native int cnn4j_winograd_forward(int tile, @Cast("const int64_t*") long[] window, long batch,
            long inChannels, long outChannels, long groups, @Const FloatPointer input,
            @Const FloatPointer transformedWeight, @Const FloatPointer bias, int actKind, float alpha,
            @Const FloatPointer residual, FloatPointer output, FloatPointer workspace);

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
            @Const FloatPointer input, @Const FloatPointer weight, @Const FloatPointer bias, int actKind,
            float actAlpha, FloatPointer output);

    public static native int cnn4j_batch_norm_forward(long batch, long channels, long spatial,
            @Const FloatPointer input, @Const FloatPointer mean, @Const FloatPointer var,
            @Const FloatPointer weight, @Const FloatPointer bias, float eps, FloatPointer output);

    // ---- element-wise ----
    public static final int ACT_IDENTITY = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_LEAKY_RELU = 3, ACT_ELU = 4,
            ACT_GELU = 5, ACT_GELU_TANH = 6, ACT_SILU = 7, ACT_SIGMOID = 8, ACT_TANH = 9, ACT_HARDSWISH = 10,
            ACT_HARDSIGMOID = 11;

    public static native int cnn4j_activation_forward(int kind, float alpha, long count,
            @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_activation_epilogue(int kind, float alpha, long rows, long cols,
            @Const FloatPointer bias, @Const FloatPointer residual, FloatPointer output);

    public static native int cnn4j_softmax_forward(int log, long outer, long dim, long inner,
            @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_add_forward(long count, @Const FloatPointer a, @Const FloatPointer b,
            FloatPointer output);

    public static native int cnn4j_copy_into(long outer, long inner, @Const FloatPointer input, long outputInner,
            long offset, FloatPointer output);

    public static final int BINARY_ADD = 0;
    public static final int BINARY_SUB = 1;
    public static final int BINARY_MUL = 2;
    public static final int BINARY_DIV = 3;
    public static final int BINARY_MAXIMUM = 4;
    public static final int BINARY_MINIMUM = 5;
    public static final int BINARY_POW = 6;
    public static final int BINARY_GT = 7;
    public static final int BINARY_GE = 8;
    public static final int BINARY_LT = 9;
    public static final int BINARY_LE = 10;
    public static final int BINARY_EQ = 11;
    public static final int BINARY_FMOD = 12;
    public static final int BINARY_REMAINDER = 13;

    public static native int cnn4j_binary_forward(int op, int rank, @Cast("const int64_t*") long[] shape,
            @Const FloatPointer a, @Cast("const int64_t*") long[] aStrides, @Const FloatPointer b,
            @Cast("const int64_t*") long[] bStrides, FloatPointer output);

    public static native int cnn4j_where_forward(int rank, @Cast("const int64_t*") long[] shape,
            @Const FloatPointer condition, @Cast("const int64_t*") long[] cStrides, @Const FloatPointer a,
            @Cast("const int64_t*") long[] aStrides, @Const FloatPointer b, @Cast("const int64_t*") long[] bStrides,
            FloatPointer output);

    public static final int UNARY_NEG = 0;
    public static final int UNARY_ABS = 1;
    public static final int UNARY_SQRT = 2;
    public static final int UNARY_EXP = 3;
    public static final int UNARY_LOG = 4;

    public static final int UNARY_SOFTPLUS = 5;
    public static final int UNARY_MISH = 6;
    public static final int UNARY_SELU = 7;
    public static final int UNARY_CELU = 8;
    public static final int UNARY_SOFTSIGN = 9;
    public static final int UNARY_LOGSIGMOID = 10;
    public static final int UNARY_HARDTANH = 11;
    public static final int UNARY_FLOOR = 12;
    public static final int UNARY_CEIL = 13;
    public static final int UNARY_ROUND = 14;
    public static final int UNARY_SIGN = 15;
    public static final int UNARY_ERF = 16;

    public static native int cnn4j_unary_math_forward(int op, float p0, float p1, long count,
            @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_prelu_forward(long outer, long channels, long inner, @Const FloatPointer weight,
            @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_norm_forward(long outer, long groups, long groupChannels, long inner, double eps,
            @Const FloatPointer weight, @Const FloatPointer bias, @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_resize_forward(int dims, long planes, @Cast("const int64_t*") long[] inSize,
            @Cast("const int64_t*") long[] outSize, @Cast("const int64_t*") long[] taps,
            @Cast("const int64_t*") long[] index, float[] weight, @Const FloatPointer input,
            FloatPointer output);

    public static native int cnn4j_strided_copy(int rank, @Cast("const int64_t*") long[] shape,
            @Cast("const int64_t*") long[] inStrides, long offset, @Const FloatPointer input, FloatPointer output);

    public static final int REDUCE_SUM = 0;
    public static final int REDUCE_MEAN = 1;
    public static final int REDUCE_MAX = 2;
    public static final int REDUCE_MIN = 3;

    public static native int cnn4j_reduce_forward(int op, int outRank, @Cast("const int64_t*") long[] outShape,
            @Cast("const int64_t*") long[] outStrides, int redRank, @Cast("const int64_t*") long[] redShape,
            @Cast("const int64_t*") long[] redStrides, @Const FloatPointer input, FloatPointer output);

    public static native int cnn4j_matmul_forward(long batches, @Cast("const int64_t*") long[] aOffsets,
            @Cast("const int64_t*") long[] bOffsets, long m, long n, long k, int transA, int transB, float alpha,
            @Const FloatPointer a, @Const FloatPointer b, FloatPointer output);

    public static native int cnn4j_max_unpool_forward(@Cast("const int64_t*") long[] window, long planes,
            @Const FloatPointer poolInput, @Const FloatPointer values, long outPlane, FloatPointer output,
            FloatPointer workspace);

    public static native int cnn4j_max_pool_indices_forward(@Cast("const int64_t*") long[] window, long planes,
            @Const FloatPointer input, int perTensor, FloatPointer output, FloatPointer workspace);
}
