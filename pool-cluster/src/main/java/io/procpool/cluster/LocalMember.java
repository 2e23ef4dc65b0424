package io.procpool.cluster;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.internal.PoolNames;
import io.procpool.launcher.ChildExecutor;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;
import org.apache.commons.exec.LogOutputStream;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * One member JVM that a pool started on this machine, run and watched with Commons Exec on threads named after the
 * pool and the member: its output goes to this JVM's, each line prefixed with the pool's name, the member's number
 * and its pid (its ready line and Hazelcast's start-up aside), and the last lines of its standard error are kept for
 * the error that reports its loss.
 */
final class LocalMember {
    private static final int KEPT_LINES = 20;
    private static final long STOP_GRACE_MS = 5_000;

    private final String pool;
    private final int number;
    private final int port;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    @GuardedBy("lastErrorLines")
    private final ArrayDeque<String> lastErrorLines = new ArrayDeque<>();
    private volatile Process process;
    private volatile boolean stopping;

    private LocalMember(String pool, int number, int port) {
        this.pool = pool;
        this.number = number;
        this.port = port;
    }

    /**
     * Starts a member JVM.
     *
     * @param pool    the name of the pool that starts it, for its threads and its output's prefix
     * @param number  the member's number in its pool, for its threads and its output's prefix
     * @param port    the port it listens on
     * @param command its command line
     * @param onExit  told its exit code when it exits, on a Commons Exec thread
     * @return the member, starting
     */
    static LocalMember start(String pool, int number, int port, List<String> command, IntConsumer onExit) {
        LocalMember member = new LocalMember(pool, number, port);
        ChildExecutor executor = new ChildExecutor(PoolNames.thread(pool, "member-"), "-" + number, started -> {
            member.process = started;
            if (member.stopping) {
                ChildExecutor.kill(started);
            }
        });
        executor.setExitValues(null);
        executor.setStreamHandler(new ChildExecutor.Pumps(executor, member.new Output(false), member.new Output(true)));
        CommandLine line = new CommandLine(command.get(0));
        command.subList(1, command.size()).forEach(argument -> line.addArgument(argument, false));
        ExecuteResultHandler handler = new ExecuteResultHandler() {
            @Override
            public void onProcessComplete(int exitValue) {
                member.exited(exitValue, onExit);
            }

            @Override
            public void onProcessFailed(ExecuteException e) {
                member.exited(e.getExitValue(), onExit);
            }
        };
        try {
            executor.execute(line, handler);
        } catch (IOException e) {
            synchronized (member.lastErrorLines) {
                member.lastErrorLines.add(e.toString());
            }
            member.exited(-1, onExit);
        }
        return member;
    }

    private void exited(int exitValue, IntConsumer onExit) {
        ready.completeExceptionally(new IllegalStateException("exited with code " + exitValue));
        exited.complete(exitValue);
        onExit.accept(exitValue);
    }

    /** {@return this member's number in its pool} */
    int number() {
        return number;
    }

    /** {@return the port it listens on} */
    int port() {
        return port;
    }

    /** {@return completes with the member's ready line once it has joined; fails if it exits first} */
    CompletableFuture<String> ready() {
        return ready;
    }

    /** {@return the member's process id, or -1 before it started} */
    long pid() {
        Process started = process;
        return started == null ? -1 : started.pid();
    }

    /** {@return whether the pool asked it to stop} */
    boolean isStopping() {
        return stopping;
    }

    /** {@return completes with its exit code} */
    CompletableFuture<Integer> exited() {
        return exited;
    }

    /** {@return the last lines it wrote to standard error} */
    List<String> lastErrorLines() {
        synchronized (lastErrorLines) {
            return new ArrayList<>(lastErrorLines);
        }
    }

    /**
     * Asks the member to stop (SIGTERM: it leaves its cluster and stops its worker JVMs), through its handle
     * ({@link ChildExecutor#terminate}), so that what it writes as it stops (its "stopping" line) is still read.
     */
    void stop() {
        stopping = true;
        Process started = process;
        if (started != null) {
            ChildExecutor.terminate(started);
        }
    }

    /** Kills it at once (SIGKILL), through its handle for the same reason: its last lines are still read. */
    void kill() {
        stopping = true;
        Process started = process;
        if (started != null) {
            ChildExecutor.kill(started);
        }
    }

    /** Waits for it to exit after {@link #stop()}, killing it if it takes longer than a few seconds. */
    void awaitExit() {
        try {
            exited.get(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            kill();
            exited.join();
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "local member " + number + " (127.0.0.1:" + port + ", pid " + pid() + ")";
    }

    /** The member's standard output or error: forwarded with a prefix, watched for the ready line. */
    private final class Output extends LogOutputStream {
        private final boolean stderr;

        Output(boolean stderr) {
            this.stderr = stderr;
        }

        @Override
        protected void processLine(String line, int level) {
            if (!stderr && line.startsWith(ClusterMember.READY)) {
                ready.complete(line);
                return;
            }
            if (stderr) {
                synchronized (lastErrorLines) {
                    if (lastErrorLines.size() == KEPT_LINES) {
                        lastErrorLines.removeFirst();
                    }
                    lastErrorLines.addLast(line);
                }
            }
            PrintStream target = stderr ? System.err : System.out;
            target.println("[" + pool + " member " + number + " pid " + pid() + "] " + line);
        }
    }
}
