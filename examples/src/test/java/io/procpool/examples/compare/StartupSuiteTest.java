package io.procpool.examples.compare;

import io.procpool.examples.compare.Jdks.Jdk;
import io.procpool.examples.compare.Results.ProbedStartup;
import io.procpool.examples.compare.StartupProbe.Line;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupSuiteTest {
    private static final Jdk JDK_25 = new Jdk(Path.of("jdk-25"), "25.0.3", 25);

    @TempDir
    Path temp;

    @Test
    void shouldTakeTheMedianOfFirstPoolsAndOfAllLaterPoolsTogether() {
        List<Line> probes = List.of(
                new Line("procpool", "25.0.3", List.of(3000.0, 1000.0, 1100.0), List.of(2900.0, 950.0, 1050.0)),
                new Line("procpool", "25.0.3", List.of(2000.0, 1300.0, 1200.0), List.of(1900.0, 1250.0, 1150.0)),
                new Line("procpool", "25.0.3", List.of(2500.0, 900.0, 1400.0), List.of(2400.0, 850.0, 1350.0)));
        Line warmup = new Line("procpool", "25.0.3", List.of(9000.0, 1000.0, 1000.0), List.of());

        ProbedStartup row = StartupSuite.summarise(JDK_25, StartupSuite.DIRECTORY, Engine.PROCESS_POOL, probes,
                warmup);

        assertEquals(2500.0, row.firstPoolMillis());
        // Six later pools: 900, 1000, 1100, 1200, 1300, 1400; the median is between the middle two.
        assertEquals(1150.0, row.laterPoolMillis());
        assertEquals(2400.0, row.firstReadyMillis());
        assertEquals(9000.0, row.warmupFirstPoolMillis());
        assertEquals(3, row.probes());
        assertEquals(List.of(3000.0, 2000.0, 2500.0), row.firstPools());
        assertEquals("25.0.3", row.jdk());
        assertEquals(25, row.jdkFeature());
    }

    @Test
    void shouldLeaveOutWhatTheProbesDidNotMeasure() {
        List<Line> probes = List.of(new Line("pp4j", "25.0.3", List.of(600.0), List.of()));

        ProbedStartup row = StartupSuite.summarise(JDK_25, StartupSuite.JAR, Engine.PP4J, probes, null);

        assertEquals(600.0, row.firstPoolMillis());
        assertNull(row.laterPoolMillis());
        assertNull(row.firstReadyMillis());
        assertNull(row.warmupFirstPoolMillis());
    }

    @Test
    void shouldExtractTheProjectsClassesIntoATemporaryDirectoryAndDeleteItAfterwards() throws IOException {
        Path jar = jar("META-INF/procpool/jvm.args", "--add-opens=x", "io/procpool/Some.class", "class bytes",
                "com/esotericsoftware/kryo/Kryo.class", "a dependency's");

        Path directory = StartupSuite.extract(jar, StartupSuite.PROJECT_CLASSES);
        try {
            assertEquals("class bytes", Files.readString(directory.resolve("io/procpool/Some.class")));
            assertFalse(Files.exists(directory.resolve("META-INF/procpool/jvm.args")), "only the project's classes");
            assertFalse(Files.exists(directory.resolve("com/esotericsoftware/kryo/Kryo.class")));
        } finally {
            StartupSuite.delete(directory);
        }
        assertFalse(Files.exists(directory));
    }

    @Test
    void shouldRefuseAnEntryThatPointsOutsideTheDirectory() throws IOException {
        Path jar = jar("fine.txt", "fine", "../../escaped.txt", "not here");

        assertThrows(IOException.class, () -> StartupSuite.extract(jar, ""));
        assertFalse(Files.exists(temp.resolve("escaped.txt")));
        assertTrue(Files.exists(jar));
    }

    /** A jar of the given name and text pairs. */
    private Path jar(String... namesAndTexts) throws IOException {
        Path jar = temp.resolve("test-" + namesAndTexts.length + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndTexts.length; i += 2) {
                zip.putNextEntry(new ZipEntry(namesAndTexts[i]));
                zip.write(namesAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }
}
