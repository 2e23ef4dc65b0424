package io.procpool.examples;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The examples' executable jar, built with the documented Shade recipe, starts with {@code java -jar} alone (the flags
 * Chronicle needs come from its manifest) and gets results back from its worker JVMs. It runs in the
 * {@code integration-test} phase, after {@code package} has made the jar, which the pom names in a system property.
 */
class ExamplesJarIT {
    private static final long TIMEOUT_SECONDS = 180;

    @Test
    void shouldStartTheExecutableJarAndGetResultsFromItsWorkers() throws Exception {
        String jar = System.getProperty("procpool.test.jar");
        // Unset in the test phase, where the jar may not be made yet (as when -Dtest names this class).
        assumeTrue(jar != null, "runs in the integration-test phase, on the jar that package made");
        assertTrue(Files.isRegularFile(Path.of(jar)), "no jar at " + jar);
        // The CPU-bound demo at its smallest: one worker, a tenth of the inputs.
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar, "cpu", "--quick", "--workers", "1").redirectErrorStream(true).start();
        CompletableFuture<List<String>> output = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader in = process.inputReader()) {
                return in.lines().toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("java -jar " + jar + " did not exit within " + TIMEOUT_SECONDS + " s:\n"
                    + String.join("\n", output.completeOnTimeout(List.of(), 10, TimeUnit.SECONDS).join()));
        }
        List<String> lines = output.get(10, TimeUnit.SECONDS);
        String all = String.join("\n", lines);
        assertEquals(0, process.exitValue(), all);
        assertTrue(lines.stream().anyMatch(l -> l.contains("results: identical in all three modes")), all);
        assertTrue(lines.stream().anyMatch(l -> l.contains("results: identical on both pools")), all);
    }
}
