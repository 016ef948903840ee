package io.cnn4j.weights;

import static io.cnn4j.weights.WeightFixtures.assertRefused;
import static io.cnn4j.weights.WeightFixtures.safetensors;
import static io.cnn4j.weights.WeightFixtures.write;
import static io.cnn4j.weights.WeightFixtures.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.testing.Budgets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crafted weight files of issue 10, made here (none is committed): each is refused by a named limit, or read,
 * within a heap budget that is a small multiple of the file's size. Budgets are the JVM's count of bytes allocated
 * by this thread, so they hold on any machine at any speed (an allocation budget bounds the live heap too).
 */
class HostileWeightFilesTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void eightMegabytesOfEmptyDictsAreRefusedByTheStackLimit() {
        // Issue 10: this pickle took 526 MB of heap and 7.5 s; 32 MB of it exhausted a 1 GB heap.
        byte[] pickle = pickle(8 * (int) MIB, new byte[] {'}'});
        Path file = archive("dicts", pickle);
        long allocated = Budgets.assertAllocatesAtMost(3 * pickle.length + 32 * MIB, "reading 8 MB of EMPTY_DICT",
                () -> assertRefused(() -> PyTorchReader.read(file), "dicts.pt", "data.pkl (at byte ",
                        "more than 100000 values on its stack", "-Dcnn4j.maxPickleStack="));
        System.out.println("HostileWeightFilesTest: 8 MB of EMPTY_DICT refused after allocating " + allocated
                + " bytes");
    }

    @Test
    void emptyDictsAppendedToAListAreRefusedByTheOpcodeLimit() {
        // The same amplification without growing the stack: EMPTY_LIST, then (EMPTY_DICT, APPEND) pairs.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(']');
        byte[] pairs = pickle(0, new byte[0]); // just PROTO; the pairs follow
        body.writeBytes(repeat(new byte[] {'}', 'a'}, 2_100_000));
        byte[] pickle = concat(Arrays.copyOf(pairs, 2), body.toByteArray(), new byte[] {'.'});
        Path file = archive("appends", pickle);
        Budgets.assertAllocatesAtMost(64 * pickle.length + 32 * MIB, "reading 4.2 M opcodes",
                () -> assertRefused(() -> PyTorchReader.read(file), "more than 4000000 opcodes",
                        "cnn4j.maxPickleOpcodes"));
    }

    @Test
    void aMemoOfMoreEntriesThanTheLimitIsRefused() {
        // EMPTY_DICT, then LONG_BINPUT with a new index each time: every one is a memo entry.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('}');
        for (int i = 0; i <= 1_000_000; i++) {
            body.write('r');
            body.write(i);
            body.write(i >>> 8);
            body.write(i >>> 16);
            body.write(i >>> 24);
        }
        byte[] pickle = concat(new byte[] {(byte) 0x80, 2}, body.toByteArray(), new byte[] {'.'});
        assertRefused(() -> PyTorchReader.read(archive("memo", pickle)), "more than 1000000 memo entries",
                "cnn4j.maxPickleMemo");
    }

    @Test
    void theOpcodeLimitIsRaisedByItsProperty() throws Exception {
        byte[] pickle = new PickleBuilder().tensor("w", "FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1})
                .bytes();
        Path file = archive("small", pickle, new byte[8]);
        Budgets.withProperty("cnn4j.maxPickleOpcodes", "10", () -> assertRefused(() -> PyTorchReader.read(file),
                "more than 10 opcodes", "-Dcnn4j.maxPickleOpcodes=N"));
        assertEquals(1, PyTorchReader.read(file).size());
    }

    @Test
    void aStateDictOfMoreTensorsThanTheLimitIsRefused() throws Exception {
        PickleBuilder b = new PickleBuilder();
        for (int i = 0; i < 4; i++) {
            b.tensor("t" + i, "FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        }
        Path file = archive("four", b.bytes(), new byte[4]);
        Budgets.withProperty("cnn4j.maxTensors", "3", () -> assertRefused(() -> PyTorchReader.read(file),
                "the state_dict has more than 3 tensors", "cnn4j.maxTensors"));
    }

    @Test
    void aPickledTensorOfMoreDimsThanTheRankLimitIsRefused() {
        long[] size = new long[65];
        Arrays.fill(size, 1);
        byte[] pickle = new PickleBuilder().tensor("w", "FloatStorage", "0", 1, 0, size, size).bytes();
        assertRefused(() -> PyTorchReader.read(archive("rank", pickle, new byte[4])),
                "a tensor's size in data.pkl has more than 64 dims", "cnn4j.maxRank");
    }

    @Test
    void aSafetensorsHeaderOfMillionsOfZeroSizeTensorsIsRefusedQuickly() {
        // Issue 10: 1.6 M zero-size tensors in a 100 MB header took > 120 s and ~1 GB of heap.
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i < 1_600_000; i++) {
            header.append(i == 0 ? "" : ",").append("\"t").append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        byte[] bytes = safetensors(header.append('}').toString(), new byte[0]);
        header.setLength(0);
        Path file = write(dir, "zeros.safetensors", bytes);
        long allocated = Budgets.assertAllocatesAtMost(4L * bytes.length + 32 * MIB, "a 1.6 M-entry header",
                () -> assertRefused(() -> SafetensorsReader.read(file), "safetensors header has more than 100000 "
                        + "tensors", "-Dcnn4j.maxTensors="));
        System.out.println("HostileWeightFilesTest: " + bytes.length + "-byte header of 1.6 M tensors refused after "
                + "allocating " + allocated + " bytes");
    }

    @Test
    void aSafetensorsHeaderAtTheTensorLimitIsReadInLinearMemory() {
        int count = 100_000;
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            header.append(i == 0 ? "" : ",").append("\"t").append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        byte[] bytes = safetensors(header.append('}').toString(), new byte[0]);
        Path file = write(dir, "many.safetensors", bytes);
        Weights[] read = new Weights[1];
        // Allocation, not what stays live: a few times the header plus a couple of KB of records per tensor returned.
        long allocated = Budgets.assertAllocatesAtMost(4L * bytes.length + 4096L * count, "a 100,000-entry header",
                () -> read[0] = readUnchecked(file));
        assertEquals(count, read[0].size());
        System.out.println("HostileWeightFilesTest: " + bytes.length + "-byte header of 100,000 tensors read, "
                + allocated + " bytes allocated");
    }

    @Test
    void aShapeOfThirtyMillionDimsIsRefusedAtItsSixtyFifthDim() {
        // Issue 10: one tensor with 30 M dims of size 1 took 53 s.
        int dims = 30_000_000;
        StringBuilder header = new StringBuilder(2 * dims + 100).append("{\"a\":{\"dtype\":\"F32\",\"shape\":[");
        for (int i = 0; i < dims; i++) {
            header.append(i == 0 ? "1" : ",1");
        }
        byte[] bytes = safetensors(header.append("],\"data_offsets\":[0,4]}}").toString(), new byte[4]);
        header.setLength(0);
        header.trimToSize();
        Path file = write(dir, "dims.safetensors", bytes);
        Budgets.assertAllocatesAtMost(4L * bytes.length + 32 * MIB, "a 30 M-dim shape",
                () -> assertRefused(() -> SafetensorsReader.read(file), "tensor 'a''s shape has more than 64 dims",
                        "cnn4j.maxRank"));
    }

    @Test
    void aHeaderStartingWithNulBytesIsRefusedAsJsonNotGuessedToBeUtf32() {
        // A fuzzer's finding: Jackson's byte parser took "{\0\0\0..." for UTF-32 and threw CharConversionException.
        byte[] bytes = safetensors("{\0\0\0\"a\":{}}", new byte[0]);
        Path file = write(dir, "nul.safetensors", bytes);
        assertRefused(() -> SafetensorsReader.read(file), "safetensors header is not valid JSON");
    }

    private static Weights readUnchecked(Path file) {
        try {
            return SafetensorsReader.read(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** PROTO 2, {@code count} bytes of {@code unit} repeated, STOP. */
    private static byte[] pickle(int count, byte[] unit) {
        return concat(new byte[] {(byte) 0x80, 2}, unit.length == 0 ? new byte[0] : repeat(unit, count / unit.length),
                new byte[] {'.'});
    }

    private static byte[] repeat(byte[] unit, int times) {
        byte[] out = new byte[unit.length * times];
        for (int i = 0; i < out.length; i++) {
            out[i] = unit[i % unit.length];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private Path archive(String name, byte[] pickle) {
        return archive(name, pickle, new byte[0]);
    }

    private Path archive(String name, byte[] pickle, byte[] storage) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(name + "/data.pkl", pickle);
        records.put(name + "/byteorder", "little".getBytes(StandardCharsets.UTF_8));
        records.put(name + "/data/0", storage);
        records.put(name + "/version", "3\n".getBytes(StandardCharsets.UTF_8));
        return write(dir, name + ".pt", zip(records));
    }
}
