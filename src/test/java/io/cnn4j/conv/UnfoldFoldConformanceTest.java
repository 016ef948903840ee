package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import org.junit.jupiter.api.Test;

/** F.unfold / F.fold (im2col / col2im): cnn4j vs the float64 naive reference, libtorch as a counted second opinion. */
class UnfoldFoldConformanceTest {
    private static final int CASES = 500;

    @Test
    void randomValidUnfoldsMatch() {
        SecondOpinion ledger = SecondOpinion.of("unfold valid");
        Oracle.forEachSeed("unfold valid", CASES, (r, seed) -> {
            BlocksCase c = BlocksCase.valid(r, false);
            ConformanceChecks.agree(ledger, c, c::torch, c::naive, c::cnn4j);
        });
        ledger.report();
    }

    @Test
    void randomValidFoldsMatch() {
        SecondOpinion ledger = SecondOpinion.of("fold valid");
        Oracle.forEachSeed("fold valid", CASES, (r, seed) -> {
            BlocksCase c = BlocksCase.valid(r, true);
            ConformanceChecks.agree(ledger, c, c::torch, c::naive, c::cnn4j);
        });
        ledger.report();
    }

    @Test
    void randomMaybeInvalidConfigurationsAreRejectedAlike() {
        int[] rejected = {0};
        SecondOpinion ledger = SecondOpinion.of("unfold/fold maybe invalid");
        Oracle.forEachSeed("unfold/fold maybe invalid", 2 * CASES, (r, seed) -> {
            BlocksCase c = BlocksCase.maybeInvalid(r, r.nextBoolean());
            if (ConformanceChecks.rejectedAlike(ledger, c, c::torch, c::naive, c::cnn4j)) {
                rejected[0]++;
            }
        });
        ledger.report();
        assertTrue(rejected[0] > CASES / 2 && rejected[0] < 2 * CASES, "rejected " + rejected[0]);
    }
}
