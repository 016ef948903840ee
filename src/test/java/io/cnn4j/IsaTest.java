package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing the kernels' instruction set: the scalar reference is always there, and a choice can be forced. */
class IsaTest {
    @Test
    void theScalarReferenceIsAlwaysSupportedAndAnySupportedIsaCanBeForced() {
        List<String> supported = Cnn4j.supportedIsas();
        assertEquals("scalar", supported.get(0), supported.toString());
        String before = Cnn4j.isa();
        assertTrue(supported.contains(before), before);
        try {
            for (String isa : supported) {
                Cnn4j.setIsa(isa);
                assertEquals(isa, Cnn4j.isa());
            }
        } finally {
            Cnn4j.setIsa(before);
        }
    }

    @Test
    void unknownOrUnsupportedIsasAreRefusedWithTheSupportedOnes() {
        for (String bad : new String[] {"avx9", "", "AVX2", null}) {
            String message = assertThrows(IllegalArgumentException.class, () -> Cnn4j.setIsa(bad)).getMessage();
            assertTrue(message.contains("support [scalar"), message);
        }
        String other = System.getProperty("os.arch").contains("aarch64") ? "avx2" : "neon";
        assertThrows(IllegalArgumentException.class, () -> Cnn4j.setIsa(other));
    }
}
