package io.cnn4j.io;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1-3) of float32 or float64, C order: what {@code np.save} writes for
 * {@code x.astype(np.float32)}. Writing always produces version 1.0 little-endian float32.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static Tensor read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        String where = path.toString();
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IllegalArgumentException(where + " is not a .npy file (no \\x93NUMPY magic); save arrays with "
                    + "numpy.save(path, x.astype(numpy.float32))");
        }
        int major = bytes[6];
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = buf.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new IllegalArgumentException(where + ": truncated .npy header");
            }
            headerLength = buf.getInt(8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new IllegalArgumentException(where + ": unsupported .npy format version " + major);
        }
        if (headerStart + headerLength > bytes.length) {
            throw new IllegalArgumentException(where + ": .npy header of " + headerLength + " bytes runs past the end "
                    + "of the file (" + bytes.length + " bytes)");
        }
        String header = new String(bytes, headerStart, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, "descr", where);
        if (find(FORTRAN, header, "fortran_order", where).equals("True")) {
            throw new IllegalArgumentException(where + ": Fortran-order arrays are not supported; save "
                    + "numpy.ascontiguousarray(x)");
        }
        long[] shape = parseShape(find(SHAPE, header, "shape", where), where);
        int elementSize;
        ByteOrder order;
        switch (descr) {
            case "<f4", "|f4", "=f4" -> { elementSize = 4; order = ByteOrder.LITTLE_ENDIAN; }
            case ">f4" -> { elementSize = 4; order = ByteOrder.BIG_ENDIAN; }
            case "<f8", "=f8" -> { elementSize = 8; order = ByteOrder.LITTLE_ENDIAN; }
            case ">f8" -> { elementSize = 8; order = ByteOrder.BIG_ENDIAN; }
            default -> throw new IllegalArgumentException(where + ": dtype '" + descr + "' is not supported; cnn4j "
                    + "reads float32 or float64 arrays (x.astype(numpy.float32))");
        }
        long numel = Shapes.checkShape(where + " shape", shape);
        long dataStart = headerStart + headerLength;
        if (bytes.length - dataStart != numel * elementSize) {
            throw new IllegalArgumentException(where + ": shape " + java.util.Arrays.toString(shape) + " of " + descr
                    + " needs " + numel * elementSize + " data bytes, the file has " + (bytes.length - dataStart));
        }
        float[] values = new float[(int) numel];
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, bytes.length - (int) dataStart).slice().order(order);
        for (int i = 0; i < values.length; i++) {
            values[i] = elementSize == 4 ? data.getFloat(i * 4) : (float) data.getDouble(i * 8);
        }
        return Tensor.of(values, shape);
    }

    public static void write(Path path, Tensor tensor) throws IOException {
        StringBuilder shape = new StringBuilder();
        for (long s : tensor.shape()) {
            shape.append(s).append(", ");
        }
        if (tensor.dim() > 1) {
            shape.setLength(shape.length() - 2);
        } else {
            shape.setLength(shape.length() - 1);
        }
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        float[] values = tensor.toFloatArray();
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (float v : values) {
            out.putFloat(v);
        }
        out.flip();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (out.hasRemaining()) {
                ch.write(out);
            }
        }
    }

    private static String find(Pattern p, String header, String key, String where) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(where + ": .npy header has no '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    private static long[] parseShape(String text, String where) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                dims.add(Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": bad .npy shape (" + text + ")");
            }
        }
        if (dims.isEmpty()) {
            throw new IllegalArgumentException(where + ": scalar .npy arrays are not supported; save at least 1-d");
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}
