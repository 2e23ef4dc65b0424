package io.procpool.worker.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** For tests that start a JVM of their own: what it printed, once it has ended well, within a time limit. */
public final class ChildJvmOutput {
    private ChildJvmOutput() {
    }

    /**
     * Waits for a JVM started with its standard error merged into its output, and returns every line it printed.
     *
     * @param process        the JVM
     * @param timeoutSeconds the longest it may run; past it, it and its children are killed and the test fails
     * @return the lines it printed, once it has exited with status 0
     * @throws Exception if reading its output fails, or the wait is interrupted
     */
    public static List<String> runToEnd(Process process, long timeoutSeconds) throws Exception {
        // Read on another thread: a JVM that hangs must fail the test, not hold it up forever.
        CompletableFuture<List<String>> output = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader in = process.inputReader()) {
                return in.lines().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("the JVM did not exit within " + timeoutSeconds + " s; it printed:\n"
                    + String.join("\n", output.completeOnTimeout(List.of(), 10, TimeUnit.SECONDS).join()));
        }
        List<String> lines = output.get(10, TimeUnit.SECONDS);
        assertEquals(0, process.exitValue(), String.join("\n", lines));
        return lines;
    }
}
