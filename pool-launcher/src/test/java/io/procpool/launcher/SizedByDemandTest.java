package io.procpool.launcher;

import io.procpool.PoolStats;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** minProcesses and keepAlive: a pool that grows under load and shrinks when idle, counted as child processes. */
class SizedByDemandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** {@return this JVM's live children that are procpool workers (not the JVM writing a class-data archive)} */
    private static List<ProcessHandle> workerJvms() {
        return Workers.liveChildren().stream()
                .filter(p -> p.info().commandLine().orElse("").contains("io.procpool.worker.WorkerMain"))
                .filter(p -> !CdsArchive.isWriter(p))
                .collect(Collectors.toList());
    }

    @Test
    void shouldStartNoWorkerBeforeTheFirstCallGrowToTheMaximumUnderLoadAndShrinkBackAfterKeepAlive() {
        try (ProcessPool pool = ProcessPool.builder().processes(2).minProcesses(0)
                .keepAlive(Duration.ofMillis(300)).build()) {
            assertEquals(2, pool.size(), "size() is the most workers");
            assertEquals(List.of(), workerJvms(), "minProcesses(0): no worker JVM before the first call");

            // 40 tasks of 50 ms: more than one worker's queue, for long enough that the second one starts.
            List<Long> pids = pool.map((Integer i) -> {
                long end = System.nanoTime() + 50_000_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return ProcessHandle.current().pid();
            }, IntStream.range(0, 40).boxed().collect(Collectors.toList()), 1);
            assertEquals(2, pids.stream().distinct().count(), "the pool grew to its 2 workers under load: " + pids);

            Workers.await("the idle workers to exit after keepAlive", WAIT, () -> workerJvms().isEmpty());
            Workers.await("the live-workers figure to follow them to 0", WAIT, () -> pool.stats().liveWorkers() == 0);
            PoolStats stats = pool.stats();
            assertEquals(0, stats.workersLost(), "a worker leaving for idleness is not lost: " + stats);
            assertEquals(0, stats.workersRecycled(), stats.toString());

            // A pool that shrank to nothing starts again for the next call.
            assertEquals(List.of(2, 4), pool.map((Integer i) -> i * 2, List.of(1, 2)));
        }
        Workers.await("no worker left after close", WAIT, () -> workerJvms().isEmpty());
    }

    @Test
    void shouldKeepTheMinimumAndRunTheNextCallOnItAtOnce() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(2).minProcesses(1)
                .keepAlive(Duration.ofMillis(300)).build()) {
            assertEquals(1, workerJvms().size(), "minProcesses(1) starts one worker");
            CompletableFuture<List<Integer>> load = pool.mapAsync((Integer i) -> {
                long end = System.nanoTime() + 50_000_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return i;
            }, IntStream.range(0, 40).boxed().collect(Collectors.toList()), 1);
            Workers.await("a second worker under load", WAIT, () -> workerJvms().size() == 2);
            Workers.await("the live-workers figure to count it", WAIT, () -> pool.stats().liveWorkers() == 2);
            assertEquals(40, load.get().size());
            Workers.await("the pool to shrink back to its minimum", WAIT, () -> workerJvms().size() == 1);
            long kept = workerJvms().get(0).pid();
            assertEquals(kept, (long) pool.apply((Integer i) -> ProcessHandle.current().pid(), 0),
                    "the next call runs on the worker kept");
            assertEquals(0, pool.stats().workersLost());
        }
    }

    @Test
    void shouldRefuseBadSizesNamingThem() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().processes(2).minProcesses(-1).build());
        assertTrue(negative.getMessage().contains("minProcesses") && negative.getMessage().contains("-1"),
                negative.getMessage());
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().processes(2).minProcesses(3).build());
        assertTrue(above.getMessage().contains("minProcesses") && above.getMessage().contains("3"),
                above.getMessage());
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-5)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProcessPool.builder().minProcesses(0).keepAlive(bad).build());
            assertTrue(e.getMessage().contains("keepAlive"), e.getMessage());
        }
    }
}
