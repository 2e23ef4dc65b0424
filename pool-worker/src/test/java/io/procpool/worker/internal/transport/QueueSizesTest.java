package io.procpool.worker.internal.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QueueSizesTest {
    private static final long MIB = 1L << 20;

    @Test
    void shouldKeepTheDefaultSizesWhereTheirBoundFits() {
        assertEquals(QueueSizes.DEFAULT, QueueSizes.forSpace(Long.MAX_VALUE, 2));
        assertEquals(QueueSizes.DEFAULT, QueueSizes.forSpace(256 * MIB, 2), "two workers: 4 queues x 2 x 32 MiB");
        assertEquals(32 * MIB, QueueSizes.DEFAULT.blockBytes());
        assertEquals(4 * MIB, QueueSizes.DEFAULT.fragmentBytes(), "as before the sizes could change");
        assertEquals(64 * MIB, QueueSizes.DEFAULT.minimumFreeBytes());
        assertEquals(java.util.List.of(), QueueSizes.DEFAULT.asJvmOptions(), "workers' default command line");
    }

    @Test
    void shouldShrinkSegmentsAndBlocksOnASmallFileSystem() {
        // Docker's /dev/shm: the bound (4 queues x 2 segments) and the running margin (2 segments) must fit.
        QueueSizes docker = QueueSizes.forSpace(64 * MIB, 2);
        assertEquals(4 * MIB, docker.segmentBytes());
        assertEquals(4 * MIB, docker.blockBytes());
        assertEquals(512 << 10, docker.fragmentBytes());
        assertEquals(java.util.List.of("-D" + QueueSizes.PROPERTY + "=" + 4 * MIB), docker.asJvmOptions());
        assertEquals(16 * MIB, QueueSizes.forSpace(255 * MIB, 2).segmentBytes());
        assertEquals(MIB, QueueSizes.forSpace(10 * MIB, 2).segmentBytes());
    }

    @Test
    void shouldFindNoSizesForAFileSystemTooSmallForTheSmallest() {
        assertNull(QueueSizes.forSpace(10 * MIB - 1, 2));
        assertEquals(10 * MIB, QueueSizes.smallestNeededBytes(2));
        assertThrows(IllegalArgumentException.class, () -> new QueueSizes(3 * MIB));
    }
}
