package io.procpool.launcher;

import io.procpool.Task;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool's start: the breakdown it reports, and its first messages crossing the start-up rings before the workers'
 * Chronicle queues are open, then the switch to the queues, with nothing lost or reordered on the way.
 */
class StartupTest {
    private static final long OPEN_WAIT_NANOS = Duration.ofSeconds(60).toNanos();

    @Test
    void shouldReportWhereTheStartWentForEachWorker() {
        try (ProcessPool pool = ProcessPool.builder().processes(2).build()) {
            StartupBreakdown before = pool.startupBreakdown().orElseThrow();
            assertFalse(before.firstResult().isPresent(), "no result yet");
            assertEquals(pool.startupTime(), before.ready());
            assertStillOnTheRings(before);

            assertEquals(3, (int) pool.apply((Task<Integer, Integer>) x -> x + 1, 2));
            StartupBreakdown after = pool.startupBreakdown().orElseThrow();
            Set<Long> children = ProcessHandle.current().children().map(ProcessHandle::pid)
                    .collect(Collectors.toSet());
            assertEquals(List.of(0, 1), after.workers().stream().map(StartupBreakdown.Worker::slot).toList());
            for (StartupBreakdown.Worker w : after.workers()) {
                assertTrue(children.contains(w.pid()), w + " is not a child of this JVM: " + children);
                assertTrue(Set.of("read", "none").contains(w.archive()), w.archive());
                // Each phase is measured, and they add up to no more than the time until the worker was ready.
                Duration phases = w.launchedAt().plus(w.launch()).plus(w.jvmBoot()).plus(w.awaitInit())
                        .plus(w.ready());
                assertTrue(w.jvmBoot().toNanos() > 0 && w.serializer().toNanos() > 0, w.toString());
                assertTrue(phases.compareTo(w.readyAt().plusMillis(1)) <= 0, phases + " > " + w);
                assertTrue(w.readyAt().compareTo(after.ready().plusMillis(1)) <= 0, w + " vs " + after.ready());
            }
            Duration first = after.firstResult().orElseThrow();
            assertTrue(first.compareTo(after.workers().get(0).readyAt()) >= 0
                    || first.compareTo(after.workers().get(1).readyAt()) >= 0, first + " before any worker was ready");
            String table = after.toString();
            for (StartupBreakdown.Worker w : after.workers()) {
                assertTrue(table.contains(Long.toString(w.pid())), table);
            }
        }
    }

    @Test
    void shouldSwitchEachWorkerToItsQueuesAfterItsFirstResultsWithNothingLost() throws InterruptedException {
        try (ProcessPool pool = ProcessPool.builder().processes(2).build()) {
            Task<Integer, Integer> square = x -> x * x;
            List<Integer> items = IntStream.range(0, 200).boxed().toList();
            List<Integer> squares = items.stream().map(x -> x * x).toList();
            assertEquals(squares, pool.map(square, items, 1), "on the rings");
            // Keep calling while both sides open their queues and switch, one direction after the other.
            long deadline = System.nanoTime() + OPEN_WAIT_NANOS;
            int rounds = 0;
            while (!allOpen(pool.startupBreakdown().orElseThrow())) {
                assertTrue(System.nanoTime() < deadline, "the queues did not open: "
                        + pool.startupBreakdown().orElseThrow());
                assertEquals(squares, pool.map(square, items, 1 + rounds % 7), "round " + rounds);
                rounds++;
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(squares, pool.map(square, items, 3), "on the queues, round " + i);
            }
        }
    }

    @Test
    void shouldOpenTheQueuesOfBothSidesOnceThePoolIsIdleAndCarryOnOnThem() throws InterruptedException {
        try (ProcessPool pool = ProcessPool.builder().processes(2).build()) {
            Task<Integer, Integer> square = x -> x * x;
            List<Integer> items = IntStream.range(0, 20).boxed().toList();
            List<Integer> squares = items.stream().map(x -> x * x).toList();
            assertEquals(squares, pool.map(square, items, 1), "on the rings");
            // No call now: the pool is idle, which is when the queues open (no message is too large, and far
            // fewer than a thousand crossed).
            Workers.await("both sides' queues to open while the pool is idle", Duration.ofNanos(OPEN_WAIT_NANOS),
                    () -> allOpen(pool.startupBreakdown().orElseThrow()));
            for (int i = 0; i < 3; i++) {
                assertEquals(squares, pool.map(square, items, 1 + i), "on the queues, round " + i);
            }
        }
    }

