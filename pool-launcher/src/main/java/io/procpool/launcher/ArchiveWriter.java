package io.procpool.launcher;

import org.apache.commons.exec.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The JVM that writes a pool's class-data archive, off the pool's critical path: a worker started like the others,
 * in a directory of its own, whose tasks ring holds its set-up message and then a shutdown, so that it boots, builds
 * its serialiser, opens its Chronicle queues (on its main thread alone: it starts sequentially), says READY and exits
 * at once, writing the archive of all it loaded as it exits. It runs no task and takes no slot: the pool's workers
 * start beside it without an archive, as fast as they would with archives off, where a worker writing the archive
 * would start on its main thread alone, open its queues at once and delay its own exit by the dump.
 *
 * <p>It runs at the lowest CPU priority where the platform has {@code nice}: on a small machine it then takes only
 * cores the pool's workers leave idle. A pool that closes before it is done gives it {@link #CLOSE_GRACE_MILLIS}
 * (with the workers gone it has the cores), then kills it; a writer killed so was on a machine too busy to let it
 * run, and this JVM starts no other for the same archive ({@link CdsArchive#giveUp()}), so that no later pool's
 * {@code close()} waits for one in vain. The next run of the program tries again.
 *
 * <p>Threads: {@link #start} and {@link #close} on the pool's thread that starts and closes workers; the exit
 * callback on the process's watcher thread.
 */
final class ArchiveWriter {
    /** How long a closing pool waits for a writer still at work before it kills it. */
    static final long CLOSE_GRACE_MILLIS = 3_000;
    /**
     * The system property with the writer's {@code nice} value, 0 to 19: 19 (the default) gives it only the cores
     * nothing else wants; a machine that is never idle may want a lower value, so that the archive gets written.
     */
    static final String NICE_PROPERTY = "procpool.archiveWriterNice";
    private static final int DEFAULT_NICE = 19;
    /** {@code nice}, where the platform has it at one of its usual places; {@code null} elsewhere. */
    private static final Path NICE = List.of(Path.of("/usr/bin/nice"), Path.of("/bin/nice")).stream()
            .filter(Files::isExecutable).findFirst().orElse(null);

    private final WorkerProcess process;
    private final CdsArchive archive;
    private final CountDownLatch exited = new CountDownLatch(1);

    /**
     * @param process the writer's worker process: its status file and rings made, its set-up message and a
     *                shutdown already in its tasks ring
     * @param archive the archive it writes, claimed for it ({@link CdsArchive#claimWrite()})
     */
    ArchiveWriter(WorkerProcess process, CdsArchive archive) {
        this.process = process;
        this.archive = archive;
    }

    /**
     * Builds the writer's command line: {@code nice -n 19} (or the value of {@value #NICE_PROPERTY}) where there is
     * a {@code nice}, then the workers' own.
     *
     * @param java      the {@code java} executable
     * @param arguments the rest of the command line, as a worker's
     * @return the command line
     * @throws IllegalArgumentException if {@value #NICE_PROPERTY} is not a number from 0 to 19
     */
    static CommandLine commandLine(String java, List<String> arguments) {
        int nice = niceValue();
        CommandLine command;
        if (NICE != null && nice > 0) {
            command = new CommandLine(NICE.toString());
            command.addArgument("-n", false);
            command.addArgument(Integer.toString(nice), false);
            command.addArgument(java, false);
        } else {
            command = new CommandLine(java);
        }
        for (String argument : arguments) {
            command.addArgument(argument, false);
        }
        return command;
    }

    /** {@return the writer's nice value, from {@value #NICE_PROPERTY}} */
    static int niceValue() {
        String value = System.getProperty(NICE_PROPERTY);
        if (value == null) {
            return DEFAULT_NICE;
        }
        try {
            int nice = Integer.parseInt(value.strip());
            if (nice >= 0 && nice <= DEFAULT_NICE) {
                return nice;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("-D" + NICE_PROPERTY + " must be a number from 0 to 19, was '" + value
                + "'");
    }

    /** Starts the JVM; when it exits, the archive is kept (a clean exit) or dropped, and its directory deleted. */
    void start(CommandLine command) {
        process.start(command, exit -> {
            archive.writerExited(exit.launchFailure() == null && exit.exitCode() == 0);
            process.release();
            exited.countDown();
        });
    }

    /**
     * Waits up to {@code millis} for the writer to exit.
     *
     * @return whether it has exited
     */
    boolean awaitExit(long millis) throws InterruptedException {
        return exited.await(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Gives a writer still at work {@link #CLOSE_GRACE_MILLIS} to finish, then kills it (and gives its archive up in
     * this JVM), and waits for its exit to be handled (the archive dropped, its directory deleted), so that nothing
     * of it outlives the pool.
     */
    void close() {
        boolean interrupted = false;
        try {
            try {
                if (awaitExit(CLOSE_GRACE_MILLIS)) {
                    return;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            archive.giveUp();
            process.kill("the pool closed before it had written the class-data archive");
            while (true) {
                try {
                    if (!awaitExit(CLOSE_GRACE_MILLIS)) {
                        process.release(); // its watcher never reported: the directory goes with the pool's
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            process.awaitWatcher(CLOSE_GRACE_MILLIS);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
