package io.procpool.cluster;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.PoolException;
import io.procpool.launcher.CdsArchive;
import io.procpool.launcher.ChildJvms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The member JVMs a pool started on this machine, on loopback only: started together as one cluster, a member that
 * dies replaced by a new one that joins the others, and all of them stopped when the pool closes. Each runs
 * {@link ClusterMember} with this JVM's classpath and ends itself if this JVM ends, so none outlives its pool.
 */
final class LocalMembers {
    static final String LOOPBACK = "127.0.0.1";
    /**
     * What Hazelcast asks of a JVM on Java 9 and later (it warns at start without them): the JDK internals it
     * reads for its metrics and networking.
     */
    static final List<String> HAZELCAST_FLAGS = List.of(
            "--add-modules", "java.se",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.management/sun.management=ALL-UNNAMED",
            "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED");
    private static final int SIGTERM_EXIT = 143;
    /** Together the members may take this share of the machine's memory: the pool's JVM keeps its own. */
    private static final double MEMBERS_RAM_PERCENT = 50;

    /** The name of the pool that started them, for their threads and their lines of output. */
    private final String pool;
    private final String clusterName;
    private final int count;
    private final int workersPerMember;
    private final boolean workerProcesses;
    private final long taskTimeoutMs;
    private final List<String> jvmOptions;
    private final List<String> allowedClasses;
    private final Consumer<LocalMember> onUnexpectedExit;
    private final String classpath = ChildJvms.launchClasspath();
    /** A member's start is mostly loading Hazelcast's classes: an archive of them makes it about half as long. */
    private final CdsArchive cds;
    @GuardedBy("this")
    private final Map<Integer, LocalMember> members = new LinkedHashMap<>();
    @GuardedBy("this")
    private int started;
    @GuardedBy("this")
    private boolean closing;

    LocalMembers(String pool, String clusterName, int count, int workersPerMember, boolean workerProcesses,
                 long taskTimeoutMs, List<String> jvmOptions, List<String> allowedClasses,
                 Consumer<LocalMember> onUnexpectedExit) {
        this.pool = pool;
        this.clusterName = clusterName;
        this.count = count;
        this.workersPerMember = workersPerMember;
        this.workerProcesses = workerProcesses;
        this.taskTimeoutMs = taskTimeoutMs;
        this.jvmOptions = jvmOptions;
        this.allowedClasses = allowedClasses;
        this.cds = CdsArchive.forClasspath(classpath, "member", jvmOptions);
        this.onUnexpectedExit = onUnexpectedExit;
    }

    /** Starts the members, each told of all the others so that they form one cluster whichever starts first. */
    synchronized void startAll() {
        List<Integer> ports = freePorts(count);
        List<String> addresses = new ArrayList<>();
        ports.forEach(port -> addresses.add(LOOPBACK + ":" + port));
        for (int port : ports) {
            launch(port, addresses);
        }
    }

    /** {@return the addresses of the members alive now} */
    synchronized List<String> addresses() {
        List<String> addresses = new ArrayList<>();
        members.values().forEach(member -> addresses.add(LOOPBACK + ":" + member.port()));
        return addresses;
    }

    /**
     * Waits until every member started so far has joined its cluster.
     *
     * @param deadlineNanos when to give up, on {@link System#nanoTime()}'s clock
     * @param timeout       the time the deadline allows in all, for the message
     * @throws PoolException naming a member that exited or did not join in time, with its last lines of output, and
     *                       how many of the members had joined
     */
    void awaitReady(long deadlineNanos, Duration timeout) {
        List<LocalMember> waiting;
        synchronized (this) {
            waiting = new ArrayList<>(members.values());
        }
        for (LocalMember member : waiting) {
            try {
                member.ready().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new PoolException(member + " exited before it joined its cluster (code "
                        + member.exited().getNow(-1) + "; " + joined(waiting) + " of " + waiting.size()
                        + " local members joined); its last lines of standard error: " + member.lastErrorLines());
            } catch (TimeoutException e) {
                throw new PoolException(member + " did not join its cluster within " + timeout.toMillis() + " ms ("
                        + joined(waiting) + " of " + waiting.size() + " local members did); its last lines of "
                        + "standard error: " + member.lastErrorLines());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PoolException("interrupted while waiting for the cluster's members to start", e);
            }
        }
    }

