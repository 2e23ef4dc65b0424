package io.procpool.examples.compare;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code mp_compare.py}, the Python side of the comparison, with the interpreter found on the PATH. The script
 * travels inside this jar; it is written to a temporary file for the interpreter to read, one process per workload,
 * and answers with one JSON object on standard output.
 */
final class PythonBridge implements AutoCloseable {
    private static final String SCRIPT = "mp_compare.py";

    private final String python;
    private final Path script;

    private PythonBridge(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /**
     * @param python the interpreter's command, {@code python3} by default
     * @return a bridge, or empty with the reason in {@code whyNot} if the interpreter does not run
     */
    static Optional<PythonBridge> find(String python, List<String> whyNot) {
        try {
            Process probe = new ProcessBuilder(python, "--version").redirectErrorStream(true).start();
            String version = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                probe.destroyForcibly();
                whyNot.add("`" + python + " --version` failed: " + version);
                return Optional.empty();
            }
        } catch (IOException e) {
            whyNot.add("`" + python + "` is not on the PATH (" + e.getMessage() + ")");
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            whyNot.add("interrupted while looking for " + python);
            return Optional.empty();
        }
        try (InputStream in = PythonBridge.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the jar, next to " + PythonBridge.class);
            }
            Path script = Files.createTempFile("procpool-mp_compare-", ".py");
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(new PythonBridge(python, script));
        } catch (IOException e) {
            whyNot.add("could not write " + SCRIPT + " to a temporary file: " + e);
            return Optional.empty();
        }
    }

    /**
     * Runs one workload of the script and returns its answer.
     *
     * @param args the workload name, then its options
     * @throws IllegalStateException if the script fails, times out or answers with something other than JSON; the
     *                               message quotes its standard error
     */
    JsonObject run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(List.of(args));
        Path stdout = null;
        Path stderr = null;
        try {
            // Both streams go to files: then neither pipe can fill up and stall the script, and waitFor's timeout
            // holds even if the script hangs without writing anything.
            stdout = Files.createTempFile("procpool-mp_compare-", ".out");
            stderr = Files.createTempFile("procpool-mp_compare-", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " took longer than " + timeout);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                        + ": " + tail(Files.readString(stderr)));
            }
            return JsonParser.parseString(Files.readString(stdout)).getAsJsonObject();
        } catch (IllegalStateException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= 2_000 ? trimmed : "..." + trimmed.substring(trimmed.length() - 2_000);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A temporary file left behind is not worth failing the run for.
            }
        }
    }

    @Override
    public void close() {
        deleteQuietly(script);
    }
}
