package io.procpool.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The class-data archive cache stays bounded and leaves nothing half-written behind. */
class CdsArchiveTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path cache;

    private Path file(String name, long bytes, long lastUsedMillis) throws IOException {
        Path file = cache.resolve(name);
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.position(bytes - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(lastUsedMillis));
        return file;
    }

    @Test
    void shouldKeepTheMostRecentlyUsedArchivesWithinTheCapAndDropOrphanedTemporaryFiles() throws IOException {
        long now = System.currentTimeMillis();
        file("old.jsa", 40 * MIB, now - 3_000);
        file("older.jsa", 40 * MIB, now - 4_000);
        file("newest.jsa", 40 * MIB, now - 1_000);
        file("recent.jsa", 40 * MIB, now - 2_000);
        file("stale.jsa", MIB, now - 40L * 24 * 3600 * 1000);
        Process gone = new ProcessBuilder("true").start();
        long deadPid = gone.pid();
        gone.onExit().join();
        file("x.jsa." + deadPid + ".tmp", MIB, now);
        file("y.jsa." + ProcessHandle.current().pid() + ".tmp", MIB, now);

        CdsArchive.prune(cache, 100 * MIB, now);

        try (var files = Files.list(cache)) {
            Set<String> left = files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            assertEquals(Set.of("newest.jsa", "recent.jsa", "y.jsa." + ProcessHandle.current().pid() + ".tmp"),
                    left, "two 40 MiB archives fit in 100 MiB; a live writer's file stays");
        }
    }

    @Test
    void shouldKeyAnArchiveByTheJvmsOwnOptionsAsWellAsTheClasspath() throws IOException {
        Path jar = Files.write(cache.resolve("app.jar"), new byte[]{1, 2, 3});
        String plain = archiveOption(CdsArchive.forClasspath(jar.toString(), "worker", java.util.List.of()));
        String g1 = archiveOption(CdsArchive.forClasspath(jar.toString(), "worker", java.util.List.of("-XX:+UseG1GC")));
        String again = archiveOption(CdsArchive.forClasspath(jar.toString(), "worker", java.util.List.of()));
        org.junit.jupiter.api.Assertions.assertNotEquals(archiveName(plain), archiveName(g1),
                "a JVM with another collector maps no archive written by one without");
        assertEquals(archiveName(plain), archiveName(again));
    }

    @Test
    void shouldGiveNoArchiveToJvmsThatRunAnAgentOrARecording() throws IOException {
        java.util.Map<String, String> none = java.util.Map.of();
        assertFalse(CdsArchive.unfitForArchive(List.of("-Xss1m", "-Dagent=no"), none::get));
        for (String option : List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n",
                "-agentpath:/opt/profiler/libprofiler.so=start", "-javaagent:/opt/agent.jar",
                "-Xrunjdwp:transport=dt_socket", "-XX:StartFlightRecording:filename=w.jfr")) {
            assertTrue(CdsArchive.unfitForArchive(List.of("-Xss1m", option), none::get), option);
        }
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            assertTrue(CdsArchive.unfitForArchive(List.of(), java.util.Map.of(variable, "-javaagent:a.jar")::get),
                    variable);
        }
        Path plain = Files.writeString(cache.resolve("plain.args"), "-Xss1m\n-Dx=y\n");
        Path agent = Files.writeString(cache.resolve("agent.args"), "-Xss1m\n-agentpath:/opt/p.so\n");
        assertFalse(CdsArchive.unfitForArchive(List.of("@" + plain), none::get), "an argument file without one");
        assertTrue(CdsArchive.unfitForArchive(List.of("@" + agent), none::get), "an argument file with one");
        assertTrue(CdsArchive.unfitForArchive(List.of("@" + cache.resolve("missing.args")), none::get),
                "an argument file that cannot be read");
    }

    @Test
    void shouldNameAnArchiveBy32HexDigitsThatDependOnEveryPartOfTheKey() {
        String name = CdsArchive.name("worker\n/jdk\n17\n/app.jar\n3\n1000\n");
        assertEquals(32, name.length());
        org.junit.jupiter.api.Assertions.assertTrue(name.matches("[0-9a-f]{32}"), name);
        assertEquals(name, CdsArchive.name("worker\n/jdk\n17\n/app.jar\n3\n1000\n"), "the same key, the same name");
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            names.add(CdsArchive.name("worker\n/jdk\n17\n/app.jar\n3\n" + (1000 + i) + "\n"));
        }
        assertEquals(10_000, names.size(), "a jar's time alone changes the name");
    }

    /** The option that names a JVM's archive (writing it: the cache is empty for this jar), released at once. */
    private static String archiveOption(CdsArchive archive) {
        CdsArchive.Options options = archive.nextWorker();
        archive.writerExited(false);
        return options.jvmOptions().get(0);
    }

    /** {@code -XX:ArchiveClassesAtExit=<dir>/<hash>.jsa.<pid>.tmp} -> {@code <hash>} */
    private static String archiveName(String option) {
        String file = Path.of(option.substring(option.indexOf('=') + 1)).getFileName().toString();
        return file.substring(0, file.indexOf('.'));
    }
}
