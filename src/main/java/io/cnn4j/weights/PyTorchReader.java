package io.cnn4j.weights;

import io.cnn4j.weights.StateDictUnpickler.StorageRef;
import io.cnn4j.weights.StateDictUnpickler.TensorRef;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a {@code torch.save(model.state_dict(), path)} file (the zip format of torch >= 1.6) without Python or
 * libtorch and without running anything from the file.
 *
 * <p>The archive holds one folder (its name varies: the file's base name, or {@code archive}) with
 * {@code data.pkl}, a pickle that describes each tensor as a strided view of a storage, the storages as
 * {@code data/<key>} records, and {@code byteorder}. The pickle is interpreted by {@link StateDictUnpickler}, which
 * knows only the globals a state_dict uses. Views are honoured (storage offset, strides, one storage shared by
 * several tensors) and each tensor comes out dense, row-major and float32.
 *
 * <p>Refused, with a message saying how to re-save: legacy pre-1.6 files, TorchScript archives, whole pickled
 * models, integer tensors other than BatchNorm's {@code num_batches_tracked}. Memory is bounded by the file size:
 * a file cannot make the reader allocate more than about 8 bytes of floats per byte of file.
 */
public final class PyTorchReader {
    /** {@code 80 02 8a 0a} + the pickled magic number 0x1950a86a20f9469cfc6c that legacy torch.save writes first. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc,
            (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    /** The newest archive version libtorch reads (caffe2 kMaxSupportedFileFormatVersion). */
    private static final int MAX_VERSION = 10;
    private static final String RESAVE = "re-save the weights in Python with torch >= 1.6: "
            + "torch.save(model.state_dict(), path), keeping the default zip serialization";

    private PyTorchReader() {}

    /**
     * Reads every tensor of the state_dict saved at {@code path}.
     *
     * @throws WeightsFormatException if the file is not a readable state_dict archive
     * @throws IOException            if the file cannot be read
     */
    public static Weights read(Path path) throws IOException {
        return read(path, path.toString());
    }

    /** As {@link #read(Path)}; {@code source} names the file in messages (a temporary copy of a stream, say). */
    public static Weights read(Path path, String source) throws IOException {
        byte[] head = WeightsReader.head(path, 512);
        if (isLegacy(head)) {
            throw new WeightsFormatException(source, "this is a legacy (non-zip) PyTorch file, written with "
                    + "_use_new_zipfile_serialization=False or by torch < 1.6; cnn4j reads the zip format only: "
                    + RESAVE);
        }
        if (!WeightsReader.isZip(head)) {
            throw new WeightsFormatException(source, "not a PyTorch file: expected a zip archive written by "
                    + "torch.save (starting with PK\\3\\4)" + (head.length > 0 && (head[0] & 0xff) == 0x80
                    ? ", found a bare pickle; " + RESAVE : ""));
        }
        long fileSize = Files.size(path);
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw corrupt(source, e);
        }
        try (zip) {
            return new Archive(source, zip, fileSize).read();
        }
    }

    /** The legacy pickle stream (starting with the pickled magic number) or the older tar format. */
    static boolean isLegacy(byte[] head) {
        return startsWith(head, LEGACY_MAGIC) || (head.length >= 262
                && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar"));
    }

    private static WeightsFormatException corrupt(String source, Exception e) {
        return new WeightsFormatException(source, "not a readable zip archive (truncated or corrupt?): "
                + e.getMessage(), e);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** One open archive: its root folder, byte order, and the running count of floats allocated. */
    private static final class Archive {
        private final String source;
        private final ZipFile zip;
        private final long fileSize;
        /** Floats the file may make us allocate (storages plus view copies); see the class comment. */
        private final long budget;
        private long allocated;
        private String root;

        Archive(String source, ZipFile zip, long fileSize) {
            this.source = source;
            this.zip = zip;
            this.fileSize = fileSize;
            this.budget = 2 * fileSize + (1 << 20);
        }

        Weights read() {
            List<String> names = new ArrayList<>();
            try {
                for (ZipEntry e : Collections.list(zip.entries())) {
                    names.add(e.getName());
                }
            } catch (RuntimeException e) {
                throw corrupt(source, e);
            }
            if (names.isEmpty()) {
                throw fail("the zip archive is empty; expected a torch.save file (a folder with data.pkl)");
            }
            int slash = names.get(0).indexOf('/');
            if (slash <= 0) {
                throw fail("the zip archive's first entry '" + names.get(0) + "' is not in a folder; expected a "
                        + "torch.save file (<folder>/data.pkl, <folder>/data/...)");
            }
            root = names.get(0).substring(0, slash + 1);
            if (names.contains(root + "constants.pkl") || names.stream().anyMatch(n -> n.startsWith(root + "code/"))) {
                throw fail("this is a TorchScript archive (torch.jit.save or torch::save), not a state_dict; save "
                        + "the weights with torch.save(model.state_dict(), path) instead");
            }
            ZipEntry pickle = entry("data.pkl", "no " + root + "data.pkl record: not a torch.save file");
            checkVersion();
            ByteOrder order = byteOrder();
            Map<String, TensorRef> refs = StateDictUnpickler.load(source, readSmall(pickle));

            Map<String, Integer> uses = new HashMap<>();
            refs.values().forEach(t -> uses.merge(t.storage().key(), 1, Integer::sum));
            Map<String, float[]> storages = new HashMap<>();
            List<WeightTensor> tensors = new ArrayList<>();
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                String name = e.getKey();
                TensorRef t = e.getValue();
                StorageRef s = t.storage();
                int numel = checkView(name, t);
                s.type().checkReadable(source, name, s.typeName(), numel);
                float[] storage = storages.get(s.key());
                if (storage == null) {
                    storage = readStorage(name, s, order);
                    storages.put(s.key(), storage);
                }
                boolean last = uses.merge(s.key(), -1, Integer::sum) == 0;
                float[] data;
                if (last && numel == storage.length && isContiguous(t)) {
                    data = storage; // the common case: the tensor is its whole storage, used once
                } else {
                    spend(numel, name);
                    data = gather(storage, t, numel);
                }
                if (last) {
                    storages.remove(s.key());
                }
                tensors.add(new WeightTensor(name, t.size(), data));
            }
            return new Weights(source, tensors, Map.of());
        }

        private ZipEntry entry(String name, String missing) {
            ZipEntry e = find(name);
            if (e == null) {
                throw fail(missing);
            }
            return e;
        }

        private ZipEntry find(String name) {
            try {
                return zip.getEntry(root + name);
            } catch (RuntimeException e) {
                throw corrupt(source, e);
            }
        }

        /** {@code version} (or {@code .data/version}) holds the archive format version; torch.save writes 3. */
        private void checkVersion() {
            ZipEntry e = find("version");
            if (e == null) {
                e = find(".data/version");
            }
            if (e == null) {
                return;
            }
            String text = new String(readSmall(e), StandardCharsets.UTF_8).trim();
            int version;
            try {
                version = Integer.parseInt(text);
            } catch (NumberFormatException nfe) {
                version = -1;
            }
            if (version < 1 || version > MAX_VERSION) {
                throw fail("archive format version '" + abbreviate(text) + "' is not one cnn4j reads (1 to "
                        + MAX_VERSION + ")");
            }
        }

        /** {@code byteorder} holds "little" or "big"; files without it are little-endian. */
        private ByteOrder byteOrder() {
            ZipEntry e = find("byteorder");
            if (e == null) {
                return ByteOrder.LITTLE_ENDIAN;
            }
            String text = new String(readSmall(e), StandardCharsets.UTF_8).trim();
            return switch (text) {
                case "little" -> ByteOrder.LITTLE_ENDIAN;
                case "big" -> ByteOrder.BIG_ENDIAN;
                default -> throw fail(root + "byteorder is '" + abbreviate(text) + "', expected 'little' or 'big'");
            };
        }

        /** A record read whole (data.pkl and the small text records); it cannot be longer than the file. */
        private byte[] readSmall(ZipEntry e) {
            long size = e.getSize();
            if (size < 0 || size > fileSize || size > ElementType.MAX_ELEMENTS) {
                throw fail(e.getName() + " claims " + size + " bytes, more than the file holds");
            }
            try (InputStream raw = zip.getInputStream(e); CheckedInputStream in = new CheckedInputStream(raw,
                    new CRC32())) {
                byte[] bytes = in.readNBytes((int) size);
                if (bytes.length != size) {
                    throw fail(e.getName() + " ends after " + bytes.length + " of its " + size + " bytes (truncated?)");
                }
                checkCrc(e, in);
                return bytes;
            } catch (IOException | RuntimeException ex) {
                if (ex instanceof WeightsFormatException wfe) {
                    throw wfe;
                }
                throw fail("cannot read " + e.getName() + " (truncated or corrupt?): " + ex.getMessage(), ex);
            }
        }

        /** {@code data/<key>} as floats; it must hold exactly the storage's elements. */
        private float[] readStorage(String tensor, StorageRef s, ByteOrder order) {
            String name = "data/" + s.key();
            ZipEntry e = entry(name, "tensor '" + tensor + "' uses storage '" + s.key() + "', but the archive "
                    + "has no " + root + name + " record (incomplete file?)");
            if (s.numel() > ElementType.MAX_ELEMENTS) {
                throw fail("tensor '" + tensor + "' uses a storage of " + s.numel() + " elements, more than a Java "
                        + "array holds (" + ElementType.MAX_ELEMENTS + ")");
            }
            long bytes = s.numel() * s.type().size;
            if (e.getSize() != bytes) {
                throw fail(root + name + " holds " + e.getSize() + " bytes, but its storage (" + s.typeName() + " of "
                        + s.numel() + " elements) needs " + bytes);
            }
            if (bytes > fileSize) {
                throw fail(root + name + " claims " + bytes + " bytes, more than the file holds");
            }
            spend(s.numel(), tensor);
            try (InputStream raw = zip.getInputStream(e); CheckedInputStream in = new CheckedInputStream(raw,
                    new CRC32())) {
                float[] values = s.type().read(in, (int) s.numel(), order);
                checkCrc(e, in);
                return values;
            } catch (EOFException eof) {
                throw fail(root + name + ": " + eof.getMessage() + " (truncated?)", eof);
            } catch (IOException | RuntimeException ex) {
                if (ex instanceof WeightsFormatException wfe) {
                    throw wfe;
                }
                throw fail("cannot read " + root + name + " (truncated or corrupt?): " + ex.getMessage(), ex);
            }
        }

        private void checkCrc(ZipEntry e, CheckedInputStream in) {
            if (e.getCrc() != -1 && in.getChecksum().getValue() != e.getCrc()) {
                throw fail(e.getName() + " is corrupt: its CRC-32 does not match the archive's");
            }
        }

        /** Checks the view lies inside its storage; returns its element count. */
        private int checkView(String name, TensorRef t) {
            long[] size = t.size();
            long[] stride = t.stride();
            String view = "tensor '" + name + "' (size " + Arrays.toString(size) + ", stride "
                    + Arrays.toString(stride) + ", storage offset " + t.offset() + ")";
            long numel = WeightTensor.numel(size);
            if (numel < 0 || t.offset() < 0 || Arrays.stream(stride).anyMatch(x -> x < 0)) {
                throw fail(view + " has a negative or overflowing size, stride or offset");
            }
            if (numel > ElementType.MAX_ELEMENTS) {
                throw fail(view + " has " + numel + " elements, more than a Java array holds");
            }
            long end = t.offset(); // one past the last element the view touches
            try {
                if (numel > 0) {
                    for (int i = 0; i < size.length; i++) {
                        end = Math.addExact(end, Math.multiplyExact(size[i] - 1, stride[i]));
                    }
                    end = Math.addExact(end, 1);
                }
            } catch (ArithmeticException overflow) {
                end = Long.MAX_VALUE;
            }
            if (end > t.storage().numel()) {
                throw fail(view + " reaches element " + end + " of its storage '" + t.storage().key() + "', which "
                        + "has " + t.storage().numel());
            }
            return (int) numel;
        }

        private void spend(long floats, String tensor) {
            allocated += floats;
            if (allocated > budget) {
                throw fail("tensor '" + tensor + "' brings the floats to allocate to " + allocated + ", more than "
                        + "a file of " + fileSize + " bytes can describe (" + budget + "); are many tensors "
                        + "expanded (stride 0) views?");
            }
        }

        private WeightsFormatException fail(String problem) {
            return new WeightsFormatException(source, problem);
        }

        private WeightsFormatException fail(String problem, Throwable cause) {
            return new WeightsFormatException(source, problem, cause);
        }
    }

    /** Row-major contiguous from the storage offset, as torch's is_contiguous sees it (size-1 dims ignored). */
    private static boolean isContiguous(TensorRef t) {
        long expected = 1;
        for (int i = t.size().length - 1; i >= 0; i--) {
            if (t.size()[i] != 1 && t.stride()[i] != expected) {
                return false;
            }
            expected *= t.size()[i];
        }
        return t.offset() == 0;
    }

    /** Copies a strided view (already checked to lie inside {@code storage}) into a dense row-major array. */
    private static float[] gather(float[] storage, TensorRef t, int numel) {
        float[] out = new float[numel];
        long[] size = t.size();
        long[] stride = t.stride();
        if (numel == 0) {
            return out;
        }
        if (size.length == 0) {
            out[0] = storage[(int) t.offset()];
            return out;
        }
        int last = size.length - 1;
        int inner = (int) size[last];
        long innerStride = stride[last];
        long[] index = new long[size.length];
        long base = t.offset();
        for (int o = 0; o < numel; o += inner) {
            if (innerStride == 1) {
                System.arraycopy(storage, (int) base, out, o, inner);
            } else {
                for (int i = 0; i < inner; i++) {
                    out[o + i] = storage[(int) (base + i * innerStride)];
                }
            }
            for (int k = last - 1; k >= 0; k--) { // advance the outer index like an odometer
                base += stride[k];
                if (++index[k] < size[k]) {
                    break;
                }
                base -= stride[k] * size[k];
                index[k] = 0;
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
