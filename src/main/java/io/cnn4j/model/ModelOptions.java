package io.cnn4j.model;

/**
 * How a model is loaded. Immutable; {@link #DEFAULT} is what {@link Model#load(java.nio.file.Path)} uses.
 *
 * <pre>{@code
 * Model exact = Model.load(path, ModelOptions.DEFAULT.withExactConvolutions(true));
 * }</pre>
 */
public final class ModelOptions {
    /**
     * {@link #arenaCacheBytes()} for the automatic budget: the largest arena the model has made times the larger of
     * 4 and the most runs it has seen in flight at once.
     */
    public static final long AUTO_ARENA_CACHE = -1;

    /** The system property that sets {@link #arenaCacheBytes()} where the code does not: bytes, or {@code auto}. */
    public static final String ARENA_CACHE_PROPERTY = "cnn4j.arenaCacheBytes";

    /**
     * The fastest algorithm per layer shape (Winograd where measured faster); the arena budget of the system property
     * {@value #ARENA_CACHE_PROPERTY}, or automatic.
     */
    public static final ModelOptions DEFAULT = new ModelOptions(false, null, false);

    private final boolean exactConvolutions;
    private final Long arenaCacheBytes; // null: the system property's, or automatic
    private final boolean rawWeightsKept;

    private ModelOptions(boolean exactConvolutions, Long arenaCacheBytes, boolean rawWeightsKept) {
        this.exactConvolutions = exactConvolutions;
        this.arenaCacheBytes = arenaCacheBytes;
        this.rawWeightsKept = rawWeightsKept;
    }

    /**
     * Whether every convolution runs the exact im2col + GEMM path (a float32 dot product per output, as PyTorch's
     * CPU convolution), never Winograd, whose results differ from it by up to a few 1e-5 of the output's scale.
     */
    public boolean exactConvolutions() {
        return exactConvolutions;
    }

    public ModelOptions withExactConvolutions(boolean exact) {
        return new ModelOptions(exact, arenaCacheBytes, rawWeightsKept);
    }

    /**
     * Whether convolutions keep their raw weights in memory for the model's life. By default (false), a model loaded
     * from files ({@link Model#load(java.nio.file.Path)} of a model JSON with its .safetensors or PyTorch weights, or
     * of a single-file .safetensors model) frees a convolution's raw weights once it has made the forms it runs (the
     * weights packed for im2col, Winograd's transforms), and reads them again from the weights file only to make
     * another: for an input shape that picks another algorithm, or the first input holding NaN or Inf on a Winograd
     * layer. ResNet-18 then holds 45 MB less. Such a re-read needs the weights file in place and unchanged: a
     * changed or missing file fails that run with an IllegalStateException saying so (the values are checked against
     * a hash taken at load, so a model never runs on other weights than it loaded). Keep the raw weights (true) where
     * the file may change or vanish while the model is open. Models loaded from streams, bytes or .onnx files, and
     * depthwise convolutions (which read them on every run), always keep them.
     */
    public boolean rawWeightsKept() {
        return rawWeightsKept;
    }

    public ModelOptions withRawWeightsKept(boolean keep) {
        return new ModelOptions(exactConvolutions, arenaCacheBytes, keep);
    }

    /**
     * The most native memory (bytes) a model keeps in arenas between runs. A model plans one arena per set of input
     * shapes and keeps it for the next run of those shapes; past this budget, the arenas idle longest are freed (a
     * run of a freed shape plans and allocates again). Arenas of runs in flight are never freed under them, so the
     * memory in use can exceed the budget while more runs than it holds are in flight. 0 keeps none (every run
     * allocates); {@link #AUTO_ARENA_CACHE} (the default, unless the system property {@value #ARENA_CACHE_PROPERTY}
     * says otherwise) keeps about four shapes' worth, or one arena per concurrent run.
     *
     * @throws IllegalArgumentException if the system property is set to neither a byte count nor {@code auto}
     */
    public long arenaCacheBytes() {
        if (arenaCacheBytes != null) {
            return arenaCacheBytes;
        }
        String property = System.getProperty(ARENA_CACHE_PROPERTY);
        if (property == null || property.isBlank() || property.strip().equalsIgnoreCase("auto")) {
            return AUTO_ARENA_CACHE;
        }
        try {
            long bytes = Long.parseLong(property.strip());
            if (bytes >= 0) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // refused below with the setting's name
        }
        throw new IllegalArgumentException("system property " + ARENA_CACHE_PROPERTY + "=" + property + " is not a "
                + "byte count (>= 0) or \"auto\"; e.g. -D" + ARENA_CACHE_PROPERTY + "=268435456 keeps up to 256 MiB "
                + "of arenas per model");
    }

    /** As {@link #arenaCacheBytes()}: {@code bytes} >= 0, or {@link #AUTO_ARENA_CACHE}. */
    public ModelOptions withArenaCacheBytes(long bytes) {
        if (bytes < 0 && bytes != AUTO_ARENA_CACHE) {
            throw new IllegalArgumentException("arenaCacheBytes must be >= 0 or AUTO_ARENA_CACHE (-1), got " + bytes);
        }
        return new ModelOptions(exactConvolutions, bytes, rawWeightsKept);
    }

    @Override
    public String toString() {
        return "ModelOptions[exactConvolutions=" + exactConvolutions + ", arenaCacheBytes="
                + (arenaCacheBytes == null ? "default" : arenaCacheBytes == AUTO_ARENA_CACHE ? "auto" : arenaCacheBytes)
                + ", rawWeightsKept=" + rawWeightsKept + "]";
    }
}
