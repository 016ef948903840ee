package io.cnn4j.weights;

import static io.cnn4j.weights.WeightFixtures.assertMatchesExpected;
import static io.cnn4j.weights.WeightFixtures.assertRefused;
import static io.cnn4j.weights.WeightFixtures.bytes;
import static io.cnn4j.weights.WeightFixtures.path;
import static io.cnn4j.weights.WeightFixtures.unzip;
import static io.cnn4j.weights.WeightFixtures.write;
import static io.cnn4j.weights.WeightFixtures.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PyTorchReader against files torch 2.13 wrote (exact values) and against every kind of file it must refuse. */
class PyTorchReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny_f32.pt", "tiny_f16.pt", "tiny_bf16.pt", "tiny_f64.pt", "views.pt",
            "root_archive.pt", "root_renamed.pt", "parameters.pt", "libtorch_pickle_save.pt", "big_endian.pt",
            "specials.pt"})
    void readsWhatTorchSavedExactly(String file) throws Exception {
        Weights weights = PyTorchReader.read(path(file));
        assertMatchesExpected(file, weights, true);
        assertTrue(weights.metadata().isEmpty());
    }

    @Test
    void keepsNumBatchesTrackedAsFloat() throws Exception {
        WeightTensor counter = PyTorchReader.read(path("tiny_f16.pt")).get("bn.num_batches_tracked");
        assertEquals(0, counter.dim());
        assertEquals(7f, counter.data()[0]);
    }

    @Test
    void refusesOsSystem() {
        assertRefused(() -> PyTorchReader.read(path("os_system.pt")), "os_system.pt",
                "refusing to load: data.pkl references os.system, which is not allowed in a state_dict");
    }

    @Test
    void refusesBuiltinsEval() {
        assertRefused(() -> PyTorchReader.read(path("builtins_eval.pt")), "builtins_eval.pt",
                "refusing to load: data.pkl references builtins.eval");
    }

    @Test
    void refusesPickledModule() {
        assertRefused(() -> PyTorchReader.read(path("whole_model.pt")),
                "references torch.nn.modules.linear.Linear", "torch.save(model.state_dict(), path)");
    }

    @Test
    void refusesLegacyFormatWithHowToResave() {
        assertRefused(() -> PyTorchReader.read(path("legacy.pt")), "legacy.pt", "legacy (non-zip) PyTorch file",
                "torch >= 1.6", "torch.save(model.state_dict(), path)");
    }

    @Test
    void refusesTorchScript() {
        assertRefused(() -> PyTorchReader.read(path("torchscript.pt")), "TorchScript archive",
                "torch.save(model.state_dict(), path)");
    }

    @Test
    void refusesIntegerTensors() {
        assertRefused(() -> PyTorchReader.read(path("int_tensor.pt")), "tensor 'idx' has dtype int64",
                "floating-point weights only");
    }

    @Test
    void refusesNewDtypes() {
        assertRefused(() -> PyTorchReader.read(path("uint16.pt")), "torch._utils._rebuild_tensor_v3",
                "tensor.float()");
    }

    @Test
    void refusesTruncatedZip() {
        byte[] full = bytes("tiny_f32.pt");
        for (int length : new int[] {full.length / 2, full.length - 10, 30, 4}) {
            Path cut = write(dir, "cut" + length + ".pt", Arrays.copyOf(full, length));
            assertRefused(() -> PyTorchReader.read(cut), "cut" + length + ".pt", "zip archive");
        }
    }

    @Test
    void refusesMissingStorageRecord() {
        Path file = tinyWith("tiny_f32/data/3", null);
        assertRefused(() -> PyTorchReader.read(file), "tensor 'bn.bias' uses storage '3'",
                "has no tiny_f32/data/3 record");
    }

    @Test
    void refusesStorageOfWrongSize() {
        Path file = tinyWith("tiny_f32/data/0", new byte[12]);
        assertRefused(() -> PyTorchReader.read(file), "tiny_f32/data/0 holds 12 bytes",
                "float32 (torch.FloatStorage) of 54 elements) needs 216");
    }

    @Test
    void refusesCorruptRecord() {
        byte[] file = bytes("tiny_f32.pt");
        byte[] storage = unzip(file, dir).get("tiny_f32/data/7"); // fc.weight
        int at = indexOf(file, storage);
        assertTrue(at > 0);
        file[at + 5] ^= 0x40;
        Path corrupt = write(dir, "corrupt.pt", file);
        assertRefused(() -> PyTorchReader.read(corrupt), "tiny_f32/data/7 is corrupt", "CRC-32");
    }

    @Test
    void refusesBadByteOrder() {
        Path file = tinyWith("tiny_f32/byteorder", "middle".getBytes(StandardCharsets.UTF_8));
        assertRefused(() -> PyTorchReader.read(file), "byteorder is 'middle', expected 'little' or 'big'");
    }

    @Test
    void refusesUnknownVersion() {
        Path file = tinyWith("tiny_f32/version", "11\n".getBytes(StandardCharsets.UTF_8));
        assertRefused(() -> PyTorchReader.read(file), "archive format version '11'");
    }

    @Test
    void refusesMissingDataPkl() {
        Path file = tinyWith("tiny_f32/data.pkl", null);
        assertRefused(() -> PyTorchReader.read(file), "no tiny_f32/data.pkl record");
    }

    @Test
    void refusesViewOutsideItsStorage() {
        byte[] pickle = new PickleBuilder().tensor("w", "FloatStorage", "0", 6, 2, new long[] {2, 3},
                new long[] {3, 1}).bytes();
        Path file = archive("outside", pickle, new byte[24]);
        assertRefused(() -> PyTorchReader.read(file), "tensor 'w' (size [2, 3], stride [3, 1], storage offset 2)",
                "reaches element 8 of its storage '0', which has 6");
    }

    @Test
    void refusesHugeExpandedViewBeforeAllocating() {
        byte[] pickle = new PickleBuilder().tensor("w", "FloatStorage", "0", 1, 0, new long[] {1 << 20, 1 << 10},
                new long[] {0, 0}).bytes();
        Path file = archive("expanded", pickle, new byte[4]);
        assertRefused(() -> PyTorchReader.read(file), "tensor 'w'", "more than a file of");
    }

    @Test
    void refusesStorageNamedTwiceDifferently() {
        byte[] pickle = new PickleBuilder()
                .tensor("a", "FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1})
                .tensor("b", "HalfStorage", "0", 4, 0, new long[] {4}, new long[] {1}).bytes();
        Path file = archive("twice", pickle, new byte[8]);
        assertRefused(() -> PyTorchReader.read(file), "names storage '0' twice");
    }

    @Test
    void honoursExpandedAndSharedViews() throws Exception {
        byte[] storage = new byte[12];
        java.nio.ByteBuffer.wrap(storage).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3);
        byte[] pickle = new PickleBuilder()
                .tensor("expanded", "FloatStorage", "0", 3, 1, new long[] {2, 2}, new long[] {0, 1})
                .tensor("whole", "FloatStorage", "0", 3, 0, new long[] {3}, new long[] {1}).bytes();
        Weights w = PyTorchReader.read(archive("views", pickle, storage));
        assertEquals("[2.0, 3.0, 2.0, 3.0]", Arrays.toString(w.get("expanded").data()));
        assertEquals("[1.0, 2.0, 3.0]", Arrays.toString(w.get("whole").data()));
    }

    /** tiny_f32.pt with one record replaced, or removed when {@code content} is null. */
    private Path tinyWith(String record, byte[] content) {
        Map<String, byte[]> records = unzip(bytes("tiny_f32.pt"), dir);
        if (content == null) {
            records.remove(record);
        } else {
            records.put(record, content);
        }
        return write(dir, "tiny_f32.pt", zip(records));
    }

    private Path archive(String name, byte[] pickle, byte[] storage) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(name + "/data.pkl", pickle);
        records.put(name + "/byteorder", "little".getBytes(StandardCharsets.UTF_8));
        records.put(name + "/data/0", storage);
        records.put(name + "/version", "3\n".getBytes(StandardCharsets.UTF_8));
        return write(dir, name + ".pt", zip(records));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
