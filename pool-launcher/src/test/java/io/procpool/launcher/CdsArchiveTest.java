package io.procpool.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
