package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.internal.PoolCounters;
import io.procpool.launcher.internal.core.SlotEnd;
import io.procpool.launcher.internal.core.SlotFactory;
import io.procpool.launcher.internal.core.WorkerSlot;
import io.procpool.worker.internal.transport.Directories;

import com.esotericsoftware.kryo.io.Output;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.JvmFlags;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.logging.Quiet;
import io.procpool.worker.internal.protocol.ShippedClass;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;
import io.procpool.worker.WorkerMain;
import org.apache.commons.exec.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Starts worker JVMs: the same {@code java} and the same classpath as this JVM, the flags Chronicle needs, the
 * properties that keep it quiet, then the user's {@code jvmOptions}. The classpath travels in an argument file, so
 * a long one does not hit the operating system's limit on a command line.
 */
final class WorkerLauncher implements SlotFactory {
    private static final String CRASH_REPORT_PREFIX = "procpool-worker-hs_err_pid";
    /** The slot number that names the archive writer's directory and threads: no worker's. */
    static final int ARCHIVE_WRITER_SLOT = 9999;

    /** {@return where a crashed worker's JVM writes its report} */
    static Path crashReportOf(long pid) {
        return crashReport(Long.toString(pid));
    }

    /** @param pid a pid, or {@code %p} for the JVM's own pattern */
    private static Path crashReport(String pid) {
        return Path.of(System.getProperty("java.io.tmpdir"), CRASH_REPORT_PREFIX + pid + ".log");
    }

    private final PoolConfig config;
    private final PoolDirectory directory;
    private final PoolCounters counters;
    private final byte[] initializerBytes;
    /** The classes that exist only in this JVM's memory which the initializer needs, sent ahead of INIT. */
    private final List<ShippedClass> initializerClasses;
    private final Path argumentFile;
    private final String launchClasspath;
    private final List<String> commandLine;
    private final CdsArchive cds;
    /** The JVM writing the class-data archive, if this pool started one; at most one per pool. */
    private ArchiveWriter archiveWriter;
    /** Where the pool is with its one archive writer: due once a worker launched without an archive. */
    private ArchiveWriting archiveWriting = ArchiveWriting.NOT_DUE;
    private int generation;

    WorkerLauncher(PoolConfig config, PoolDirectory directory, PoolCounters counters) {
        this.config = config;
        this.directory = directory;
        this.counters = counters;
        this.initializerBytes = config.initializer() == null ? null
                : ValueSerializers.toBytes(config.serialization(), config.initializer(), "the initializer");
        this.initializerClasses = config.initializer() == null ? List.of()
                : InMemoryClasses.needed(config.initializer().getClass(),
                        loader -> Classpath.covers(config.workerClasspath(), loader));
        this.argumentFile = directory.path().resolve("worker.args");
        // The same classes, with directories packed into jars: class-data sharing takes only jars.
        this.launchClasspath = DirectoryJars.pack(config.workerClasspath());
        this.commandLine = buildCommandLine();
        this.cds = CdsArchive.forClasspath(launchClasspath, "worker", config.jvmOptions());
        if (cds != null) {
            ArchiveWriter.niceValue(); // a bad setting fails the pool's build, naming it, not a worker's start
        }
    }

