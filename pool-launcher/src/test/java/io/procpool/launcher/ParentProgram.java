package io.procpool.launcher;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The parent JVM of the tests that make a parent die, freeze or leave: it starts a pool, runs tasks on both
 * workers, prints "workers pid,pid", and then returns from main without closing the pool ({@code return}), or
 * waits to be killed ({@code wait}; {@code freeze}, with a heartbeat timeout of one second; {@code settled}, once
 * its idle workers sleep on their futex, which they do once their queues have opened).
 */
public final class ParentProgram {
    private ParentProgram() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "return";
        ProcessPool pool = mode.equals("freeze")
                ? ProcessPool.builder().processes(2).heartbeatTimeout(Duration.ofSeconds(1)).build()
                : ProcessPool.create(2);
        List<Long> pids = pool.map((Integer i) -> {
            Thread.sleep(50);
            return ProcessHandle.current().pid();
        }, List.of(1, 2, 3, 4, 5, 6), 1);
        if (mode.equals("settled")) {
            awaitFutexSleeps();
        }
        System.out.println("workers " + pids.stream().distinct().map(String::valueOf)
                .collect(Collectors.joining(",")));
        System.out.flush();
        if (!mode.equals("return")) {
            Thread.sleep(60_000);
        }
        // Returns without close(): the pool's clean-up is the JVM's exit.
    }

    /** Waits, at most 30 s, until both workers sleep on their futex, read from their status files. */
    private static void awaitFutexSleeps() throws java.io.IOException {
        java.nio.file.Path pool = Workers.queueDirectories().get(0);
        List<java.nio.file.Path> statuses;
        try (var files = java.nio.file.Files.walk(pool, 2)) {
            statuses = files.filter(f -> f.getFileName().toString().equals("status"))
                    .filter(f -> !f.getParent().getFileName().toString()
                            .startsWith("w" + WorkerLauncher.ARCHIVE_WRITER_SLOT + "-"))
                    .collect(Collectors.toList());
        }
        for (java.nio.file.Path file : statuses) {
            try (io.procpool.worker.internal.transport.StatusDescriptor status =
                         io.procpool.worker.internal.transport.StatusDescriptor.open(file)) {
                Workers.await("worker of " + file + " to sleep on its futex", Duration.ofSeconds(30),
                        status::sleepsOnFutex);
            }
        }
    }
}
