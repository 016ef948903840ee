package io.cnn4j.weights;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes data.pkl bytes the way torch.save does (protocol 2), for state_dicts the tests cannot get from torch. */
final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBuilder() {
        out.write(0x80);
        out.write(2);
        out.write('}'); // EMPTY_DICT
    }

    /** {@code name: _rebuild_tensor_v2(('storage', torch.<storageClass>, key, 'cpu', numel), offset, size, stride)}. */
    PickleBuilder tensor(String name, String storageClass, String key, long numel, long offset, long[] size,
            long[] stride) {
        string(name);
        global("torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        out.write('(');
        string("storage");
        global("torch", storageClass);
        string(key);
        string("cpu");
        integer(numel);
        out.write('t');
        out.write('Q'); // BINPERSID
        integer(offset);
        tuple(size);
        tuple(stride);
        out.write(0x89); // NEWFALSE
        global("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        out.write('t');
        out.write('R');
        out.write('s'); // SETITEM
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.write('.');
        return copy.toByteArray();
    }

    private void tuple(long[] values) {
        out.write('(');
        for (long v : values) {
            integer(v);
        }
        out.write('t');
    }

    private void integer(long v) {
        out.write(0x8a); // LONG1 with 8 bytes, little-endian two's complement
        out.write(8);
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    private void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        for (int i = 0; i < 4; i++) {
            out.write((b.length >>> (8 * i)) & 0xff);
        }
        out.writeBytes(b);
    }

    private void global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