    private List<String> buildCommandLine() {
        try {
            Files.write(argumentFile, List.of("-cp", quote(launchClasspath)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + argumentFile, e);
        }
        List<String> command = new ArrayList<>();
        command.add(config.javaExecutable().toString());
        command.add("@" + argumentFile);
        // First, so that procpool's own settings and the pool's jvmOptions, which come later, win. The system
        // properties come first of the common options.
        List<String> common = ChildJvms.commonOptions();
        int properties = InheritedOptions.systemProperties().size();
        command.addAll(common.subList(0, properties));
        command.add(InheritedOptions.maxHeap(config.processes()));
        command.addAll(InheritedOptions.workerDefaults(config.jvmOptions()));
        command.addAll(InheritedOptions.heapKept(config.jvmOptions()));
        command.addAll(InheritedOptions.perfDataOff(config.jvmOptions()));
        command.addAll(common.subList(properties, common.size()));
        command.addAll(Quiet.asJvmOptions());
        // Both sides of a queue must agree on its sizes: the pool chose them for its directory's space.
        command.addAll(directory.sizes().asJvmOptions());
        // A worker out of memory must die and be replaced, not linger half-broken.
        command.add("-XX:+ExitOnOutOfMemoryError");
        // A crashed worker's report goes beside other temporary files, not into the application's directory.
        command.add("-XX:ErrorFile=" + crashReport("%p"));
        command.add("-D" + WorkerMain.PARENT_HEARTBEAT_TIMEOUT_PROPERTY + "="
                + 3 * config.heartbeatTimeout().toMillis());
        String allowList = config.classFilter().asJvmOption();
        if (allowList != null) {
            command.add(allowList);
        }
        command.add("-D" + IdleStrategy.PROPERTY + "=" + config.idleMode().name());
        command.add("-D" + ValueSerializers.PROPERTY + "=" + config.serialization().name());
        command.addAll(config.jvmOptions());
        command.add(WorkerMain.class.getName());
        return command;
    }

    /** Quotes an argument-file value so that spaces and backslashes in paths survive. */
    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A worker exited: nothing of the pool's own is left to tidy; the archive is its writer's ({@link ArchiveWriter}). */
    @Override
    public void ended(WorkerSlot slot, boolean normally) {
    }

    /**
     * Memory-mapped queue files on a full file system fail with SIGBUS, which would take this JVM down: check the
     * space first, and stop with a clear error instead.
     */
    @Override
    public void checkResources() {
        long free = Directories.usableBytes(directory.path());
        // Room for two segments: below this a mapped write could meet a full file system.
        long needed = directory.sizes().minimumFreeBytes();
        if (free < needed) {
            throw new PoolException(String.format("the file system of the queue directory %s is too small: "
                    + "%d MiB free, procpool needs at least %d MiB; free some space or choose another directory "
                    + "with ProcessPool.builder().queueDirectory(...)", directory.path(), free >> 20,
                    needed >> 20));
        }
    }

    /** Ends the archive's writer if it is still at work, and deletes the pool's directory with what workers left. */
    @Override
    public void close() {
        if (archiveWriter != null) {
            archiveWriter.close();
        }
        directory.delete();
    }

    /**
     * {@return the command line a worker starts with, for error messages}
     */
    String describeCommand(Path workerDirectory) {
        return String.join(" ", commandLine) + " " + workerDirectory + " " + ProcessHandle.current().pid();
    }

    /**
     * Starts a worker in {@code slot}. Its INIT message is written to its tasks queue before it starts, so it finds
     * its set-up waiting.
     */
    @Override
    public WorkerSlot start(int slot, Consumer<SlotEnd> onEnd) {
        long launchedNanos = System.nanoTime();
        Path workerDirectory = directory.workerDirectory(slot, generation++);
        createPrivateDirectory(workerDirectory, "worker " + slot);
        WorkerProcess worker = new WorkerProcess(config.name(), slot, workerDirectory,
                describeCommand(workerDirectory));
        List<String> sharing = cds == null ? List.of() : cds.readOptions();
        worker.archive = sharing.isEmpty() ? "none" : "read";
        CommandLine command = new CommandLine(commandLine.get(0));
        for (String option : sharing) {
            command.addArgument(option, false);
        }
        for (String argument : commandLine.subList(1, commandLine.size())) {
            command.addArgument(argument, false);
        }
        command.addArgument(workerDirectory.toString(), false);
        command.addArgument(Long.toString(ProcessHandle.current().pid()), false);
        prepare(worker, slot, true);
        WorkerSlot workerSlot = new WorkerSlot(slot, launchedNanos, worker, Protocol.MAX_FUNCTIONS_PER_WORKER);
        worker.start(command, exit -> onEnd.accept(new SlotEnd(workerSlot, exit.exitCode(), exit.launchFailure())));
        if (archiveWriting == ArchiveWriting.NOT_DUE && sharing.isEmpty() && cds != null) {
            archiveWriting = ArchiveWriting.DUE; // it starts once the launches are done (afterLaunch)
        }
        return workerSlot;
    }

    /**
     * While the worker boots: its serialiser (a JVM's first builds Kryo's registrations, about a tenth of a second
     * that no longer comes before any launch), then the archive's writer if one is due, once per pool, after the
     * workers so that it never comes before one.
     */
    @Override
    public void afterLaunch(WorkerSlot slot) {
        WorkerProcess worker = (WorkerProcess) slot.channel();
        if (!worker.hasValues()) {
            worker.useValues(newValues(worker));
        }
        if (archiveWriting == ArchiveWriting.DUE) {
            archiveWriting = ArchiveWriting.TRIED;
            List<String> write = cds.claimWrite();
            if (!write.isEmpty()) {
                archiveWriter = startArchiveWriter(write);
            }
        }
    }

    private ValueSerializer newValues(WorkerProcess worker) {
        try {
            return ValueSerializers.create(config.serialization(), config.classFilter(), directory.path(),
                    directory.sizes(), config.resultLoader());
        } catch (RuntimeException e) {
            throw new PoolException("cannot create the serialiser of " + worker + ": " + e.getMessage(), e);
        }
    }

    /** Creates a worker's directory, private like the pool's: a worker refuses a directory that others may write. */
    private static void createPrivateDirectory(Path path, String whose) {
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(path,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(path);
            }
        } catch (IOException e) {
            throw new PoolException("cannot create the directory of " + whose + ": " + path, e);
        }
    }

