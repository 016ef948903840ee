package io.cnn4j.weights;

import static io.cnn4j.weights.WeightFixtures.assertMatchesExpected;
import static io.cnn4j.weights.WeightFixtures.assertRefused;
import static io.cnn4j.weights.WeightFixtures.bytes;
import static io.cnn4j.weights.WeightFixtures.path;
import static io.cnn4j.weights.WeightFixtures.safetensors;
import static io.cnn4j.weights.WeightFixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SafetensorsReader against files the safetensors package wrote (exact values) and against each rule of the
 * reference implementation's validation, on files built here from valid bytes.
 */
class SafetensorsReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny_f32.safetensors", "tiny_f16.safetensors", "tiny_bf16.safetensors",
            "tiny_f64.safetensors", "specials.safetensors", "edge.safetensors"})
    void readsWhatSafetensorsWroteExactly(String file) throws Exception {
        assertMatchesExpected(file, SafetensorsReader.read(path(file)), false);
    }

    @Test
    void exposesMetadata() throws Exception {
        Weights w = SafetensorsReader.read(path("tiny_bf16.safetensors"));
        assertEquals("pt", w.metadata().get("format"));
        assertEquals("{\"cnn4j\": 1, \"name\": \"tiny-bf16\"}", w.metadata().get("cnn4j"));
        assertTrue(SafetensorsReader.read(path("edge.safetensors")).metadata().isEmpty());
    }

    @Test
    void convertsHalfPrecisionExactly() {
        assertEquals(0x1p-24f, ElementType.halfToFloat((short) 0x0001)); // smallest subnormal
        assertEquals(0x3ffp-24f, ElementType.halfToFloat((short) 0x03ff)); // largest subnormal
        assertEquals(0x1p-14f, ElementType.halfToFloat((short) 0x0400)); // smallest normal
        assertEquals(65504f, ElementType.halfToFloat((short) 0x7bff));
        assertEquals(Float.POSITIVE_INFINITY, ElementType.halfToFloat((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, ElementType.halfToFloat((short) 0xfc00));
        // NaN: payload kept and made quiet, as F16C (and torch's vectorized conversion) does
        assertEquals(0x7fc00000, Float.floatToRawIntBits(ElementType.halfToFloat((short) 0x7e00)));
        assertEquals(0x7fc02000, Float.floatToRawIntBits(ElementType.halfToFloat((short) 0x7c01)));
        assertEquals(0xffffe000, Float.floatToRawIntBits(ElementType.halfToFloat((short) 0xffff)));
        assertEquals(0x80000000, Float.floatToRawIntBits(ElementType.halfToFloat((short) 0x8000)));
        assertEquals(-2f, ElementType.halfToFloat((short) 0xc000));
    }

    @Test
    void acceptsWhitespaceAroundTheHeader() throws Exception {
        Path file = write(dir, "ws.safetensors", safetensors(
                "  {\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ", floats(1.5f, -2f)));
        assertArrayEquals(new float[] {1.5f, -2f}, SafetensorsReader.read(file).get("a").data());
    }

    @Test
    void refusesTruncatedData() {
        byte[] full = bytes("tiny_f32.safetensors");
        Path file = write(dir, "cut.safetensors", Arrays.copyOf(full, full.length - 5));
        assertRefused(() -> SafetensorsReader.read(file), "cut.safetensors", "file is truncated",
                "only " + (dataSize(full) - 5) + " bytes follow it");
    }

    @Test
    void refusesHeaderLengthPastEndOfFile() {
        byte[] full = bytes("tiny_f32.safetensors");
        byte[] cut = Arrays.copyOf(full, 40);
        Path file = write(dir, "cut.safetensors", cut);
        assertRefused(() -> SafetensorsReader.read(file), "header length " + headerSize(full)
                + " goes past the end of the file (40 bytes");
    }

    @Test
    void refusesTooShortFile() {
        Path file = write(dir, "short.safetensors", new byte[] {1, 2, 3});
        assertRefused(() -> SafetensorsReader.read(file), "file is 3 bytes, too short");
    }

    @Test
    void refusesHeaderOverTheLimit() {
        byte[] bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L).array();
        Path file = write(dir, "big.safetensors", bytes);
        assertRefused(() -> SafetensorsReader.read(file), "header length 100000001 is over the limit");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        Path file2 = write(dir, "huge.safetensors", bytes);
        assertRefused(() -> SafetensorsReader.read(file2), "header length 18446744073709551615 is over the limit");
    }

    @Test
    void refusesOverlappingOffsets() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                "tensor 'b' data_offsets [4, 12] overlap tensor 'a', which ends at byte 8");
    }

    @Test
    void refusesGapBetweenTensors() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20,
                "tensor 'b' data_offsets [12, 20] leave a gap of 4 bytes after tensor 'a'");
    }

    @Test
    void refusesDataNotStartingAtZero() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                "the first tensor must start at byte 0");
    }

    @Test
    void refusesTrailingBytes() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 11,
                "file has 3 bytes after the last tensor's data");
    }

    @Test
    void refusesOffsetsEndingBeforeTheyBegin() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8,
                "data_offsets [8, 0] end before they begin");
    }

    @Test
    void refusesUnknownDtype() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F17\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                "tensor 'a' has unknown dtype 'F17'");
    }

    @Test
    void refusesDtypeItDoesNotConvert() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                "tensor 'a' has dtype I32", "floating-point weights only");
        assertRefusedHeader("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2,
                "tensor 'a' has dtype F8_E4M3, which cnn4j does not read");
    }

    @Test
    void refusesShapeThatDoesNotMatchTheBytes() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                "tensor 'a' data_offsets [0, 8] hold 8 bytes, but dtype F32 and shape [3] need 12");
    }

    @Test
    void refusesPartialBytes() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2,
                "does not fill a whole number of bytes");
    }

    @Test
    void refusesOverflowingShape() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
                8, "shape [4294967296, 4294967296] has too many elements");
    }

    @Test
    void refusesNegativeOrFractionalShape() {
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8,
                "tensor 'a' must have shape as an array of non-negative integers, got shape=[-2]");
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8,
                "non-negative integers, got shape=[2.0]");
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8,
                "data_offsets as an array of 2 non-negative integers, got [0]");
        assertRefusedHeader("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no dtype");
    }

    @Test
    void refusesNonJsonHeader() {
        assertRefusedHeader("{not json}", 0, "safetensors header is not valid JSON");
        assertRefusedHeader("{\"a\":1} x", 0, "not valid JSON");
        assertRefusedHeader("[1, 2]", 0, "safetensors header must be a JSON object, got a JSON array");
        assertRefusedHeader("   ", 0, "must be a JSON object, got nothing");
        assertRefusedHeader("{\"a\":[1]}", 0, "tensor 'a' must be a JSON object with dtype, shape and data_offsets");
        assertRefusedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0, "Duplicate field 'a'");
    }

    @Test
    void refusesNonUtf8Header() {
        byte[] bytes = safetensors("{\"\u00e9\":{}}", new byte[0]);
        bytes[11] = (byte) 0xff;
        Path file = write(dir, "utf8.safetensors", bytes);
        assertRefused(() -> SafetensorsReader.read(file), "header is not valid UTF-8");
    }

    @Test
    void refusesNonStringMetadata() {
        assertRefusedHeader("{\"__metadata__\":{\"epochs\":3}}", 0,
                "__metadata__ value 'epochs' must be a string, got a JSON number");
        assertRefusedHeader("{\"__metadata__\":[]}", 0, "__metadata__ must be a JSON object of strings");
    }

    private void assertRefusedHeader(String header, int dataBytes, String... fragments) {
        Path file = write(dir, "bad.safetensors", safetensors(header, new byte[dataBytes]));
        assertRefused(() -> SafetensorsReader.read(file), fragments);
        if (!header.startsWith("[")) { // the dispatcher knows safetensors by the '{' or space after the length
            assertRefused(() -> WeightsReader.read(file), fragments);
        }
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static long headerSize(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long dataSize(byte[] file) {
        return file.length - 8 - headerSize(file);
    }
}
