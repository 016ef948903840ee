package io.cnn4j.ops;

import io.cnn4j.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The raw weights of a convolution, [out_channels, in_channels / groups, k...], and who holds them when. The ops
 * run derived forms (im2col's packed weights, Winograd's transforms, see {@link Convolution} and
 * {@link AutoConvolution}), each made once from the raw weights by {@link #derive}; only a depthwise kernel reads
 * the raw weights on every run ({@link #held}).
 *
 * <p>Three kinds of holder:
 * <ul>
 *   <li>{@link #borrowed}: the caller's tensor, kept open by the caller (the public op factories);</li>
 *   <li>{@link #owned}: held until {@link #close()}, then freed (a layer whose weights cannot be read again);</li>
 *   <li>{@link #rederivable}: owned, and freed after every derivation, because the raw weights can be made again,
 *   bit for bit, by a {@link Source} (re-read from the model's weights file, batch norm folded as at load). A
 *   Winograd layer then holds its transforms alone, not the raw weights beside them (F(4,3)'s transforms are 4x
 *   their size): ResNet-18 holds 45 MB less after its first run. A later derivation (a new input shape that picks
 *   another algorithm, the exact path for an input holding NaN or Inf) re-reads them, uses them and frees them
 *   again.</li>
 * </ul>
 *
 * <p>Re-read weights are checked against a 64-bit hash of the values given at creation: if the file changed or
 * vanished since the model was loaded, the derivation fails with an IllegalStateException that says so, and never
 * runs on other weights than the model loaded.
 *
 * <p>Thread-safe: derivations are serialized on this holder (ops derive under their own lock, then this one's; this
 * one calls nothing that locks an op).
 */
public final class ConvWeight implements AutoCloseable {
    /** Makes the raw weights again, equal bit for bit to those given at creation. */
    public interface Source {
        /** A new tensor, owned by the caller. May throw UncheckedIOException (the file cannot be read). */
        Tensor load();

        /** Where the weights come from, for messages: "tensor 'layer1.0.conv1.weight' of resnet18.safetensors". */
        String describe();
    }

    private final long[] shape;
    private final boolean owned;
    private final Source source; // null: the tensor is held until close
    private final long hash; // of the values given at creation, when there is a source
    private Tensor tensor; // null while freed (rederivable only) or once closed
    private boolean closed;

    private ConvWeight(Tensor tensor, boolean owned, Source source) {
        this.shape = tensor.shape();
        this.owned = owned;
        this.source = source;
        this.tensor = tensor;
        this.hash = source == null ? 0 : hash(tensor);
    }

    /** The caller's tensor, used as it is and never freed here: keep it open while the op is used. */
    public static ConvWeight borrowed(Tensor weight) {
        return new ConvWeight(weight, false, null);
    }

    /** A tensor that is this holder's from now on: held until {@link #close()}, which frees it. */
    public static ConvWeight owned(Tensor weight) {
        return new ConvWeight(weight, true, null);
    }

    /**
     * A tensor that is this holder's from now on, freed after each derivation and made again by {@code source}
     * for the next (see the class comment). Hashes the values once (a pass over them).
     */
    public static ConvWeight rederivable(Tensor weight, Source source) {
        if (source == null) {
            throw new IllegalArgumentException("rederivable weights need a source; use owned() for weights that "
                    + "cannot be read again");
        }
        return new ConvWeight(weight, true, source);
    }

    /** The shape of the raw weights (known whether or not they are held now). */
    public long[] shape() {
        return shape.clone();
    }

    /** Element count of the raw weights. */
    public long numel() {
        return io.cnn4j.Shapes.numel(shape);
    }

    /** Whether this holder frees the raw weights between derivations. */
    public boolean isRederivable() {
        return source != null;
    }

    /** What re-makes the raw weights, or null if they are held for the holder's life. */
    public Source source() {
        return source;
    }

    /** Whether the raw weights are in memory now (false for rederivable ones between derivations, and once closed). */
    public synchronized boolean isHeld() {
        return tensor != null && !tensor.isClosed();
    }

    /**
     * {@code form} applied to the raw weights: a form an op runs, made once (packing, a Winograd transform, a batch
     * norm fold). Rederivable weights are re-read first if freed, and freed again afterwards. {@code form} must not
     * keep the tensor it is given.
     *
     * @throws IllegalStateException if this holder is closed, or rederivable weights cannot be read again as they were
     */
    public synchronized <T> T derive(String op, Function<Tensor, T> form) {
        Tensor raw = open(op);
        try {
            return form.apply(raw);
        } finally {
            if (source != null) {
                raw.close();
                tensor = null;
            }
        }
    }

    /**
     * The raw weights themselves, for a kernel that reads them on every run (depthwise): only for weights that are
     * held for the holder's life.
     */
    public synchronized Tensor held(String op) {
        if (source != null) {
            throw new IllegalStateException(op + ": these weights are freed between derivations (rederivable), but "
                    + "this op reads them on every run; give it owned or borrowed weights");
        }
        return open(op);
    }

    private Tensor open(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": this op is closed");
        }
        if (tensor == null) {
            tensor = reload(op);
        }
        Args.checkOpen(op, "weight", tensor);
        return tensor;
    }

    private Tensor reload(String op) {
        Tensor again;
        try {
            again = source.load();
        } catch (RuntimeException e) {
            throw new IllegalStateException(op + ": cannot re-read the weights from " + source.describe() + " ("
                    + e.getMessage() + "). The model freed its copy of these raw weights after making the forms it "
                    + "ran, and needs them again for a new input shape or an input holding NaN or Inf; keep the "
                    + "weights file in place and unchanged while the model is open, or load the model with "
                    + "ModelOptions.withRawWeightsKept(true)", e);
        }
        if (!Arrays.equals(again.shape(), shape) || hash(again) != hash) {
            long[] found = again.shape();
            again.close();
            throw new IllegalStateException(op + ": the weights in " + source.describe() + " changed since the model "
                    + "was loaded (" + (Arrays.equals(found, shape) ? "other values" : "shape "
                    + Arrays.toString(found) + " instead of " + Arrays.toString(shape)) + "). The model freed its "
                    + "copy of these raw weights after making the forms it ran, and needs them again for a new input "
                    + "shape or an input holding NaN or Inf; reload the model after changing its files, or load it "
                    + "with ModelOptions.withRawWeightsKept(true) to keep the raw weights in memory");
        }
        return again;
    }

    /** Frees owned weights (borrowed ones stay the caller's); later derivations throw. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (owned && tensor != null) {
            tensor.close();
        }
        tensor = null;
    }

    /** A 64-bit hash of the values' bits (a multiply-rotate mix per float, then a finalizer), to notice a change. */
    static long hash(Tensor t) {
        FloatBuffer values = t.asBuffer();
        long h = 0x9E3779B97F4A7C15L ^ values.remaining();
        for (int i = 0, n = values.remaining(); i < n; i++) {
            h = Long.rotateLeft(h ^ Float.floatToRawIntBits(values.get(i)), 27) * 0xC2B2AE3D27D4EB4FL;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }

    @Override
    public String toString() {
        return "ConvWeight" + Arrays.toString(shape) + (source != null ? " (rederivable from " + source.describe()
                + ")" : "");
    }
}
