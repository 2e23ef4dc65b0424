package io.procpool.launcher;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Commons Exec's executor for procpool's child JVMs (workers, cluster members): it hands over the {@link Process} as
 * it starts, so that the child can be killed, and watches it on a daemon thread. Commons Exec makes its watcher
 * threads non-daemon: one waiting on a child would keep a JVM whose main returned without {@code close()} alive for
 * ever, and the child with it.
 */
public final class ChildExecutor extends DefaultExecutor {
    private final Consumer<Process> onLaunch;
    private volatile Thread watcher;

    /**
     * Creates an executor for one child.
     *
     * @param onLaunch told the process as soon as it has started, on the thread that starts it
     */
    @SuppressWarnings("deprecation") // the builder cannot be subclassed, and launch() is where the Process shows
    public ChildExecutor(Consumer<Process> onLaunch) {
        this.onLaunch = onLaunch;
    }

    @Override
    protected Thread createThread(Runnable runnable, String name) {
        Thread thread = super.createThread(runnable, name);
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

    /** {@return the thread that watches the child, once it has started; {@code null} before} */
    public Thread watcher() {
        return watcher;
    }
}
