package io.procpool.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What tasks leave behind in a directory for a test to see, wherever they ran: a task in a worker JVM cannot touch
 * the test's memory, but it can write a file. Names are {@code started-ID}, {@code interrupted-ID},
 * {@code finished-ID}; a started file holds {@code pid thread-name} of where the task ran.
 */
public final class Marks {
    private Marks() {
    }

    /** Writes mark {@code kind-id} in {@code directory}, holding where the task runs. */
    public static void write(String directory, String kind, Object id) {
        try {
            // Written aside and moved into place, so that a reader never sees a mark without its content.
            Path mark = Path.of(directory, kind + "-" + id);
            Path aside = Path.of(directory, "." + kind + "-" + id + "-" + System.nanoTime());
            Files.writeString(aside, ProcessHandle.current().pid() + " " + Thread.currentThread().getName());
            Files.move(aside, mark, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether mark {@code kind-id} exists */
    public static boolean exists(Path directory, String kind, Object id) {
        return Files.exists(directory.resolve(kind + "-" + id));
    }

    /** @return how many marks of {@code kind} exist */
    public static long count(Path directory, String kind) {
        try (var files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith(kind + "-")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until {@code count} marks of {@code kind} exist: a task's file is the only sign of it a test has.
     *
     * @throws AssertionError if they do not appear within {@code timeout}
     */
    public static void awaitCount(Path directory, String kind, long count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count(directory, kind) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(count + " '" + kind + "' marks did not appear within " + timeout
                        + "; there are " + count(directory, kind));
            }
            try {
                Thread.sleep(5); // polls a file another process writes: there is nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /**
     * Waits until the task that left {@code started-id} is stopped: it saw its interrupt and left
     * {@code interrupted-id} (on a thread of this JVM or of a cluster member), or, in another process, that process
     * has exited (a worker JVM is killed).
     *
     * @throws AssertionError if it still runs after {@code timeout}
     */
    public static void awaitStopped(Path directory, Object id, Duration timeout) throws Exception {
        String[] where = Files.readString(directory.resolve("started-" + id)).split(" ", 2);
        long pid = Long.parseLong(where[0]);
        boolean here = pid == ProcessHandle.current().pid();
        Optional<ProcessHandle> process = here ? Optional.empty() : ProcessHandle.of(pid);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!exists(directory, "interrupted", id) && (here || process.map(ProcessHandle::isAlive).orElse(false))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("task " + id + " (pid " + pid + ", thread " + where[1] + ") was neither "
                        + "interrupted nor its process stopped within " + timeout);
            }
            Thread.sleep(5); // polls a file the task writes when interrupted, and the process's state
        }
    }
}