    /**
     * Makes a worker's files and its parent's side of the channel, and puts its set-up message in its tasks ring.
     *
     * @param withInitializer whether the set-up carries the pool's initializer (not for the archive's writer, which
     *                        must not run the user's code)
     */
    private void prepare(WorkerProcess worker, int slot, boolean withInitializer) {
        QueueLayout layout = new QueueLayout(worker.directory, directory.sizes());
        try {
            worker.createStatus(layout);
            worker.openChannel(layout, counters);
        } catch (IOException | RuntimeException e) {
            worker.release();
            throw new PoolException("cannot create the status file or start-up rings of worker " + slot + " in "
                    + worker.directory + ": " + e.getMessage(), e);
        }
        boolean initializer = withInitializer && initializerBytes != null;
        if (initializer && !initializerClasses.isEmpty()) {
            worker.useValues(newValues(worker)); // the classes cross ahead of the set-up, before the launch
            worker.sendClasses(initializerClasses);
        }
        try (Output init = new Output(256, -1)) {
            Protocol.writeHeader(init, Protocol.INIT);
            init.writeVarInt(config.maxTasksPerChild(), true);
            init.writeVarLong(config.maxMemoryPerChild(), true);
            init.writeBoolean(config.taskTimeout() != null);
            init.writeBoolean(initializer);
            if (initializer) {
                init.writeVarInt(initializerBytes.length, true);
                init.writeBytes(initializerBytes);
            }
            worker.sendInit(init.getBuffer(), init.position());
        }
    }

    /**
     * Starts the JVM that writes the class-data archive ({@link ArchiveWriter}): a worker in a directory of its own
     * whose set-up message (without the initializer) is followed by a shutdown, started at the lowest CPU priority
     * and on its main thread alone. A writer that cannot be started leaves the archive to a later pool.
     *
     * @param writeOptions the options that write the archive, claimed
     */
    private ArchiveWriter startArchiveWriter(List<String> writeOptions) {
        Path writerDirectory = directory.workerDirectory(ARCHIVE_WRITER_SLOT, 0);
        WorkerProcess writer = new WorkerProcess(config.name(), ARCHIVE_WRITER_SLOT, writerDirectory,
                describeCommand(writerDirectory));
        ArchiveWriter archiveWriter = new ArchiveWriter(writer, cds);
        try {
            createPrivateDirectory(writerDirectory, "the class-data archive's writer");
            prepare(writer, ARCHIVE_WRITER_SLOT, false);
            writer.sendShutdown();
        } catch (PoolException e) {
            cds.writerExited(false);
            writer.release();
            return null;
        }
        List<String> arguments = new ArrayList<>(writeOptions);
        // Its archive must hold Chronicle's classes, and a JVM dumping one must not link lambdas on several threads
        // at once: it starts on its main thread alone and opens its queues before READY.
        arguments.add("-D" + WorkerMain.SEQUENTIAL_START_PROPERTY + "=true");
        arguments.addAll(commandLine.subList(1, commandLine.size()));
        arguments.add(writerDirectory.toString());
        arguments.add(Long.toString(ProcessHandle.current().pid()));
        archiveWriter.start(ArchiveWriter.commandLine(commandLine.get(0), arguments));
        return archiveWriter;
    }

    /** The archive writer's course in a pool: at most one is tried, after the launch that made it due. */
    private enum ArchiveWriting {
        NOT_DUE, DUE, TRIED
    }
}
