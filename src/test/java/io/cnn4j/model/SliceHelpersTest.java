package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SplitExecution's helper lanes: a lane's failure reaches the caller, and a caller whose helper is held by another
 * job never waits for it (the lane is cancelled and never runs).
 */
class SliceHelpersTest {
    @Test
    void aLanesFailureIsRethrownByFinish() {
        SliceHelpers.Job job = SliceHelpers.start(1, lane -> {
            throw new IllegalStateException("lane " + lane + " failed");
        });
        // The lane may not have started yet: finish either cancels it (nothing to rethrow) or waits and rethrows.
        try {
            job.finish();
        } catch (IllegalStateException e) {
            assertEquals("lane 1 failed", e.getMessage());
        }
        // Started for sure: wait until it runs, then finish must rethrow.
        CountDownLatch running = new CountDownLatch(1);
        SliceHelpers.Job started = SliceHelpers.start(1, lane -> {
            running.countDown();
            throw new IllegalStateException("lane " + lane + " failed");
        });
        awaitQuietly(running);
        IllegalStateException e = assertThrows(IllegalStateException.class, started::finish);
        assertEquals("lane 1 failed", e.getMessage());
    }

    @Test
    void aLaneNotStartedIsCancelledNotWaitedFor() throws Exception {
        // Hold every helper thread the pool has with lanes that wait for a latch, then start one more job: its lane
        // queues behind them, and finish returns at once without it ever running.
        int helpers = Math.max(2, SliceHelpers.threads());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(helpers);
        SliceHelpers.Job holders = SliceHelpers.start(helpers, lane -> {
            holding.countDown();
            awaitQuietly(release);
        });
        assertTrue(holding.await(30, TimeUnit.SECONDS), "the helper threads start");
        AtomicInteger ran = new AtomicInteger();
        SliceHelpers.Job queued = SliceHelpers.start(1, lane -> ran.incrementAndGet());
        long start = System.nanoTime();
        queued.finish();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "finish did not wait for a busy helper");
        release.countDown();
        holders.finish();
        Thread.sleep(50); // the cancelled lane reaches a helper now, and must not run
        assertEquals(0, ran.get(), "a cancelled lane never runs");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
