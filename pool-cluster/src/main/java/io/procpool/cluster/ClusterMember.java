package io.procpool.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.procpool.worker.JvmFlags;
import io.procpool.worker.internal.serial.ClassFilter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The main class of a cluster member: a Hazelcast member that runs the chunks a {@link ClusterPool} sends it, on
 * {@code --workers} threads, or in as many worker JVMs of its own with {@code --worker-processes}. Run it with the
 * application's classpath, so that it has the classes of the tasks it runs:
 *
 * <pre>
 * java -cp app.jar io.procpool.cluster.ClusterMember --cluster-name NAME --port PORT [--members HOST:PORT,...]
 *      [--workers N] [--host ADDRESS] [--worker-processes [--task-timeout-ms MS]
 *      [--max-memory-per-child BYTES]] [--allow-classes PATTERN,...]
 * </pre>
 *
 * A member runs whatever tasks reach it: run members only on a network that only trusted machines can reach (see
 * the README, "When one machine is not enough"). For defence in depth, {@code --allow-classes} restricts what it
 * deserialises (functions and items, and what its worker JVMs send back) to the listed classes, in
 * {@link java.io.ObjectInputFilter} pattern syntax, plus what procpool itself sends. It prints one line, {@code procpool member ready ...}, once it has
 * joined its cluster, and exits when stopped (SIGTERM, SIGINT) or, for a member a pool started, when that pool's
 * JVM ends.
 */
@Command(name = "ClusterMember", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a procpool cluster member: a Hazelcast member that runs the chunks ClusterPools send it.")
public final class ClusterMember implements Callable<Integer> {
    /** The exit code of a member that could not start: bad arguments, a port in use, no such address. */
    static final int EXIT_BAD_START = 72;
    /** The line a member prints once it has joined its cluster; a pool that starts members waits for it. */
    static final String READY = "procpool member ready";

    @Option(names = "--cluster-name", required = true, paramLabel = "NAME",
            description = "The cluster to form or join; pools connect with the same name.")
    private String clusterName;

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "The port to listen on.")
    private int port;

    @Option(names = "--members", split = ",", paramLabel = "HOST:PORT",
            description = "Members to join through, comma-separated; none to start a new cluster.")
    private List<String> members = List.of();

    @Option(names = "--workers", paramLabel = "N",
            description = "Chunks run at once (default: this machine's processors).")
    private int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "The address to listen on and give other members (default: Hazelcast's choice).")
    private String host;

    @Option(names = "--worker-processes",
            description = "Run tasks in worker JVMs of this member's own, for crash containment and time limits.")
    private boolean workerProcesses;

    @Option(names = "--task-timeout-ms", paramLabel = "MS",
            description = "With --worker-processes, the time limit of each task (default: none).")
    private long taskTimeoutMs;

    @Option(names = "--max-memory-per-child", paramLabel = "BYTES",
            description = "With --worker-processes, replace a worker JVM whose resident memory is above this many "
                    + "bytes after a chunk, once its results are in (default: no limit).")
    private long maxMemoryPerChild;

    @Option(names = "--allow-classes", split = ",", paramLabel = "PATTERN",
            description = "Deserialise only these classes, comma-separated (com.example.**, com.example.*, a class "
                    + "name), and procpool's own (default: any class).")
    private List<String> allowClasses = List.of();

    @Option(names = "--parent-pid", hidden = true, description = "Exit when this process ends.")
    private long parentPid;

    private ClusterMember() {
    }

    /**
     * Runs a member until it is stopped.
     *
     * @param args the command line above
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterMember()).execute(args));
    }

    /**
     * Reads a command line as {@link #main} does, without starting anything. For tests.
     *
     * @param args the command line above
     * @return the member's options
     * @throws CommandLine.ParameterException for a bad or missing option, naming it
     */
    static MemberOptions parse(String... args) {
        ClusterMember member = new ClusterMember();
        new CommandLine(member).parseArgs(args);
        return member.options();
    }

    /** {@return 0 once the member has stopped; {@value #EXIT_BAD_START} if it could not start} */
    @Override
    public Integer call() throws InterruptedException {
        MemberOptions options = options();
        if (System.getProperty("hazelcast.logging.type") == null) {
            // Hazelcast's first lines come before it reads its configuration: through SLF4J too, not JUL.
            System.setProperty("hazelcast.logging.type", "slf4j");
        }
        HazelcastSetup.quietLogging();
        MemberRuntime runtime = MemberRuntime.start(options);
        HazelcastInstance member;
        try {
            member = Hazelcast.newHazelcastInstance(HazelcastSetup.member(options));
        } catch (RuntimeException e) {
            System.err.println("procpool member could not start on port " + port + ": " + e);
            runtime.close();
            return EXIT_BAD_START;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        member.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
                stopped.countDown();
            }
        });
        MemberEvents events = new MemberEvents(clusterName);
        member.getCluster().addMembershipListener(events);
        Object address = member.getCluster().getLocalMember().getAddress();
        // It holds no data, so leaving the cluster gracefully is as quick as terminating, and says nothing.
        Thread stop = new Thread(() -> {
            events.stopping(address);
            member.getLifecycleService().shutdown();
            runtime.close();
        }, "procpool-member-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        if (parentPid > 0) {
            ProcessHandle.of(parentPid).ifPresentOrElse(
                    parent -> parent.onExit().thenRun(() -> System.exit(0)),
                    () -> System.exit(0));
        }
        System.out.println(READY + " at " + member.getCluster().getLocalMember().getAddress() + " in cluster "
                + clusterName + " of " + member.getCluster().getMembers().size() + " member(s), " + workers
                + (workerProcesses ? " worker processes" : " worker threads") + ", procpool "
                + HazelcastSetup.VERSION);
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * Checks the options that picocli cannot check alone.
     *
     * @return the member's options
     * @throws CommandLine.ParameterException naming a bad option
     */
    private MemberOptions options() {
        if (workers < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--workers must be at least 1, was " + workers);
        }
        if (port < 1 || port > 65535) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--port must be 1-65535, was " + port);
        }
        if (taskTimeoutMs < 0 || taskTimeoutMs > 0 && !workerProcesses) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--task-timeout-ms needs "
                    + "--worker-processes and a positive value (a thread cannot be stopped), was " + taskTimeoutMs);
        }
        if (maxMemoryPerChild < 0 || maxMemoryPerChild > 0 && !workerProcesses) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--max-memory-per-child needs "
                    + "--worker-processes and a positive number of bytes, was " + maxMemoryPerChild);
        }
        if (workerProcesses && !JvmFlags.missing().isEmpty()) {
            // A member with worker JVMs is a process pool's parent: said now, not at its first task.
            throw new CommandLine.ParameterException(new CommandLine(this), "--worker-processes needs these JVM "
                    + "flags, which this JVM lacks: " + String.join(" ", JvmFlags.missing()));
        }
        try {
            ClassFilter.allowing(allowClasses);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--allow-classes: " + e.getMessage());
        }
        return new MemberOptions(clusterName, host, port, List.copyOf(members), workers, workerProcesses,
                taskTimeoutMs, maxMemoryPerChild, parentPid, List.copyOf(allowClasses));
    }
}
