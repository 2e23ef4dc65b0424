package io.procpool.launcher;

import io.procpool.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Directories on a child JVM's class path become cached jars of the same files, so that CDS applies to them. */
class DirectoryJarsTest {
    private static final Task<Integer, String> WORKER_CLASSPATH = x -> System.getProperty("java.class.path");

    @Test
    void shouldPackADirectoryIntoAJarOfTheSameFilesAndReuseItUntilAFileChanges(@TempDir Path dir) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes/com/example"));
        Files.write(classes.resolve("A.class"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("classes/app.properties"), "mode=test");
        Files.createDirectories(dir.resolve("empty"));
        String classpath = String.join(File.pathSeparator, dir.resolve("classes").toString(),
                dir.resolve("empty").toString(), "/some/library.jar");

        String packed = DirectoryJars.pack(classpath);
        List<String> entries = Arrays.asList(packed.split(File.pathSeparator));
        assertEquals(2, entries.size(), "the empty directory has nothing to load: " + packed);
        assertTrue(entries.get(0).endsWith(".jar"), packed);
        assertEquals("/some/library.jar", entries.get(1), "jars pass as they are");
        try (JarFile jar = new JarFile(entries.get(0))) {
            assertArrayEquals(new byte[] {1, 2, 3},
                    jar.getInputStream(jar.getEntry("com/example/A.class")).readAllBytes());
            assertEquals("mode=test", new String(jar.getInputStream(jar.getEntry("app.properties")).readAllBytes()));
            assertTrue(jar.getEntry("com/example/") != null, "directories are entries too, for resource lookups");
        }
        assertEquals(packed, DirectoryJars.pack(classpath), "unchanged files: the same jar, from the cache");

        Files.write(classes.resolve("A.class"), new byte[] {1, 2, 3, 4});
        Files.setLastModifiedTime(classes.resolve("A.class"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        String rebuilt = DirectoryJars.pack(classpath);
        assertNotEquals(packed, rebuilt, "a changed class makes a new jar");
        try (JarFile jar = new JarFile(rebuilt.split(File.pathSeparator)[0])) {
            assertArrayEquals(new byte[] {1, 2, 3, 4},
                    jar.getInputStream(jar.getEntry("com/example/A.class")).readAllBytes());
        }
    }

    @Test
    void shouldLeaveTheClassPathAloneWhenArchivesAreOff(@TempDir Path dir) throws IOException {
        Files.write(Files.createDirectories(dir.resolve("classes")).resolve("A.class"), new byte[] {1});
        String classpath = dir.resolve("classes").toString();
        String before = System.getProperty(CdsArchive.PROPERTY);
        System.setProperty(CdsArchive.PROPERTY, "false");
        try {
            assertEquals(classpath, DirectoryJars.pack(classpath));
        } finally {
            if (before == null) {
                System.clearProperty(CdsArchive.PROPERTY);
            } else {
                System.setProperty(CdsArchive.PROPERTY, before);
            }
        }
    }

    @Test
    void shouldStartWorkersFromJarsWhenThisJvmRunsFromDirectories() {
        // This test runs from target/classes and target/test-classes: its workers must get jars of them.
        assertTrue(Arrays.stream(Classpath.forWorkers(null).split(File.pathSeparator))
                        .anyMatch(entry -> Files.isDirectory(Path.of(entry))),
                "the test's own class path should have directories, or this test checks nothing");
        try (ProcessPool pool = ProcessPool.create(1)) {
            String workerClasspath = pool.apply(WORKER_CLASSPATH, 0);
            for (String entry : workerClasspath.split(File.pathSeparator)) {
                assertTrue(entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry)),
                        "a worker's class path entry is not a jar: " + entry);
            }
        }
    }
}
