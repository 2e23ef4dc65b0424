package io.procpool.launcher;

import io.procpool.launcher.internal.core.SlotEnd;

import io.procpool.PoolException;
import io.procpool.WorkerCrashedException;
import io.procpool.internal.Chunk;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.serial.Failures;

import java.util.List;

/**
 * The words of the errors a dead worker causes: which worker of which pool, how it ended (exit code or signal), which
 * items it held, why the pool killed it if it did, and the last lines it wrote to standard error.
 */
final class CrashReport {
    private CrashReport() {
    }

    static WorkerCrashedException crashed(WorkerProcess worker, SlotEnd exit, Chunk chunk, int attempts) {
        String items = chunk.size() == 1 ? "item " + chunk.firstIndex()
                : "items " + chunk.firstIndex() + ".." + (chunk.firstIndex() + chunk.size() - 1);
        String message = "worker " + worker.slot + " (pid " + worker.pid() + ") of pool " + worker.pool + " "
                + howItEnded(worker, exit)
                + " while running " + items + (attempts > 1 ? " (attempt " + attempts + ", the last allowed)" : "")
                + stderrTail(worker);
        return new WorkerCrashedException(message, worker.pid(), exit.exitCode());
    }

    static PoolException startFailed(WorkerProcess worker, SlotEnd exit, Throwable initFailure) {
        StringBuilder message = new StringBuilder("worker ").append(worker.slot).append(" of pool ")
                .append(worker.pool).append(" failed to start: ");
        if (exit.launchFailure() != null) {
            message.append("could not run the command: ").append(Failures.rootCause(exit.launchFailure()));
        } else if (initFailure != null) {
            message.append("the initializer threw ").append(initFailure);
        } else {
            message.append(howItEnded(worker, exit));
        }
        message.append("\ncommand line: ").append(worker.command).append(stderrTail(worker));
        Throwable cause = initFailure != null ? initFailure : exit.launchFailure();
        return new PoolException(message.toString(), cause);
    }

    private static String howItEnded(WorkerProcess worker, SlotEnd exit) {
        int code = exit.exitCode();
        StringBuilder how = new StringBuilder();
        if (worker.killReason() != null) {
            how.append("was killed by the pool because ").append(worker.killReason());
        } else if (code > 128 && code < 160) {
            int signal = code - 128;
            how.append("was killed by signal ").append(signal).append(signalName(signal))
                    .append(" (exit code ").append(code).append(')');
            if (signal == 9) {
                how.append(worker.oomVerdict());
            }
        } else if (code == Protocol.EXIT_INIT_FAILED) {
            how.append("exited: its initializer failed (exit code ").append(code).append(')');
        } else {
            how.append("exited with code ").append(code);
            if (code == 3 && mentionsOutOfMemory(worker)) {
                how.append(" (out of memory: workers run with -XX:+ExitOnOutOfMemoryError)");
            }
        }
        return how.toString();
    }

    /** -XX:+ExitOnOutOfMemoryError exits with 3, as System.exit(3) would: its "Terminating due to" line tells. */
    private static boolean mentionsOutOfMemory(WorkerProcess worker) {
        return worker.stderr.lastLines().stream().anyMatch(line -> line.contains("OutOfMemoryError"))
                || worker.stdout.lastLines().stream().anyMatch(line -> line.contains("OutOfMemoryError"));
    }

    private static String signalName(int signal) {
        switch (signal) {
            case 1: return " (SIGHUP)";
            case 2: return " (SIGINT)";
            case 3: return " (SIGQUIT)";
            case 4: return " (SIGILL)";
            case 6: return " (SIGABRT, a JVM crash or abort)";
            case 7: return " (SIGBUS)";
            case 8: return " (SIGFPE)";
            case 9: return " (SIGKILL)";
            case 11: return " (SIGSEGV)";
            case 15: return " (SIGTERM)";
            default: return "";
        }
    }

    private static boolean isJvmDeathLine(String line) {
        return line.startsWith("Terminating due to ") || line.startsWith("# A fatal error")
                || line.startsWith("#  SIG") || line.startsWith("# There is insufficient memory")
                || line.startsWith("Exception in thread ") || line.contains("OutOfMemoryError");
    }

    /**
     * The worker's last words: its standard error, and where that is empty its standard output (a JVM that crashes
     * prints its "fatal error" report there), and the JVM's crash report file if it wrote one.
     */
    private static String stderrTail(WorkerProcess worker) {
        StringBuilder tail = new StringBuilder();
        List<String> lines = worker.stderr.lastLines();
        if (!lines.isEmpty()) {
            tail.append("; its last lines of standard error:\n    ").append(String.join("\n    ", lines));
            // The JVM says why it is dying on standard output ("Terminating due to java.lang.OutOfMemoryError"),
            // which the lines of standard error (say, a logger's notice) would otherwise hide.
            List<String> death = worker.stdout.lastLines().stream().filter(CrashReport::isJvmDeathLine).toList();
            if (!death.isEmpty()) {
                tail.append("\n  the JVM's last words on standard output:\n    ").append(String.join("\n    ", death));
            }
        } else {
            List<String> out = worker.stdout.lastLines();
            tail.append(out.isEmpty() ? "; it wrote nothing to standard error or output"
                    : "; it wrote nothing to standard error; its last lines of standard output:\n    "
                    + String.join("\n    ", out));
        }
        java.nio.file.Path report = WorkerLauncher.crashReportOf(worker.pid());
        if (worker.pid() > 0 && java.nio.file.Files.exists(report)) {
            tail.append("\n  the JVM's crash report: ").append(report);
        }
        return tail.toString();
    }
}
