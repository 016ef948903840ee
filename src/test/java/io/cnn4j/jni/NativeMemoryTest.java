package io.cnn4j.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * cnn4j's own native allocations: aligned, counted while held, freed once by close (copies of a pointer never free
 * it), freed by the Cleaner when a tensor is dropped unclosed, and refused with a clear message beyond JavaCPP's
 * maxBytes.
 */
class NativeMemoryTest {
    @Test
    void countsWhatItHoldsAndFreesItOnceOnClose() {
        long before = NativeMemory.allocatedBytes();
        FloatPointer floats = NativeMemory.allocateFloats(1000, "a test buffer");
        LongPointer longs = NativeMemory.allocateLongs(10, "test indices");
        assertEquals(0, floats.address() % 64, "64-byte aligned");
        assertEquals(0, longs.address() % 64, "64-byte aligned");
        assertEquals(1000, floats.capacity());
        assertEquals(1000L * Float.BYTES + 10L * Long.BYTES, NativeMemory.allocatedBytes() - before);
        floats.put(999, 1.5f);
        assertEquals(1.5f, floats.get(999));

        new FloatPointer(floats).close(); // a copy does not own the memory
        assertEquals(1000L * Float.BYTES + 10L * Long.BYTES, NativeMemory.allocatedBytes() - before);
        floats.close();
        floats.close(); // idempotent
        longs.close();
        assertTrue(floats.isNull(), "a closed pointer is null, so a use after close cannot reach freed memory");
        assertEquals(before, NativeMemory.allocatedBytes());
    }

    /**
     * Blocks of 128 KB and more (its 64-byte header included) are pages mapped for them alone (runtime/memory.cpp),
     * smaller ones come from malloc: both aligned, writable to their last element, counted and freed alike, on either
     * side of the threshold.
     */
    @Test
    void largeAndSmallBlocksAreAlignedWritableAndFreed() {
        long before = NativeMemory.allocatedBytes();
        long[] counts = {(1 << 15) - 17, (1 << 15) - 16, 1 << 15, 3 << 18, 10_000_001};
        FloatPointer[] blocks = new FloatPointer[counts.length];
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            blocks[i] = NativeMemory.allocateFloats(counts[i], "a test block");
            assertEquals(0, blocks[i].address() % 64, "64-byte aligned, " + counts[i] + " floats");
            blocks[i].put(0, 1f).put(counts[i] - 1, 2f);
            total += counts[i] * Float.BYTES;
        }
        assertEquals(total, NativeMemory.allocatedBytes() - before);
        for (int i = 0; i < counts.length; i++) {
            assertEquals(1f, blocks[i].get(0));
            assertEquals(2f, blocks[i].get(counts[i] - 1));
            blocks[i].close();
        }
        assertEquals(before, NativeMemory.allocatedBytes());
    }

    @Test
    void anEmptyRequestStillGetsAValidPointer() {
        FloatPointer p = NativeMemory.allocateFloats(0, "nothing");
        try {
            assertTrue(!p.isNull());
            assertEquals(1, p.capacity());
        } finally {
            p.close();
        }
    }

    @Test
    void aTensorDroppedWithoutCloseIsFreedByTheCleaner() throws InterruptedException {
        long before = NativeMemory.allocatedBytes();
        for (int i = 0; i < 100; i++) {
            Tensor.empty(1 << 16); // 256 KiB each, never closed
        }
        assertTrue(NativeMemory.allocatedBytes() - before >= 100L << 18);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (NativeMemory.allocatedBytes() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, NativeMemory.allocatedBytes(), "unreachable tensors freed after GC");
    }

    @Test
    void refusesBeyondJavacppMaxBytesWithAClearMessage() {
        long tooMany = Math.min(Long.MAX_VALUE / 8, Pointer.maxBytes() / Float.BYTES + 1024);
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class,
                () -> NativeMemory.allocateFloats(tooMany, "an oversized test buffer"));
        assertTrue(e.getMessage().startsWith("cannot allocate " + tooMany * Float.BYTES
                + " bytes of native memory for an oversized test buffer"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dorg.bytedeco.javacpp.maxBytes"), e.getMessage());
    }
}
