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

    /** A worker exited: if it was writing the class-data archive, keep the archive or let another try. */
    @Override
    public void ended(WorkerSlot slot, boolean normally) {
        WorkerProcess worker = (WorkerProcess) slot.channel();
        if (worker.writesArchive && cds != null) {
            cds.writerExited(normally);
        }
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

    /** Deletes the pool's directory, with whatever its workers left. */
    @Override
    public void close() {
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
        try {
            // Private, like the pool's directory: a worker refuses a directory that others may write.
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(workerDirectory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(workerDirectory);
            }
        } catch (IOException e) {
            throw new PoolException("cannot create the directory of worker " + slot + ": " + workerDirectory, e);
        }
        WorkerProcess worker = new WorkerProcess(config.name(), slot, workerDirectory,
                describeCommand(workerDirectory));
        CommandLine command = new CommandLine(commandLine.get(0));
        CdsArchive.Options sharing = cds == null ? new CdsArchive.Options(List.of(), false) : cds.nextWorker();
        for (String option : sharing.jvmOptions()) {
            command.addArgument(option, false);
        }
        worker.writesArchive = sharing.writesArchive();
        if (sharing.writesArchive()) {
            // The archive must hold Chronicle's classes even if this worker runs no task, and a JVM dumping one
            // must not link lambdas on several threads at once: it starts on its main thread alone.
            command.addArgument("-D" + WorkerMain.SEQUENTIAL_START_PROPERTY + "=true", false);
        }
        worker.archive = sharing.jvmOptions().isEmpty() ? "none" : sharing.writesArchive() ? "write" : "read";
        for (String argument : commandLine.subList(1, commandLine.size())) {
            command.addArgument(argument, false);
        }
        command.addArgument(workerDirectory.toString(), false);
        command.addArgument(Long.toString(ProcessHandle.current().pid()), false);
        QueueLayout layout = new QueueLayout(workerDirectory, directory.sizes());
        try {
            worker.createStatus(layout);
            worker.openChannel(layout, ValueSerializers.create(config.serialization(), config.classFilter(),
                    directory.path(), directory.sizes(), config.resultLoader()), counters);
        } catch (IOException | RuntimeException e) {
            worker.release();
            throw new PoolException("cannot create the status file or start-up rings of worker " + slot + " in "
                    + workerDirectory + ": " + e.getMessage(), e);
        }
        // The set-up message waits for the worker in its tasks ring: it reads it as soon as it is up.
        worker.sendClasses(initializerClasses);
        try (Output init = new Output(256, -1)) {
            Protocol.writeHeader(init, Protocol.INIT);
            init.writeVarInt(config.maxTasksPerChild(), true);
            init.writeVarLong(config.maxMemoryPerChild(), true);
            init.writeBoolean(config.taskTimeout() != null);
            init.writeBoolean(initializerBytes != null);
            if (initializerBytes != null) {
                init.writeVarInt(initializerBytes.length, true);
                init.writeBytes(initializerBytes);
            }
            worker.sendInit(init.getBuffer(), init.position());
        }
        WorkerSlot workerSlot = new WorkerSlot(slot, launchedNanos, worker, Protocol.MAX_FUNCTIONS_PER_WORKER);
        worker.start(command, exit -> onEnd.accept(new SlotEnd(workerSlot, exit.exitCode(), exit.launchFailure())));
        return workerSlot;
    }
}
