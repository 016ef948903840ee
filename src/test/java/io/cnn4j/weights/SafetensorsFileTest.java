package io.cnn4j.weights;

import static io.cnn4j.weights.WeightFixtures.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The on-demand reader model loading uses ({@link WeightsReader#open}): each tensor read into a direct, native-order
 * buffer (as a native tensor's memory is) equals what the whole-file reader returns, in any order, for every dtype;
 * misuse and a file changed after opening get clear messages.
 */
class SafetensorsFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny_f32.safetensors", "tiny_f16.safetensors", "tiny_bf16.safetensors",
            "tiny_f64.safetensors", "specials.safetensors", "edge.safetensors"})
    void readsEachTensorIntoADirectBufferAsTheWholeFileReaderDoes(String file) throws Exception {
        Weights whole = SafetensorsReader.read(path(file));
        try (WeightsFile opened = WeightsReader.open(path(file))) {
            assertTrue(opened instanceof SafetensorsFile, "a safetensors file is read on demand");
            assertEquals(List.copyOf(whole.names()), List.copyOf(opened.names()));
            assertEquals(whole.metadata(), opened.metadata());
            List<String> reversed = new java.util.ArrayList<>(opened.names());
            java.util.Collections.reverse(reversed); // out of file order: every read seeks
            for (String name : reversed) {
                WeightTensor expected = whole.get(name);
                assertArrayEquals(expected.shape(), opened.shape(name));
                FloatBuffer out = ByteBuffer.allocateDirect(Math.max(1, expected.numel()) * Float.BYTES)
                        .order(ByteOrder.nativeOrder()).asFloatBuffer();
                opened.readInto(name, out);
                assertEquals(expected.numel(), out.position());
                float[] got = new float[expected.numel()];
                out.flip().get(got);
                for (int i = 0; i < got.length; i++) { // bit for bit, NaN payloads included
                    assertEquals(Float.floatToRawIntBits(expected.data()[i]), Float.floatToRawIntBits(got[i]),
                            name + "[" + i + "]");
                }
            }
            assertNull(opened.shape("no.such.tensor"));
        }
    }

    @Test
    void refusesAnUnknownNameAndABufferTooSmall() throws Exception {
        try (WeightsFile opened = WeightsReader.open(path("tiny_f32.safetensors"))) {
            String name = opened.names().iterator().next();
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> opened.readInto("no.such.tensor", FloatBuffer.allocate(4)));
            assertTrue(unknown.getMessage().contains("has no tensor 'no.such.tensor'"), unknown.getMessage());
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> opened.readInto(name, FloatBuffer.allocate(0)));
            assertTrue(small.getMessage().contains("needs") && small.getMessage().contains("room for 0"),
                    small.getMessage());
        }
    }

    @Test
    void saysSoWhenTheFileShrankAfterItWasOpened() throws Exception {
        Path copy = dir.resolve("shrinking.safetensors");
        Files.copy(path("tiny_f32.safetensors"), copy);
        try (WeightsFile opened = WeightsReader.open(copy)) {
            String last = List.copyOf(opened.names()).get(opened.names().size() - 1);
            try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                channel.truncate(channel.size() - 1);
            }
            long[] shape = opened.shape(last);
            long numel = 1;
            for (long d : shape) {
                numel *= d;
            }
            FloatBuffer out = FloatBuffer.allocate((int) numel);
            WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> opened.readInto(last, out));
            assertTrue(e.getMessage().contains("file changed while reading?"), e.getMessage());
        }
    }

    @Test
    void servesAPyTorchFileFromTheHeap() throws Exception {
        Path pt = path("tiny_f32.pt");
        Weights whole = WeightsReader.read(pt);
        try (WeightsFile opened = WeightsReader.open(pt)) {
            for (String name : opened.names()) {
                float[] got = new float[whole.get(name).numel()];
                opened.readInto(name, FloatBuffer.wrap(got));
                assertArrayEquals(whole.get(name).data(), got, name);
            }
        }
    }
}
