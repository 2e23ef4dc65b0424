package io.procpool.launcher;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import org.apache.commons.exec.LogOutputStream;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a worker's standard output or error goes: to this JVM's own stream, each line prefixed with the pool's name,
 * the worker's number and its process id ({@code [ingest worker 0 pid 4242] }), so that a task's prints are not lost
 * and say where they came from. For standard error it also keeps the last lines, which a
 * {@link io.procpool.WorkerCrashedException} quotes.
 */
final class WorkerOutput extends LogOutputStream {
    private static final int KEPT_LINES = 20;
    private static final String CHRONICLE_BANNER = "net.openhft.chronicle.core.Jvm - Chronicle core loaded from";

    private final String pool;
    private final int slot;
    private final boolean toStderr;
    /** Set once the process has started, before its output is read: its pid is in it. */
    private volatile String prefix;
    @GuardedBy("lastLines")
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();

    WorkerOutput(String pool, int slot, boolean toStderr) {
        this.pool = pool;
        this.slot = slot;
        this.toStderr = toStderr;
        this.prefix = "[" + pool + " worker " + slot + "] ";
    }

    /** The worker's process has started: its lines say its pid from now on. */
    void launched(long pid) {
        prefix = "[" + pool + " worker " + slot + " pid " + pid + "] ";
    }

    @Override
    protected void processLine(String line, int level) {
        if (line.contains(CHRONICLE_BANNER)) {
            // Chronicle logs this at INFO as each JVM loads it: once per worker, and again for every replacement.
            return;
        }
        synchronized (lastLines) {
            if (lastLines.size() == KEPT_LINES) {
                lastLines.removeFirst();
            }
            lastLines.addLast(line);
        }
        // Read System.out/err on every line: tests and applications redirect them.
        PrintStream target = toStderr ? System.err : System.out;
        target.println(prefix + line);
    }

    /**
     * {@return the last lines written, oldest first}
     */
    List<String> lastLines() {
        flush();
        synchronized (lastLines) {
            return new ArrayList<>(lastLines);
        }
    }
}
