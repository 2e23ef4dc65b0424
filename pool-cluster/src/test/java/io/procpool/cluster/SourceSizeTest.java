package io.procpool.cluster;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No main source file of a library module is longer than {@value #MAX_LINES} lines: a longer one has more than one
 * role, and is split by role. Read from the sources beside this module (pool-cluster's tests run in its directory,
 * which Maven makes the working directory).
 */
class SourceSizeTest {
    private static final int MAX_LINES = 450;
    private static final List<String> MODULES = List.of("pool-api", "pool-worker", "pool-launcher", "pool-cluster");

    @Test
    void shouldKeepEveryMainSourceFileOfALibraryModuleWithinTheLimit() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> tooLong = new ArrayList<>();
        int files = 0;
        for (String module : MODULES) {
            Path sources = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(sources), "no sources at " + sources);
            List<Path> javaFiles;
            try (Stream<Path> walk = Files.walk(sources)) {
                javaFiles = walk.filter(path -> path.toString().endsWith(".java")).toList();
            }
            assertTrue(javaFiles.size() > 5, "too few sources found in " + sources + ": " + javaFiles.size());
            for (Path file : javaFiles) {
                files++;
                long lines;
                try (Stream<String> read = Files.lines(file)) {
                    lines = read.count();
                }
                if (lines > MAX_LINES) {
                    tooLong.add(root.relativize(file) + " (" + lines + " lines)");
                }
            }
        }
        assertTrue(files > 100, "read " + files + " files");
        assertEquals(List.of(), tooLong, "split these by role");
    }
}
