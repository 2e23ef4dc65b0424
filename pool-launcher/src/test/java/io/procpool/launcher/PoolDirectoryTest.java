package io.procpool.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The private directory a pool's queues live in. */
class PoolDirectoryTest {
    @TempDir
    Path base;

    @Test
    void shouldMakeANewOwnerOnlyDirectoryNamedByItsPrefixAndANumberEachTime() throws Exception {
        Path first = PoolDirectory.createPrivate(base, "procpool-42-");
        Path second = PoolDirectory.createPrivate(base, "procpool-42-");
        assertNotEquals(first, second);
        for (Path made : new Path[] {first, second}) {
            assertEquals(base, made.getParent());
            assertTrue(Files.isDirectory(made), made + " is not a directory");
            assertTrue(made.getFileName().toString().matches("procpool-42-[0-9]+"), made.toString());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)),
                    "the queues' directory is its owner's alone");
        }
    }
}
