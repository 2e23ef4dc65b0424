package io.procpool.launcher;

import io.procpool.worker.internal.transport.QueueSizes;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten million tasks through one pool: the queues are deleted segment by segment as they are read, so the pool's
 * directory stays under a fixed size however much passes through it.
 */
class BoundedQueueTest {
    private static final long TASKS = 10_000_000;
    private static final int WORKERS = 2;
    /** Two segments per queue, two queues per worker, each segment at most its size plus one message. */
    private static final long BOUND_BYTES = WORKERS * 2 * 2 * (QueueSizes.DEFAULT.segmentBytes() + (8L << 20));

    /** Items made on the fly, 64 bytes each, so ten million of them cost no memory here. */
    private static Iterable<byte[]> items(long count) {
        return () -> new Iterator<>() {
            private long made;

            @Override
            public boolean hasNext() {
                return made < count;
            }

            @Override
            public byte[] next() {
                byte[] item = new byte[64];
                item[0] = (byte) made++;
                return item;
            }
        };
    }

    @Test
    void shouldKeepTheQueueDirectoryUnderAFixedSizeForTenMillionTasks() throws Exception {
        long peak = 0;
        long checked = 0;
        try (ProcessPool pool = ProcessPool.create(WORKERS)) {
            Path directory = Workers.queueDirectories().get(0);
            Iterator<Integer> lengths = pool.imapUnordered((byte[] item) -> item.length, items(TASKS), 1000);
            long received = 0;
            while (lengths.hasNext()) {
                assertEquals(64, lengths.next());
                if (++received % 250_000 == 0) {
                    peak = Math.max(peak, allocatedBytes(directory));
                    checked++;
                }
            }
            assertEquals(TASKS, received);
            long moved = pool.stats().bytesToWorkers() + pool.stats().bytesFromWorkers();
            System.out.printf("%d tasks, %d MiB through the queues, queue directory at most %d MiB (bound %d MiB)%n",
                    TASKS, moved >> 20, peak >> 20, BOUND_BYTES >> 20);
            assertTrue(moved > BOUND_BYTES, "less went through the queues than the bound: " + moved);
        }
        assertTrue(checked >= 30, "the directory was measured only " + checked + " times");
        assertTrue(peak > 0 && peak < BOUND_BYTES, "the queue directory grew to " + peak + " bytes");
    }

    /** Disk (here memory) the directory really holds, as du counts it: Chronicle's files are sparse. */
    private static long allocatedBytes(Path directory) throws IOException, InterruptedException {
        Process du = new ProcessBuilder("du", "-s", "-B1", directory.toString()).redirectErrorStream(true).start();
        String output = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(du.waitFor(10, TimeUnit.SECONDS), "du did not finish");
        List<String> fields = List.of(output.split("\\s+"));
        return Long.parseLong(fields.get(0));
    }
}