    private static long joined(List<LocalMember> members) {
        return members.stream()
                .filter(member -> member.ready().isDone() && !member.ready().isCompletedExceptionally())
                .count();
    }

    /** Stops every member and waits for each to exit (killing any that takes more than a few seconds). */
    void close() {
        List<LocalMember> toStop;
        synchronized (this) {
            closing = true;
            toStop = new ArrayList<>(members.values());
        }
        toStop.forEach(LocalMember::stop);
        toStop.forEach(LocalMember::awaitExit);
    }

    /** Kills every member at once, for {@code terminate()}: tasks on threads cannot be stopped otherwise. */
    void killAll() {
        List<LocalMember> toKill;
        synchronized (this) {
            closing = true;
            toKill = new ArrayList<>(members.values());
        }
        toKill.forEach(LocalMember::kill);
        toKill.forEach(LocalMember::awaitExit);
    }

    @GuardedBy("this")
    private void launch(int port, List<String> addresses) {
        int number = ++started;
        List<String> others = new ArrayList<>(addresses);
        others.remove(LOOPBACK + ":" + port);
        CdsArchive.Options sharing = cds == null ? new CdsArchive.Options(List.of(), false) : cds.nextWorker();
        List<String> command = command(port, others, sharing.jvmOptions());
        LocalMember member = LocalMember.start(pool, number, port, command, code -> {
            if (sharing.writesArchive()) {
                // 143: it ended on SIGTERM, as the pool stops members, and wrote the archive as it exited.
                cds.writerExited(code == 0 || code == SIGTERM_EXIT);
            }
            exited(number);
        });
        members.put(number, member);
    }

    private void exited(int number) {
        LocalMember member;
        synchronized (this) {
            member = members.remove(number);
            if (member == null || closing || member.isStopping()) {
                return;
            }
            // A replacement joins the members still alive, on a fresh port.
            List<String> addresses = addresses();
            int port = freePorts(1).get(0);
            addresses.add(LOOPBACK + ":" + port);
            launch(port, addresses);
        }
        onUnexpectedExit.accept(member);
    }

    private List<String> command(int port, List<String> others, List<String> sharing) {
        List<String> command = new ArrayList<>();
        command.add(ChildJvms.javaExecutable().toString());
        command.addAll(sharing);
        command.add("-cp");
        command.add(classpath);
        command.addAll(ChildJvms.commonOptions());
        command.addAll(HAZELCAST_FLAGS);
        command.add(String.format(Locale.ROOT, "-XX:MaxRAMPercentage=%.2f", MEMBERS_RAM_PERCENT / count));
        // A member out of memory must die and be replaced, not linger half-broken.
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(jvmOptions);
        command.add(ClusterMember.class.getName());
        command.add("--cluster-name");
        command.add(clusterName);
        command.add("--host");
        command.add(LOOPBACK);
        command.add("--port");
        command.add(Integer.toString(port));
        if (!others.isEmpty()) {
            command.add("--members");
            command.add(String.join(",", others));
        }
        command.add("--workers");
        command.add(Integer.toString(workersPerMember));
        if (workerProcesses) {
            command.add("--worker-processes");
            if (taskTimeoutMs > 0) {
                command.add("--task-timeout-ms");
                command.add(Long.toString(taskTimeoutMs));
            }
        }
        if (!allowedClasses.isEmpty()) {
            // The pool's allow-list, for what the member reads: functions and items, and its worker JVMs' answers.
            command.add("--allow-classes");
            command.add(String.join(",", allowedClasses));
        }
        command.add("--parent-pid");
        command.add(Long.toString(ProcessHandle.current().pid()));
        return command;
    }

    /** Ports free on loopback now: another process may take one before the member binds it, which it reports. */
    private static List<Integer> freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                sockets.add(socket);
            }
            List<Integer> ports = new ArrayList<>();
            sockets.forEach(socket -> ports.add(socket.getLocalPort()));
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + LOOPBACK, e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // it was only probing
                }
            }
        }
    }
}
