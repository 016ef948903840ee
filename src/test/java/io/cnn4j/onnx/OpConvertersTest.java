package io.cnn4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The registry of op converters is the list of supported ONNX ops, and the README lists exactly those. */
class OpConvertersTest {
    @Test
    void readmeListsExactlyTheRegisteredOps() throws Exception {
        String readme = Files.readString(Path.of("README.md")).replace('\n', ' ');
        String marker = "ops on constants only, such as shape arithmetic, are folded at load): ";
        int start = readme.indexOf(marker) + marker.length();
        String list = readme.substring(start, readme.indexOf(". Each is mapped", start));
        assertEquals(new TreeSet<>(OpConverters.supported()),
                new TreeSet<>(Arrays.asList(list.trim().split("\\s*,\\s*"))));
    }

    @Test
    void unknownOpsHaveNoConverter() {
        assertNull(OpConverters.forOp("LpNormalization"));
        assertNull(OpConverters.forOp("relu"));
    }
}
