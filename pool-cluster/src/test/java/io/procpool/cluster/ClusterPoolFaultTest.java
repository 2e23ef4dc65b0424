package io.procpool.cluster;

import io.procpool.CloseableIterator;
import io.procpool.PoolException;
import io.procpool.Task;
import io.procpool.TaskTimeoutException;
import io.procpool.WorkerCrashedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members that die under a running call: killed with SIGKILL while an {@code imap} of 400 items runs, and tasks that
 * crash or overrun a member's worker JVMs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterPoolFaultTest {
    private static final int ITEMS = 400;
    private static final int CHUNK = 4;
    /** Slow enough that the call is still running when a member is killed after a quarter of the results. */
    private static final Task<Integer, Integer> SLOW_SQUARE = x -> {
        Thread.sleep(5);
        return x * x;
    };

    private static List<Integer> items() {
        return IntStream.range(0, ITEMS).boxed().collect(Collectors.toList());
    }

    @Test
    void shouldReturnEveryResultOfAnImapWhenAMemberIsKilledUnderRetries() throws Exception {
        try (ClusterPool pool = ClusterPool.builder().localMembers(2).workersPerMember(1).retries(3).build()) {
            List<Integer> results = new ArrayList<>();
            long victim;
            try (CloseableIterator<Integer> iterator = pool.imap(SLOW_SQUARE, items(), CHUNK)) {
                for (int i = 0; i < ITEMS / 4; i++) {
                    results.add(iterator.next());
                }
                victim = pool.memberPids().get(0);
                assertTrue(ProcessHandle.of(victim).orElseThrow().destroyForcibly());
                iterator.forEachRemaining(results::add);
            }
            assertEquals(items().stream().map(x -> x * x).collect(Collectors.toList()), results);
            assertTrue(pool.stats().workersLost() >= 1, "the kill should count as a lost worker: " + pool.stats());
            pool.awaitMembers(2, Duration.ofSeconds(60));
            assertFalse(pool.memberPids().contains(victim), "the killed member should have been replaced");
            assertEquals(List.of(0, 1, 4, 9), pool.map(SLOW_SQUARE, List.of(0, 1, 2, 3), 1));
        }
    }

    @Test
    void shouldFailOnlyTheChunksTheKilledMemberHeldWithoutRetries() throws Exception {
        try (ClusterPool pool = ClusterPool.builder().localMembers(2).workersPerMember(1).build()) {
            List<Integer> expected = items().stream().map(x -> x * x).collect(Collectors.toList());
            List<WorkerCrashedException> failures = new ArrayList<>();
            int correct = 0;
            long victim;
            try (CloseableIterator<Integer> iterator = pool.imap(SLOW_SQUARE, items(), CHUNK)) {
                for (int i = 0; i < ITEMS / 4; i++) {
                    assertEquals(expected.get(i), iterator.next());
                    correct++;
                }
                victim = pool.memberPids().get(0);
                assertTrue(ProcessHandle.of(victim).orElseThrow().destroyForcibly());
                for (int i = ITEMS / 4; i < ITEMS; i++) {
                    try {
                        assertEquals(expected.get(i), iterator.next(), "item " + i);
                        correct++;
                    } catch (PoolException e) {
                        failures.add(assertInstanceOf(WorkerCrashedException.class, e, "item " + i));
                    }
                }
            }
            // The member held at most two chunks in flight (twice its one worker) when it was killed.
            assertFalse(failures.isEmpty(), "the killed member's chunks should fail");
            assertTrue(failures.size() <= 2 * CHUNK, failures.size() + " items failed: " + failures);
            assertEquals(ITEMS, correct + failures.size());
            for (WorkerCrashedException failure : failures) {
                assertEquals(victim, failure.pid(), failure.getMessage());
                assertTrue(failure.getMessage().contains("member 127.0.0.1:")
                        && failure.getMessage().contains("pid " + victim), failure.getMessage());
            }
            assertEquals(List.of(0, 1, 4, 9), pool.map(SLOW_SQUARE, List.of(0, 1, 2, 3), 1),
                    "the pool should carry on after a lost member");
        }
    }

    @Test
    void shouldContainACrashingTaskInAMembersWorkerProcessAndStopAnOverrunningOne() {
        // The workers map a class-data archive or run without one; none writes one (a JVM of the pool's own does),
        // which would dump it as it halts and, on a loaded machine, outlast the 2 s timeout.
        try (ClusterPool pool = ClusterPool.builder().localMembers(1).workersPerMember(2).workerProcesses(true)
                .taskTimeout(Duration.ofSeconds(2)).build()) {
            List<Long> members = pool.memberPids();
            Task<Integer, Integer> halt = x -> {
                Runtime.getRuntime().halt(3);
                return x;
            };
            Task<Integer, Long> workerPid = x -> ProcessHandle.current().pid();
            PoolException crash = assertThrows(PoolException.class, () -> pool.apply(halt, 1));
            assertInstanceOf(WorkerCrashedException.class, crash, "a worker JVM of the member died: " + crash);
            Task<Integer, Integer> overrun = x -> {
                Thread.sleep(60_000);
                return x;
            };
            long start = System.nanoTime();
            PoolException late = assertThrows(PoolException.class, () -> pool.apply(overrun, 1));
            assertInstanceOf(TaskTimeoutException.class, late, "the task overran its time limit: " + late);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "stopped at its limit");
            assertEquals(members, pool.memberPids(), "the member itself should survive both");
            long taskPid = pool.apply(workerPid, 0);
            assertNotEquals(members.get(0).longValue(), taskPid, "tasks should run in the member's worker JVMs");
        }
    }
}
