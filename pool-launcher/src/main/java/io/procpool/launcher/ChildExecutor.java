package io.procpool.launcher;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.PumpStreamHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Commons Exec's executor for procpool's child JVMs (workers, cluster members): it hands over the {@link Process} as
 * it starts, so that the child can be killed, and watches it on a daemon thread. Commons Exec makes its watcher
 * threads non-daemon: one waiting on a child would keep a JVM whose main returned without {@code close()} alive for
 * ever, and the child with it. The threads that watch the child and pump its output are named after its pool and the
 * child, {@code procpool-ingest-watch-0}, rather than Commons Exec's {@code CommonsExecDefaultExecutorpool-7-thread-1},
 * so that a thread dump says whose they are.
 */
public final class ChildExecutor extends DefaultExecutor {
    private final String namePrefix;
    private final String nameSuffix;
    private final Consumer<Process> onLaunch;
    private volatile Thread watcher;

    /**
     * Creates an executor for one child.
     *
     * @param namePrefix what the names of the child's threads start with, before their role ({@code watch},
     *                   {@code stdout}, {@code stderr}): {@code procpool-ingest-}
     * @param nameSuffix what they end with, after their role, to tell the child from others: {@code -0}
     * @param onLaunch   told the process as soon as it has started, on the thread that starts it
     */
    @SuppressWarnings("deprecation") // the builder cannot be subclassed, and launch() is where the Process shows
    public ChildExecutor(String namePrefix, String nameSuffix, Consumer<Process> onLaunch) {
        this.namePrefix = namePrefix;
        this.nameSuffix = nameSuffix;
        this.onLaunch = onLaunch;
    }

    /**
     * Names one of the child's threads.
     *
     * @param role what the thread does for the child
     * @return {@code namePrefix + role + nameSuffix}
     */
    public String threadName(String role) {
        return namePrefix + role + nameSuffix;
    }

    // The thread that starts and watches the child: a daemon, named after it, not as Commons Exec names it.
    @Override
    protected Thread createThread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, threadName("watch"));
        thread.setDaemon(true);
        return thread;
    }

    @Override
    protected Process launch(CommandLine command, Map<String, String> env, Path dir) throws IOException {
        Process started = super.launch(command, env, dir);
        watcher = getExecutorThread();
        onLaunch.accept(started);
        return started;
    }

    /**
     * Kills a child at once (SIGKILL) through its {@link ProcessHandle}, the one way procpool ends a child JVM by
     * force: {@link Process#destroyForcibly()} also closes this side of the child's pipes at once, so that its pumps
     * lose what it wrote last (a crash's last words, a stopping member's lines); the handle only signals, and the
     * pumps read to the end of the pipes, which the child's death closes.
     *
     * @param child the child, started
     */
    public static void kill(Process child) {
        child.toHandle().destroyForcibly();
    }

    /**
     * Asks a child to stop (SIGTERM) through its {@link ProcessHandle}, for the same reason as {@link #kill}.
     *
     * @param child the child, started
     */
    public static void terminate(Process child) {
        child.toHandle().destroy();
    }

    /** {@return the thread that watches the child, once it has started; {@code null} before} */
    public Thread watcher() {
        return watcher;
    }

    /**
     * Pumps a child's standard output and error to two streams, as Commons Exec's {@link PumpStreamHandler} does, on
     * threads named after the child ({@code stdout}, {@code stderr}, and {@code stdin} for an input) by its
     * executor.
     */
    public static class Pumps extends PumpStreamHandler {
        private final ChildExecutor names;

        /**
         * Creates the pumps of one child.
         *
         * @param names  the child's executor, which names the threads
         * @param stdout where the child's standard output goes
         * @param stderr where its standard error goes
         */
        public Pumps(ChildExecutor names, OutputStream stdout, OutputStream stderr) {
            super(stdout, stderr);
            this.names = names;
        }

        @Override
        protected Thread createPump(InputStream is, OutputStream os, boolean closeWhenExhausted) {
            Thread pump = super.createPump(is, os, closeWhenExhausted);
            pump.setName(names.threadName(os == getOut() ? "stdout" : os == getErr() ? "stderr" : "stdin"));
            return pump;
        }
    }
}
