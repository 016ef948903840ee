package io.cnn4j.testing;

import io.cnn4j.Cnn4j;
import java.util.function.Consumer;

/** Runs a test body once per instruction set this CPU supports (scalar, the reference, first). */
public final class Isas {
    private Isas() {}

    /** Calls {@code body} with each supported ISA active; restores the ISA that was active before. */
    public static void forEach(Consumer<String> body) {
        String before = Cnn4j.isa();
        try {
            for (String isa : Cnn4j.supportedIsas()) {
                Cnn4j.setIsa(isa);
                body.accept(isa);
            }
        } finally {
            Cnn4j.setIsa(before);
        }
    }
}
