package io.cnn4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cnn4j.weights.WeightsReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * torch.save (.pt) files. A mutated zip rarely gets past its CRCs, so the first byte chooses: odd, the rest is the
 * whole file; even, the rest is a data.pkl that is zipped here with the records torch.save writes beside it
 * (storages "0" to "9" of 256 bytes each), so the fuzzer works on the pickle interpreter. Seeds in
 * PyTorchFuzzTestInputs.
 */
class PyTorchFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void pytorch(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        Path file = FuzzHarness.file("fuzz.pt", (data[0] & 1) == 1 ? rest : archive(rest));
        FuzzHarness.expectLoadOrRefusal("a .pt file", () -> WeightsReader.read(file));
    }

    /** A torch.save archive around {@code pickle}. */
    static byte[] archive(byte[] pickle) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            record(zip, "archive/data.pkl", pickle);
            record(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int storage = 0; storage < 10; storage++) {
                record(zip, "archive/data/" + storage, new byte[256]);
            }
            record(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void record(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(content);
        zip.closeEntry();
    }
}
