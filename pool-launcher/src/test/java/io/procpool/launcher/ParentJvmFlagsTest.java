package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.worker.JvmFlags;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A JVM started without the flags Chronicle needs gets one clear error that names them. */
class ParentJvmFlagsTest {

    /** Runs in a JVM started without the flags: tries to create a pool and prints what happened. */
    public static final class WithoutFlags {
        public static void main(String[] args) {
            try (ProcessPool pool = ProcessPool.create(1)) {
                System.out.println("created " + pool);
                System.exit(0);
            } catch (PoolException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }

    @Test
    void shouldNameTheMissingFlagsWhenTheParentJvmLacksThem() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", Classpath.forWorkers(null),
                WithoutFlags.class.getName()).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the flagless JVM did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, process.exitValue(), output);
        List<String> required = JvmFlags.required();
        assertTrue(required.size() >= 2, required.toString());
        for (String flag : required) {
            assertTrue(output.contains(flag), "the error does not name " + flag + ": " + output);
        }
        assertTrue(output.contains("@jvm.args"), output);
    }

    @Test
    void shouldFindNothingMissingInThisJvmWhichSurefireStartedWithTheFlags() {
        assertEquals(List.of(), JvmFlags.missing());
    }
}
