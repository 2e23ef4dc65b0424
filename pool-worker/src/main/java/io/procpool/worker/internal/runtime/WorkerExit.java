package io.procpool.worker.internal.runtime;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * How a worker JVM ends: at once, with {@code Runtime.halt}, so that threads a task started cannot keep a finished
 * worker alive and no shutdown hook of the application's runs late; after writing the flight recordings that JFR
 * would have written from its own shutdown hook. One exit per JVM: the first thread to exit exits, any other waits
 * for it. Its stdin, where the parent's wake-ups arrive, is closed first, so that a thread blocked reading it
 * returns.
 */
final class WorkerExit {
    /** The longest an exit waits for flight recordings to be written, so that a large one cannot hold up close(). */
    private static final long RECORDINGS_TIMEOUT_MILLIS = 10_000;

    /** Where the parent writes a byte to wake a sleeping worker (see {@link WorkerLoop}), and ends when it dies. */
    private static final ReadableByteChannel STDIN = new FileInputStream(FileDescriptor.in).getChannel();
    /** Set once the worker has decided how it exits, so that closing stdin is not taken for the parent's death. */
    private static volatile boolean exiting;
    /** Claimed by the one thread that exits. */
    private static final AtomicBoolean EXIT_STARTED = new AtomicBoolean();
    /** Wakes the main thread from a sleep on its futex; set once the worker's status is open. */
    private static volatile Runnable wakeSleeper = () -> { };

    private WorkerExit() {
    }

    /** {@return the worker's stdin, as a channel that {@link #exit} closes to unblock its reader} */
    static ReadableByteChannel stdin() {
        return STDIN;
    }

    /** {@return whether the worker is exiting: stdin closing then is not the parent's death} */
    static boolean exiting() {
        return exiting;
    }

    /**
     * Closes stdin, so that a read of it does not hold up the exit; a shutdown hook (a task's {@code System.exit}
     * runs the hooks) as well as the first step of {@link #exit}.
     */
    static void closeStdin() {
        exiting = true;
        try {
            STDIN.close();
        } catch (IOException e) {
            // Exiting anyway.
        }
    }

    /**
     * Exits now, without shutdown hooks, after unblocking the stdin reader (see {@link WorkerLoop}) and writing the
     * flight recordings. The first thread to call it exits; any other waits here for that exit, so that two exits
     * cannot race (one halting while the other still writes a flight recording).
     *
     * @param code the exit code
     */
    static void exit(int code) {
        if (!EXIT_STARTED.compareAndSet(false, true)) {
            awaitExit();
        }
        exiting = true;
        closeStdin();
        // A thread in native code holds up a JVM's exit by up to 300 ms (HotSpot waits for it to block): a main
        // thread asleep on its futex is woken, and parks, as closing stdin does for one reading it.
        wakeSleeper.run();
        writeFlightRecordings();
        Runtime.getRuntime().halt(code);
    }

    /**
     * Says how to wake the main thread from a sleep on its futex, for {@link #exit}.
     *
     * @param wake wakes it; safe from any thread, and when it is not asleep
     */
    static void wakeSleeperOnExit(Runnable wake) {
        wakeSleeper = wake;
    }

    /** Waits, for ever, for the exit another thread has begun. */
    static void awaitExit() {
        while (true) {
            LockSupport.park();
        }
    }

    /**
     * Stops the running flight recordings that would be written at exit, which writes them: JFR writes them from a
     * shutdown hook, which {@code halt} skips. A recording with a file name goes there; one with a directory, or
     * only to be dumped at exit, goes where JFR would put it, a name with the process id in that directory or in the
     * working directory. On a thread of its own, waited for at most {@value #RECORDINGS_TIMEOUT_MILLIS} ms. Only
     * the JFR class that says whether JFR started is loaded unless a recording was started.
     */
    private static void writeFlightRecordings() {
        try {
            if (!jdk.jfr.FlightRecorder.isInitialized()) {
                return; // the usual exit: no thread to start, nothing to wait for
            }
        } catch (LinkageError e) {
            return; // a runtime without JFR
        }
        Thread writer = new Thread(() -> {
            try {
                for (jdk.jfr.Recording recording : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
                    if (recording.getState() != jdk.jfr.RecordingState.RUNNING) {
                        continue;
                    }
                    Path destination = recording.getDestination();
                    if (destination == null && !recording.getDumpOnExit()) {
                        continue;
                    }
                    if (destination == null || Files.isDirectory(destination)) {
                        // Named as JFR names it: several workers given one directory write a file each.
                        String name = "hotspot-pid-" + ProcessHandle.current().pid() + "-id-" + recording.getId()
                                + "-" + LocalDateTime.now().format(
                                DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss")) + ".jfr";
                        recording.setDestination((destination == null ? recordingDirectory() : destination)
                                .resolve(name));
                    }
                    recording.stop();
                }
                deleteRepository();
            } catch (RuntimeException | LinkageError | IOException e) {
                // A runtime without JFR, or a recording that cannot be written: the exit goes on.
            }
        }, "procpool-write-recordings");
        writer.setDaemon(true);
        writer.start();
        try {
            writer.join(RECORDINGS_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // exiting anyway
        }
    }

    /**
     * Deletes JFR's repository, the directory it keeps a recording's chunks in while it runs, once the recordings
     * are written and it is empty: JFR deletes it from the shutdown hook that {@code halt} skips, and would leave one
     * empty directory per worker in the temporary directory. A recording still running keeps it.
     */
    private static void deleteRepository() {
        String repository = System.getProperty("jdk.jfr.repository");
        if (repository == null) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(repository));
        } catch (IOException e) {
            // Not empty (a recording still running), or not ours to delete: left as JFR would leave it.
        }
    }

    /**
     * A recording started with {@code -XX:StartFlightRecording:filename=<directory>} keeps that directory to itself
     * (its {@code getDestination()} is null): it is read back from this JVM's options.
     *
     * @return the directory named by a flight recording option, or the working directory if none names one
     */
    private static Path recordingDirectory() {
        String option = "-XX:StartFlightRecording";
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!argument.startsWith(option)) {
                continue;
            }
            for (String part : argument.substring(option.length()).replaceFirst("^[:=]", "").split(",")) {
                if (part.startsWith("filename=")) {
                    Path path = Path.of(part.substring("filename=".length()));
                    if (Files.isDirectory(path)) {
                        return path;
                    }
                }
            }
        }
        return Path.of("");
    }
}
