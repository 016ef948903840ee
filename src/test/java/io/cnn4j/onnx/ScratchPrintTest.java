package io.cnn4j.onnx;

import java.nio.file.*;
import org.junit.jupiter.api.Test;

class ScratchPrintTest {
    @Test
    void print() throws Exception {
        try (var s = Files.list(Path.of("src/test/resources/onnx"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".onnx")).sorted().toList()) {
                System.out.println("=== " + p);
                try {
                    var c = OnnxImport.convert(p);
                    System.out.println(c.model().toString());
                    c.weights().forEach((k, v) -> System.out.print(k + java.util.Arrays.toString(v.shape()) + " "));
                    System.out.println();
                } catch (Exception e) {
                    System.out.println("FAIL " + e);
                }
            }
        }
    }
}
