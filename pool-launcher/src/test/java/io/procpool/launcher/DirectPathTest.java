package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.TaskTimeoutException;
import io.procpool.WorkerCrashedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A blocking call that the caller's own thread runs on an idle worker ({@link DirectPath}), and what happens when it
 * cannot finish there: each test first makes sure that the call under test is one the caller's thread drives.
 */
class DirectPathTest {
    @TempDir
    Path temp;

    /**
     * Calls until one runs on the caller's thread: the loop offers an idle worker on its first idle turn after the
     * pool starts, which a call made right after the start may precede.
     */
    private static void untilDirect(ProcessPool pool) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a loaded machine may be slow to idle
        for (int i = 0; pool.entry.directCalls() == 0 && System.nanoTime() - deadline < 0; i++) {
            assertEquals(i + 1, pool.apply((Integer n) -> n + 1, i));
        }
        assertTrue(pool.entry.directCalls() > 0, "no call ran on the caller's thread");
    }

    @Test
    void shouldRunBackToBackBlockingCallsOnTheCallersThread() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            untilDirect(pool);
            long before = pool.entry.directCalls();
            for (int i = 0; i < 100; i++) {
                assertEquals("v" + i, pool.apply((Integer n) -> "v" + n, i));
            }
            assertEquals(before + 100, pool.entry.directCalls(), "an idle worker is given back to the next caller");
            assertEquals(List.of(1, 4, 9), pool.map((Integer n) -> n * n, List.of(1, 2, 3)),
                    "a map goes through the loop, which takes the worker back");
            assertEquals(5, pool.apply((Integer n) -> n + 1, 4), "and offers it again afterwards");
        }
    }

    @Test
    void shouldFailADirectCallWhoseWorkerDiedWithItsCrashReportAndReplaceTheWorker() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            untilDirect(pool);
            long pid = pool.apply((Integer i) -> ProcessHandle.current().pid(), 0);
            long before = pool.entry.directCalls();
            WorkerCrashedException crash = assertThrows(WorkerCrashedException.class,
                    () -> pool.apply((Integer i) -> {
                        Runtime.getRuntime().halt(42);
                        return i;
                    }, 1));
            assertEquals(before + 1, pool.entry.directCalls(), "the call under test ran on the caller's thread");
            assertEquals(42, crash.exitCode(), crash.getMessage());
            assertEquals(pid, crash.pid());
            long replacement = pool.apply((Integer i) -> ProcessHandle.current().pid(), 0);
            assertNotEquals(pid, replacement);
        }
    }

    @Test
    void shouldRunADirectCallAgainOnAReplacementUnderRetries() throws Exception {
        Path marker = temp.resolve("died-once");
        String markerPath = marker.toString();
        try (ProcessPool pool = ProcessPool.builder().processes(1).retries(1).build()) {
            untilDirect(pool);
            long before = pool.entry.directCalls();
            long pid = pool.apply((Integer i) -> {
                Path seen = Path.of(markerPath);
                if (!Files.exists(seen)) {
                    Files.writeString(seen, "x");
                    Runtime.getRuntime().halt(9);
                }
                return ProcessHandle.current().pid();
            }, 1);
            assertEquals(before + 1, pool.entry.directCalls());
            assertTrue(Files.exists(marker), "the first attempt ran and died");
            assertEquals(1, pool.stats().workersLost(), pool.stats().toString());
            assertEquals(pid, pool.apply((Integer i) -> ProcessHandle.current().pid(), 0),
                    "the answer came from the replacement");
        }
    }

    @Test
    void shouldTimeOutADirectCallAndCarryOn() {
        try (ProcessPool pool = ProcessPool.builder().processes(1).taskTimeout(Duration.ofMillis(300)).build()) {
            untilDirect(pool);
            long before = pool.entry.directCalls();
            long start = System.nanoTime();
            assertThrows(TaskTimeoutException.class, () -> pool.apply((Integer i) -> {
                Thread.sleep(60_000);
                return i;
            }, 1));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(before + 1, pool.entry.directCalls());
            assertTrue(tookMs < 30_000, "the late item was stopped, after " + tookMs + " ms");
            assertEquals(3, pool.apply((Integer i) -> i + 1, 2), "the pool carries on");
        }
    }

    @Test
    void shouldEndADirectCallWhoseCallerIsInterruptedAndDropItsLateResult() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            untilDirect(pool);
            long before = pool.entry.directCalls();
            Path started = temp.resolve("started");
            String startedPath = started.toString();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            Thread caller = new Thread(() -> {
                try {
                    pool.apply((Integer i) -> {
                        Files.writeString(Path.of(startedPath), "x");
                        Thread.sleep(1_500);
                        return i;
                    }, 1);
                } catch (Throwable t) {
                    thrown.set(t);
                } finally {
                    done.countDown();
                }
            });
            caller.start();
            while (!Files.exists(started)) {
                assertTrue(caller.isAlive(), "the call ended before its task started: " + thrown.get());
                Thread.onSpinWait();
            }
            caller.interrupt();
            assertTrue(done.await(10, TimeUnit.SECONDS), "the interrupted caller returned");
            assertTrue(thrown.get() instanceof PoolException, String.valueOf(thrown.get()));
            assertTrue(thrown.get().getMessage().contains("interrupted"), thrown.get().getMessage());
            assertEquals(before + 1, pool.entry.directCalls());
            assertEquals("after", pool.apply((Integer i) -> "after", 0),
                    "the late result of the interrupted call is not taken for this one");
        }
    }

    @Test
    void shouldGoThroughTheLoopWhenNoWorkerIsIdle() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            untilDirect(pool);
            Path started = temp.resolve("started");
            Path release = temp.resolve("release");
            String startedPath = started.toString();
            String releasePath = release.toString();
            CompletableFuture<Integer> busy = pool.applyAsync((Integer i) -> {
                Files.writeString(Path.of(startedPath), "x");
                while (!Files.exists(Path.of(releasePath))) {
                    Thread.sleep(5);
                }
                return i;
            }, 7);
            while (!Files.exists(started)) {
                assertFalse(busy.isDone(), "the busy call ended early");
                Thread.onSpinWait();
            }
            long before = pool.entry.directCalls();
            long submitted = pool.stats().tasksSubmitted();
            CompletableFuture<Integer> queued = CompletableFuture.supplyAsync(() -> pool.apply((Integer i) -> i, 8));
            // Released only once the call has reached the loop, which sends it behind the busy item: released
            // earlier, the worker could be idle again by the time the call starts, and the call would go direct.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.stats().tasksSubmitted() == submitted) {
                assertTrue(System.nanoTime() < deadline, "the call never reached the loop");
                Thread.onSpinWait();
            }
            Files.writeString(release, "go");
            assertEquals(7, busy.get(30, TimeUnit.SECONDS));
            assertEquals(8, queued.get(30, TimeUnit.SECONDS));
            assertEquals(before, pool.entry.directCalls(), "the worker was busy: the call waited in the loop's queue");
        }
    }
}
