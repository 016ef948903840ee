package io.cnn4j.model;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that run {@link SplitExecution}'s lanes other than the caller's: daemon threads shared by every model,
 * as many as the most helpers one job has asked for (so fewer than cnn4j's thread count), each ending after a minute
 * idle.
 *
 * <p>A caller never waits for a helper to become free: a lane that has not started by the time the caller has run out
 * of samples is cancelled (the caller took its samples meanwhile), and only lanes already running are waited for.
 * So on a busy server, where another model's job holds the helpers, a run takes no longer than on its own thread.
 */
final class SliceHelpers {
    private SliceHelpers() {}

    /** What one lane does: lane 1, 2, ... of a job (lane 0 is the caller's). */
    interface Lane {
        void run(int lane);
    }

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
    private static final ThreadFactory DAEMONS = body -> {
        Thread t = new Thread(body, "cnn4j-slices-" + THREAD_NUMBER.incrementAndGet());
        t.setDaemon(true);
        return t;
    };
    private static final ThreadPoolExecutor HELPERS = new ThreadPoolExecutor(1, Integer.MAX_VALUE, 60,
            TimeUnit.SECONDS, new LinkedBlockingQueue<>(), DAEMONS);

    static {
        HELPERS.allowCoreThreadTimeOut(true);
    }

    /** Hands lanes 1 .. {@code helpers} of a job to the helper threads; the caller then runs lane 0 itself. */
    static Job start(int helpers, Lane body) {
        synchronized (HELPERS) {
            if (HELPERS.getCorePoolSize() < helpers) {
                HELPERS.setCorePoolSize(helpers);
            }
        }
        Task[] tasks = new Task[helpers];
        Thread caller = Thread.currentThread();
        for (int i = 0; i < helpers; i++) {
            tasks[i] = new Task(caller, i + 1, body);
            HELPERS.execute(tasks[i]);
        }
        return new Job(tasks);
    }

    /** Helper threads the pool keeps (it grows to the most helpers a job asked for); for tests. */
    static int threads() {
        synchronized (HELPERS) {
            return HELPERS.getCorePoolSize();
        }
    }

    /** The helpers' lanes of one job. */
    static final class Job {
        private final Task[] tasks;

        private Job(Task[] tasks) {
            this.tasks = tasks;
        }

        /**
         * Cancels the lanes not started yet and waits for those running to end; then rethrows the first failure of a
         * lane. After it returns no helper touches the job's lanes.
         */
        void finish() {
            Throwable failure = null;
            for (Task task : tasks) {
                if (task.state.compareAndSet(Task.PENDING, Task.CANCELLED)) {
                    continue;
                }
                for (int spins = 0; task.state.get() != Task.DONE; spins++) {
                    if (spins < 1000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                if (failure == null) {
                    failure = task.failure;
                }
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
    }

    private static final class Task implements Runnable {
        static final int PENDING = 0, RUNNING = 1, DONE = 2, CANCELLED = 3;

        final AtomicInteger state = new AtomicInteger(PENDING);
        private final Thread caller;
        private final int lane;
        private final Lane body;
        /** Written before the state becomes DONE, read after: the atomic state orders it. */
        Throwable failure;

        Task(Thread caller, int lane, Lane body) {
            this.caller = caller;
            this.lane = lane;
            this.body = body;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(PENDING, RUNNING)) {
                return; // cancelled: the caller has finished without this lane
            }
            try {
                body.run(lane);
            } catch (Throwable t) {
                failure = t;
            } finally {
                state.set(DONE);
                LockSupport.unpark(caller);
            }
        }
    }
}
