package io.procpool.launcher;

import io.procpool.PoolStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxMemoryPerChild: a leaking worker is replaced once its resident memory passes the limit, losing nothing. */
class MaxMemoryPerChildTest {
    private static final long MIB = 1 << 20;
    private static final long LIMIT = 200 * MIB;
    private static final int LEAK_BYTES = 48 << 20;
    private static final int CALLS = 15;
    /** What a worker holds for good: every block a call leaked, as a leaking library would. */
    private static final List<byte[]> LEAKED = new ArrayList<>();

    @TempDir
    Path temp;

    /** Calls this worker ran. */
    private static int callsHere;

    /** Where a call ran, its turn there, and the worker's resident memory as the call began and ended. */
    record Seen(long pid, int turn, long residentBefore, long residentBytes) implements java.io.Serializable {
    }

    @Test
    void shouldReplaceALeakingWorkerOnceAboveTheLimitLosingAndRepeatingNothing() {
        Path runs = temp;
        try (ProcessPool pool = ProcessPool.builder().processes(2).maxMemoryPerChild(LIMIT)
                .jvmOptions("-Xmx512m", "-Xmn16m").build()) {
            List<Seen> seen = pool.map((Integer i) -> leak(i, runs),
                    IntStream.range(0, CALLS).boxed().collect(Collectors.toList()), 1);

            assertEquals(CALLS, seen.size());
            Set<Long> pids = seen.stream().map(Seen::pid).collect(Collectors.toSet());
            long mostResident = seen.stream().mapToLong(Seen::residentBytes).max().orElseThrow();
            long mostGrowth = seen.stream().mapToLong(s -> s.residentBytes() - s.residentBefore()).max().orElseThrow();
            System.out.printf("%d calls leaking %d MiB each under %d MiB: %d workers, at most %d MiB resident, "
                    + "a call's growth at most %d MiB; %s%n", CALLS, LEAK_BYTES / MIB, LIMIT / MIB, pids.size(),
                    mostResident / MIB, mostGrowth / MIB, pool.stats());
            // A worker starts near 40 MiB: it passes 200 MiB on its fourth leak at the latest, its fifth call.
            assertTrue(pids.size() >= CALLS / 5, "the leaking workers were not replaced: " + pids.size() + " pids");
            // Each call ran once: a call run twice would have found its mark (and failed), and one lost is missing.
            for (int i = 0; i < CALLS; i++) {
                assertTrue(Files.exists(runs.resolve(Integer.toString(i))), "call " + i + " did not run");
            }
            // The worker is measured after each chunk: it may pass the limit by one call's growth, no more. So no
            // call begins in a worker above the limit, and the call that took it past was that worker's last.
            for (Seen call : seen) {
                assertTrue(call.residentBefore() <= LIMIT, "a call began in a worker above the limit: " + call);
                int last = seen.stream().filter(s -> s.pid() == call.pid()).mapToInt(Seen::turn).max().orElseThrow();
                assertTrue(call.residentBytes() <= LIMIT || call.turn() == last,
                        "a worker above the limit ran another call: " + call);
            }
            Workers.await("the replaced workers to count as recycled", Duration.ofSeconds(30),
                    () -> pool.stats().workersRecycled() >= pids.size() - 2);
            PoolStats stats = pool.stats();
            assertEquals(0, stats.workersLost(), "a worker replaced for its memory is not lost: " + stats);
            assertEquals(0, stats.tasksFailed(), stats.toString());
        }
    }

    @Test
    void shouldRefuseALimitOfZeroOrLessNamingIt() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().maxMemoryPerChild(0));
        assertTrue(zero.getMessage().contains("maxMemoryPerChild") && zero.getMessage().contains("0"),
                zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().maxMemoryPerChild(-1));
        assertTrue(negative.getMessage().contains("-1"), negative.getMessage());
    }

    /** Runs in a worker: marks the call as run (failing if it already was), leaks a block, says where it ran. */
    private static Seen leak(int call, Path runs) {
        try {
            Files.createFile(runs.resolve(Integer.toString(call)));
        } catch (IOException e) {
            throw new UncheckedIOException("call " + call + " ran twice", e);
        }
        long before = residentBytes();
        byte[] block = new byte[LEAK_BYTES];
        for (int k = 0; k < block.length; k += 4096) {
            block[k] = 1; // resident, not merely reserved
        }
        LEAKED.add(block);
        return new Seen(ProcessHandle.current().pid(), ++callsHere, before, residentBytes());
    }

    /** {@return this process's resident memory, VmRSS of /proc/self/status} */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
