package io.cnn4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.function.Executable;

/**
 * The fixtures written by scripts/make_weight_fixtures.py (src/test/resources/weights) and the tools the tests use
 * to check them and to build malformed variants: expected values, temporary files, zip rewriting.
 */
final class WeightFixtures {
    private WeightFixtures() {}

    static Path path(String name) {
        try {
            return Path.of(WeightFixtures.class.getResource("/weights/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name + "; run scripts/make_weight_fixtures.py", e);
        }
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** expected.json: file -> tensor name -> {shape, bits}, in the producer's (state_dict) order. */
    static JsonNode expected(String file) {
        try {
            JsonNode node = new ObjectMapper().readTree(path("expected.json").toFile()).get("files").get(file);
            if (node == null) {
                throw new IllegalStateException("expected.json has no entry for " + file);
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> expectedFiles() {
        try {
            List<String> files = new ArrayList<>();
            new ObjectMapper().readTree(path("expected.json").toFile()).get("files").fieldNames()
                    .forEachRemaining(files::add);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every tensor has PyTorch's shape and exactly the float32 bits of torch's tensor.float() (any NaN for NaN). */
    static void assertMatchesExpected(String file, Weights weights, boolean ordered) {
        JsonNode expected = expected(file);
        List<String> names = new ArrayList<>();
        expected.fieldNames().forEachRemaining(names::add);
        if (ordered) {
            assertEquals(names, List.copyOf(weights.names()), file + ": tensor names in order");
        } else {
            assertEquals(names.stream().sorted().toList(), weights.names().stream().sorted().toList(),
                    file + ": tensor names");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            WeightTensor t = weights.get(e.getKey());
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).longValue();
            }
            assertArrayEquals(shape, t.shape(), file + ": shape of " + e.getKey());
            JsonNode bits = e.getValue().get("bits");
            assertEquals(bits.size(), t.data().length, file + ": size of " + e.getKey());
            for (int i = 0; i < bits.size(); i++) {
                int want = (int) bits.get(i).longValue();
                int got = Float.floatToRawIntBits(t.data()[i]);
                // NaN stays NaN; its bits are not compared, because torch's own conversion gives different NaN
                // bits on its vectorized and scalar paths (0x7c01 becomes 0x7fc02000 or 0x7fffffff).
                if (want != got && !(Float.isNaN(Float.intBitsToFloat(want)) && Float.isNaN(t.data()[i]))) {
                    throw new AssertionError(file + ": " + e.getKey() + "[" + i + "] is " + t.data()[i] + " (0x"
                            + Integer.toHexString(got) + "), expected " + Float.intBitsToFloat(want) + " (0x"
                            + Integer.toHexString(want) + ")");
                }
            }
        }
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts {@code read} throws a WeightsFormatException whose message contains every fragment. */
    static WeightsFormatException assertRefused(Executable read, String... fragments) {
        WeightsFormatException e = assertThrows(WeightsFormatException.class, read);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "message lacks '" + fragment + "': " + e.getMessage());
        }
        return e;
    }

    /** A safetensors file: the header length, the header, then the data. */
    static byte[] safetensors(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }

    /** The records of a zip archive by name, in archive order. */
    static Map<String, byte[]> unzip(byte[] zip, Path dir) {
        Path file = write(dir, "unzip-" + System.nanoTime() + ".zip", zip);
        Map<String, byte[]> records = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                try (InputStream in = z.getInputStream(e)) {
                    records.put(e.getName(), in.readAllBytes());
                }
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip of stored (uncompressed) records, as torch.save writes them. */
    static byte[] zip(Map<String, byte[]> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                ZipEntry e = new ZipEntry(r.getKey());
                e.setMethod(ZipEntry.STORED);
                e.setSize(r.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(r.getValue());
                e.setCrc(crc.getValue());
                z.putNextEntry(e);
                z.write(r.getValue());
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