    @Test
    void shouldWakeAWorkerSleepingOnItsFutexThroughIt() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(1).build()) {
            Task<Integer, Integer> square = x -> x * x;
            assertEquals(List.of(1, 4, 9), pool.map(square, List.of(1, 2, 3), 1));
            Workers.await("the queues to open while the pool is idle", Duration.ofNanos(OPEN_WAIT_NANOS),
                    () -> allOpen(pool.startupBreakdown().orElseThrow()));
            java.nio.file.Path file = workerStatusFile();
            try (io.procpool.worker.internal.transport.StatusDescriptor status =
                         io.procpool.worker.internal.transport.StatusDescriptor.open(file)) {
                // Both sides bound the futex as their queues opened: the idle worker now sleeps on its wake word.
                Workers.await("the idle worker to sleep on its wake word", Duration.ofNanos(OPEN_WAIT_NANOS),
                        status::sleepsOnFutex);
                for (int i = 1; i <= 3; i++) {
                    long before = status.futexWakeUps();
                    assertEquals(i * i, pool.apply(square, i));
                    assertTrue(status.futexWakeUps() > before, "call " + i + " found the worker asleep on its"
                            + " futex and woke it through it, not by its stdin");
                    Workers.await("the worker to sleep on its wake word again", Duration.ofNanos(OPEN_WAIT_NANOS),
                            status::sleepsOnFutex);
                }
            }
        }
    }

    /** {@return the status file of the one worker of this JVM's one pool} */
    private static java.nio.file.Path workerStatusFile() throws java.io.IOException {
        List<java.nio.file.Path> pools = Workers.queueDirectories();
        assertEquals(1, pools.size(), "one pool: " + pools);
        try (var files = java.nio.file.Files.walk(pools.get(0), 2)) {
            List<java.nio.file.Path> statuses = files.filter(f -> f.getFileName().toString().equals("status"))
                    .filter(f -> !f.getParent().getFileName().toString()
                            .startsWith("w" + WorkerLauncher.ARCHIVE_WRITER_SLOT + "-"))
                    .collect(Collectors.toList());
            assertEquals(1, statuses.size(), "one worker: " + statuses);
            return statuses.get(0);
        }
    }

    @Test
    void shouldOpenTheQueuesBeforeReadyInAWorkerThatStartsSequentially() {
        // How the worker that writes the class-data archive starts: on its main thread alone, queues first.
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .jvmOptions("-D" + io.procpool.worker.WorkerMain.SEQUENTIAL_START_PROPERTY + "=true").build()) {
            StartupBreakdown.Worker worker = pool.startupBreakdown().orElseThrow().workers().get(0);
            assertTrue(worker.queues().isPresent(), "its queues were open before it said READY: " + worker);
            assertEquals(List.of(1, 4, 9), pool.map((Task<Integer, Integer>) x -> x * x, List.of(1, 2, 3), 1));
        }
    }

    /**
     * The set-up message and READY crossed the start-up rings: neither side's Chronicle queues were open before the
     * parent read the worker's READY. They may be open since, where the pool has been idle a moment (they open then).
     * The parent's side is given its latest possible moment (its span counts from within the launch), so that this
     * fails where it opened before READY by more than the launch took, as it did when it opened at the launch.
     */
    private static void assertStillOnTheRings(StartupBreakdown breakdown) {
        for (StartupBreakdown.Worker w : breakdown.workers()) {
            Duration workerMain = w.launchedAt().plus(w.launch()).plus(w.jvmBoot());
            w.queues().ifPresent(queues -> assertTrue(workerMain.plus(queues).plusMillis(1).compareTo(w.readyAt()) >= 0,
                    "READY crossed a start-up ring, before the worker's queues opened: " + w));
            w.parentQueues().ifPresent(queues -> assertTrue(
                    w.launchedAt().plus(w.launch()).plus(queues).plusMillis(1).compareTo(w.readyAt()) >= 0,
                    "READY crossed a start-up ring, before the parent's queues opened: " + w));
        }
    }

    private static boolean allOpen(StartupBreakdown breakdown) {
        return breakdown.workers().stream().allMatch(w -> w.queues().isPresent() && w.parentQueues().isPresent());
    }

    @Test
    void shouldSendAMessageTooLargeForTheRingOnTheQueuesAtOnce() {
        try (ProcessPool pool = ProcessPool.builder().processes(1).build()) {
            assertStillOnTheRings(pool.startupBreakdown().orElseThrow());
            byte[] large = new byte[3 * 256 * 1024];
            Arrays.fill(large, (byte) 7);
            large[large.length - 1] = 9;
            byte[] back = pool.apply((Task<byte[], byte[]>) b -> b, large);
            assertArrayEquals(large, back);
            StartupBreakdown.Worker worker = pool.startupBreakdown().orElseThrow().workers().get(0);
            assertTrue(worker.queues().isPresent() && worker.parentQueues().isPresent(),
                    "a message too large for the ring opens the queues of both sides: " + worker);
            assertEquals(5, (int) pool.apply((Task<Integer, Integer>) x -> x + 1, 4), "and they carry on");
        }
    }
}
