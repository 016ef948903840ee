package io.cnn4j;

/**
 * The limits cnn4j puts on what a model or weights file may ask of it, all in one place.
 *
 * <p>Each bounds the time or memory a hostile or broken file can cost before it is refused: the defaults are far
 * above any real CNN (ResNet-152 has about 500 layers and 1,000 tensors; no ONNX exporter writes a tensor of more than
 * a handful of dims) and far below what would take a server down. A file past a limit is refused with an
 * {@link IllegalArgumentException} (a {@code WeightsFormatException} for weights files) that names the limit and the
 * system property that raises it, e.g. {@code -Dcnn4j.maxLayers=2000000}. Properties are read at each load, so a
 * process may raise a limit before loading a large trusted model. Sizes of single tensors are bounded separately by
 * {@link Shapes#MAX_ELEMENTS}.
 */
public final class Limits {
    private Limits() {}

    /** Layers of a model JSON (after loading, so also the layers an ONNX graph converts to). */
    public static final Limit LAYERS = new Limit("cnn4j.maxLayers", 1_000_000, "layers");
    /** Nodes of an ONNX graph, initializers and Constant nodes included. */
    public static final Limit ONNX_NODES = new Limit("cnn4j.maxOnnxNodes", 1_000_000, "nodes");
    /** Inputs of one layer or node (a Concat of many tensors, say). */
    public static final Limit FAN_IN = new Limit("cnn4j.maxFanIn", 4096, "inputs");
    /** Dims of one tensor (a model input, a weight, an ONNX shape, an .npy array). */
    public static final Limit RANK = new Limit("cnn4j.maxRank", 64, "dims");
    /** Tensors of one weights file (safetensors header entries, state_dict entries, ONNX initializers). */
    public static final Limit TENSORS = new Limit("cnn4j.maxTensors", 100_000, "tensors");
    /**
     * Opcodes a .pt file's pickle may execute: a state_dict needs about 30 per tensor, and each opcode builds at
     * most one value of a few dozen bytes, so this also bounds the heap a hostile pickle can take (~ 250 MB).
     */
    public static final Limit PICKLE_OPCODES = new Limit("cnn4j.maxPickleOpcodes", 4_000_000, "opcodes");
    /** Values on a pickle's stack at once (marks included): a state_dict needs about 2,000 (batches of 1,000 items). */
    public static final Limit PICKLE_STACK = new Limit("cnn4j.maxPickleStack", 100_000, "values on its stack");
    /** Pixels of one image given to a model (checked from its header before decoding): 8192 x 8192. */
    public static final Limit IMAGE_PIXELS = new Limit("cnn4j.maxImagePixels", 1L << 26, "pixels");
    /**
     * Bytes read from one stream given to {@code Model.load(InputStream...)} (a model, or its JSON or weights): a
     * stream is read into memory before it is parsed, so this bounds the heap an endless or hostile stream can take.
     * The default, 2 GiB, is the most a Java array holds.
     */
    public static final Limit STREAM_BYTES = new Limit("cnn4j.maxStreamBytes", Integer.MAX_VALUE - 8, "bytes");
        /** Entries of a pickle's memo: a state_dict needs about 8 per tensor. */
    public static final Limit PICKLE_MEMO = new Limit("cnn4j.maxPickleMemo", 1_000_000, "memo entries");

    /**
     * One limit: a default, and the system property that overrides it.
     *
     * @param property     the system property, e.g. {@code cnn4j.maxLayers}
     * @param defaultValue the limit when the property is not set
     * @param unit         what is counted, for messages ("layers")
     */
    public record Limit(String property, long defaultValue, String unit) {
        /** The limit in force: the system property if set to a positive integer, else the default. */
        public long value() {
            String v = System.getProperty(property);
            if (v == null || v.isBlank()) {
                return defaultValue;
            }
            try {
                long parsed = Long.parseLong(v.strip());
                if (parsed > 0) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // refused below with the property's name
            }
            throw new IllegalArgumentException("system property " + property + "=" + v + " must be a positive "
                    + "integer (the default is " + defaultValue + ")");
        }

        /** Whether {@code count} is over the limit in force. */
        public boolean exceeded(long count) {
            return count > value();
        }

        /**
         * The message for {@code what} over the limit: "layer list has more than 1000000 layers, cnn4j's limit
         * (cnn4j.maxLayers); if the file is trusted, raise it with -Dcnn4j.maxLayers=N".
         */
        public String problem(String what) {
            return what + " has more than " + value() + " " + unit + ", cnn4j's limit (" + property + "); if the "
                    + "file is trusted, raise it with -D" + property + "=N or System.setProperty(\"" + property
                    + "\", ...) before loading";
        }

        /** Throws an IllegalArgumentException, {@code where + ": " + problem(what)}, if {@code count} exceeds it. */
        public void check(String where, String what, long count) {
            if (exceeded(count)) {
                throw new IllegalArgumentException(where + ": " + problem(what));
            }
        }
    }
}
