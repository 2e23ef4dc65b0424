package io.procpool.launcher;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A parent JVM killed with SIGKILL cannot clean up: its workers must notice and exit by themselves, and the next
 * pool removes the queue directory it left. The parent here is a JVM of its own, started like an application from
 * an IDE would be (a plain classpath with the flags on the command line).
 */
class ParentDeathTest {

    @Test
    void shouldStopEveryWorkerWithinTwoSecondsOfTheParentsSigkill() throws Exception {
        stopsEveryWorkerOnTheParentsSigkill("wait", true);
    }

    @Test
    void shouldStopEveryWorkerAsleepOnItsFutexWithinTwoSecondsOfTheParentsSigkill() throws Exception {
        // Idle workers whose queues are open sleep on a futex, not on their stdin: its end must still reach them.
        // The directory's removal is the test above's: this parent lived long enough for an archive's writer, a
        // child of its own that a fresh checkout's first pools start, to be at work when it died.
        stopsEveryWorkerOnTheParentsSigkill("settled", false);
    }

    private static void stopsEveryWorkerOnTheParentsSigkill(String mode, boolean checkCleanUp) throws Exception {
        Process parent = Workers.startJvm(ParentProgram.class, mode);
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = Workers.awaitLine(lines, "workers ");
            List<ProcessHandle> workers = new ArrayList<>();
            for (String pid : line.substring("workers ".length()).split(",")) {
                workers.add(ProcessHandle.of(Long.parseLong(pid)).orElseThrow());
            }
            assertEquals(2, workers.size(), line);
            String directoryPrefix = "procpool-" + parent.pid() + "-";

            parent.destroyForcibly();
            assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
            long killed = System.nanoTime();
            for (ProcessHandle worker : workers) {
                Workers.await("worker " + worker.pid() + " to exit after its parent died", Duration.ofSeconds(2),
                        () -> !Workers.isRunning(worker));
            }
            long exitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            System.out.println(mode + ": workers exited " + exitedMs + " ms after their parent's SIGKILL");

            if (!checkCleanUp) {
                return;
            }
            // The dead parent's queue directory is removed by the next pool made on this machine.
            try (ProcessPool next = ProcessPool.create(1)) {
                assertEquals(1, next.apply((Integer i) -> i, 1));
            }
            try (var entries = java.nio.file.Files.list(Path.of("/dev/shm"))) {
                assertEquals(List.of(), entries.filter(p -> p.getFileName().toString().startsWith(directoryPrefix))
                        .collect(Collectors.toList()));
            }
        } finally {
            parent.destroyForcibly();
        }
    }
}
