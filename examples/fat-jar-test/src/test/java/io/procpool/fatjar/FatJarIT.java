package io.procpool.fatjar;

import io.procpool.PoolException;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fat jar an application that depends on pool-launcher gets from Maven Shade with its standard transformers
 * and no signature filter starts with {@code java -jar}: procpool brings no signed jar (Fory, whose Janino is signed,
 * is optional), and the manifest carries the flags Chronicle needs. The same jar, asked for a FORY pool, names the
 * dependency it lacks. It runs in the {@code integration-test} phase, on the jar {@code package} made.
 */
class FatJarIT {
    private static final long TIMEOUT_SECONDS = 120;

    @Test
    void shouldStartAFatJarMadeTheUsualWay() throws Exception {
        Run run = run();
        assertEquals(0, run.exitCode(), run.output());
        assertEquals("[1, 4, 9]", run.lines().get(run.lines().size() - 1), run.output());
    }

    @Test
    void shouldHoldNoForyAndNoSignatureFile() throws Exception {
        List<String> signatures = new ArrayList<>();
        List<String> fory = new ArrayList<>();
        try (JarFile jar = new JarFile(jar().toFile())) {
            for (var entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)")) {
                    signatures.add(name);
                } else if (name.startsWith("org/apache/fory/") || name.startsWith("org/codehaus/janino/")) {
                    fory.add(name);
                }
            }
        }
        assertEquals(List.of(), signatures, "pool-launcher should bring no signed jar");
        assertEquals(List.of(), fory.stream().limit(5).toList(), "pool-launcher should bring neither Fory nor Janino");
    }

    @Test
    void shouldNameTheDependencyAForyPoolNeeds() throws Exception {
        Run run = run("FORY");
        assertEquals(3, run.exitCode(), run.output());
        String version = System.getProperty("procpool.test.foryVersion");
        assertTrue(run.lines().stream().anyMatch(l -> l.startsWith(PoolException.class.getName() + ": ")
                && l.contains("org.apache.fory:fory-core:" + version)), run.output());
    }

    /** A finished {@code java -jar}: its exit status and what it printed, standard error included. */
    private record Run(int exitCode, List<String> lines) {
        String output() {
            return String.join("\n", lines);
        }
    }

    private static Path jar() {
        String jar = System.getProperty("procpool.test.jar");
        // Unset in the test phase, where the jar may not be made yet (as when -Dtest names this class).
        assumeTrue(jar != null, "runs in the integration-test phase, on the jar that package made");
        assertTrue(Files.isRegularFile(Path.of(jar)), "no jar at " + jar);
        return Path.of(jar);
    }

    /** Runs {@code java -jar} on the fat jar, with no option but the jar's own manifest's. */
    private static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
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
            throw new AssertionError("java -jar did not exit within " + TIMEOUT_SECONDS + " s:\n"
                    + String.join("\n", output.completeOnTimeout(List.of(), 10, TimeUnit.SECONDS).join()));
        }
        return new Run(process.exitValue(), output.get(10, TimeUnit.SECONDS));
    }
}
