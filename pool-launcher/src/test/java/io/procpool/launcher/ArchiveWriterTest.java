package io.procpool.launcher;

import io.procpool.Task;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool that finds no class-data archive starts its workers without one, and a JVM of its own writes it beside
 * them: the archive is there for the next pool, and the writer never outlives its pool. Each test gets an archive of
 * its own through a JVM option no other pool has (the options are part of the archive's key).
 */
class ArchiveWriterTest {
    private static final Duration WRITER_TIMEOUT = Duration.ofSeconds(90);
    private static final String WRITE_OPTION = CdsArchive.WRITE_OPTION;

    private static ProcessPool pool(String key) {
        return ProcessPool.builder().processes(1).jvmOptions("-Dprocpool.test.archiveKey=" + key).build();
    }

    /** The live child JVMs that write an archive, with the archive's temporary file. */
    private static Optional<Path> writerFile(ProcessHandle child) {
        return child.info().arguments().stream().flatMap(java.util.Arrays::stream)
                .filter(argument -> argument.startsWith(WRITE_OPTION))
                .map(argument -> Path.of(argument.substring(WRITE_OPTION.length()))).findFirst();
    }

    private static List<ProcessHandle> writers() {
        return Workers.liveChildren().stream().filter(child -> writerFile(child).isPresent()).toList();
    }

    /** {@return a process's nice value, from the 19th field of {@code /proc/<pid>/stat}} */
    private static int niceOf(ProcessHandle process) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]); // fields from the 3rd on: the 19th is index 16
    }

    /** {@code <hash>.jsa.<pid>.tmp} -> {@code <hash>.jsa} */
    private static Path archiveOf(Path inProgress) {
        String name = inProgress.getFileName().toString();
        String withoutTmp = name.substring(0, name.lastIndexOf(".tmp"));
        return inProgress.resolveSibling(withoutTmp.substring(0, withoutTmp.lastIndexOf('.')));
    }

    @Test
    void shouldWriteTheArchiveInAJvmOfItsOwnThatTheNextPoolsWorkersMap() throws Exception {
        String key = UUID.randomUUID().toString();
        Path archive;
        // At the default nice value a writer can starve for minutes beside other test JVMs on a small machine.
        System.setProperty(ArchiveWriter.NICE_PROPERTY, "0");
        try (ProcessPool first = pool(key)) {
            StartupBreakdown.Worker worker = first.startupBreakdown().orElseThrow().workers().get(0);
            assertEquals("none", worker.archive(), "the first pool's worker maps no archive and writes none");
            ProcessHandle workerProcess = ProcessHandle.of(worker.pid()).orElseThrow();
            assertTrue(writerFile(workerProcess).isEmpty(), "the worker is not the archive's writer");
            List<ProcessHandle> writers = writers();
            assertEquals(1, writers.size(), "one JVM writes the archive: " + Workers.liveChildren());
            archive = archiveOf(writerFile(writers.get(0)).orElseThrow());
            assertEquals(0, niceOf(writers.get(0)), "the nice value asked for");
            assertEquals(3, (int) first.apply((Task<Integer, Integer>) x -> x + 1, 2), "the pool works meanwhile");
            // The writer runs no task: it exits by itself, leaving the archive in place of its temporary file.
            Workers.await("the archive to be written at " + archive, WRITER_TIMEOUT,
                    () -> writers().isEmpty() && Files.isRegularFile(archive));
        } finally {
            System.clearProperty(ArchiveWriter.NICE_PROPERTY);
        }
        assertTrue(Files.size(archive) > 0, archive.toString());
        try (ProcessPool next = pool(key)) {
            assertEquals("read", next.startupBreakdown().orElseThrow().workers().get(0).archive(),
                    "the next pool's worker maps the archive");
            assertTrue(writers().isEmpty(), "and nothing writes it again");
            assertEquals(5, (int) next.apply((Task<Integer, Integer>) x -> x + 1, 4));
        }
        Files.deleteIfExists(archive);
    }

    @Test
    void shouldKillAWriterStillAtWorkWhenThePoolClosesLeaveNoHalfWrittenArchiveAndNotTryAgain() throws Exception {
        String key = UUID.randomUUID().toString();
        ProcessHandle writer;
        Path inProgress;
        try (ProcessPool pool = pool(key)) {
            List<ProcessHandle> writers = writers();
            assertEquals(1, writers.size(), "one JVM writes the archive: " + Workers.liveChildren());
            writer = writers.get(0);
            inProgress = writerFile(writer).orElseThrow();
            assertEquals(19, niceOf(writer), "by default the writer runs at the lowest CPU priority");
            // A writer that cannot finish: stopped, as a writer starved of CPU would be for a while.
            Workers.signal(writer.pid(), "STOP");
            assertEquals(3, (int) pool.apply((Task<Integer, Integer>) x -> x + 1, 2));
        }
        assertFalse(writer.isAlive(), "close() ended the writer");
        assertFalse(Files.exists(inProgress), "its half-written archive is gone: " + inProgress);
        assertFalse(Files.exists(archiveOf(inProgress)), "and no archive was kept");
        try (ProcessPool again = pool(key)) {
            assertTrue(writers().isEmpty(), "this JVM gave the archive up: no writer waits in vain at each close");
            assertEquals(3, (int) again.apply((Task<Integer, Integer>) x -> x + 1, 2));
        }
        assertTrue(Workers.poolThreads().isEmpty(), "no thread of the pool is left: " + Workers.poolThreads());
    }

    @Test
    void shouldRefuseANiceValueOutOfRangeAtBuildNamingTheProperty() {
        System.setProperty(ArchiveWriter.NICE_PROPERTY, "25");
        try {
            IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> pool(UUID.randomUUID().toString()).close());
            assertTrue(refused.getMessage().contains(ArchiveWriter.NICE_PROPERTY)
                    && refused.getMessage().contains("'25'"), refused.getMessage());
        } finally {
            System.clearProperty(ArchiveWriter.NICE_PROPERTY);
        }
        assertTrue(Workers.liveChildren().isEmpty(), "nothing was started: " + Workers.liveChildren());
        assertTrue(Workers.queueDirectories().isEmpty(), "nothing was left: " + Workers.queueDirectories());
    }
}
