package io.procpool.examples.compare;

import io.procpool.examples.compare.Jdks.Jdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdksTest {
    @TempDir
    Path installed;

    /** A directory shaped like a JDK: a release file with {@code release} as its text, and an executable bin/java. */
    private Path jdk(String name, String release, boolean java) throws IOException {
        Path home = Files.createDirectories(installed.resolve(name));
        if (release != null) {
            Files.writeString(home.resolve("release"), release);
        }
        if (java) {
            Path launcher = Files.createFile(Files.createDirectories(home.resolve("bin")).resolve("java"));
            assertTrue(launcher.toFile().setExecutable(true));
        }
        return home;
    }

    private static String release(String version) {
        // As a real release file has it: other keys around JAVA_VERSION, the value quoted.
        return "IMPLEMENTOR=\"Someone\"\nJAVA_RUNTIME_VERSION=\"" + version + "+9\"\nJAVA_VERSION=\"" + version
                + "\"\nMODULES=\"java.base\"\n";
    }

    @Test
    void shouldAddTheNewestJdkBesideTheRunningOneWhenItIsNewer() throws IOException {
        Path running = jdk("jdk-17", release("17.0.15"), true);
        jdk("jdk-21", release("21.0.7"), true);
        jdk("jdk-25a", release("25.0.1"), true);
        jdk("jdk-25b", release("25.0.3"), true);
        // Newer on paper, but no JDK the probes could start: no launcher, or no release file.
        jdk("jdk-26-no-java", release("26.0.1"), false);
        jdk("jdk-27-no-release", null, true);
        Files.writeString(installed.resolve("a-file"), "not a directory");

        List<Jdk> jdks = Jdks.defaults(running);

        assertEquals(List.of("17.0.15", "25.0.3"), jdks.stream().map(Jdk::version).toList());
        assertEquals(List.of(17, 25), jdks.stream().map(Jdk::feature).toList());
        assertEquals(installed.resolve("jdk-25b").resolve("bin").resolve("java"), jdks.get(1).java());
    }

    @Test
    void shouldKeepOnlyTheRunningJdkWhenNothingBesideItIsNewer() throws IOException {
        jdk("jdk-17", release("17.0.15"), true);
        Path running = jdk("jdk-25", release("25.0.3"), true);
        // The same feature release, a later update: not another Java to answer the question for.
        jdk("jdk-25-later", release("25.0.4"), true);

        assertEquals(List.of("25.0.3"), Jdks.defaults(running).stream().map(Jdk::version).toList());
    }

    @Test
    void shouldFindNoJdkWhereTheRunningJavaHasNoReleaseFile() throws IOException {
        Path running = jdk("stripped-runtime", null, true);
        jdk("jdk-25", release("25.0.3"), true);

        assertEquals(List.of(), Jdks.defaults(running));
    }

    @Test
    void shouldReadTheFeatureReleaseOfEachVersionForm() {
        assertEquals(17, Jdks.feature("17.0.15"));
        assertEquals(25, Jdks.feature("25"));
        assertEquals(26, Jdks.feature("26-ea"));
        assertEquals(8, Jdks.feature("1.8.0_442"));
        assertEquals(0, Jdks.feature("unknown"));
    }
}
