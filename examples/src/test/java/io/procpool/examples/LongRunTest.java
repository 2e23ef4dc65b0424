package io.procpool.examples;

import io.procpool.Pool;
import io.procpool.Task;
import io.procpool.ThreadPool;
import io.procpool.launcher.ProcessPool;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The progress idiom of {@link LongRun}, on real pools: the bar counts every result, the results keep item order,
 * and leaving the loop early closes the call, so that its items read ahead and not started never run.
 */
class LongRunTest {
    private static final int WORKERS = 2;
    /** The item whose result the searches stop at. */
    private static final int STOP = 9;
    /** An item that cannot have started when the search returns: after the found one, one item runs per worker. */
    private static final int QUEUED = STOP + WORKERS + 1;

    /** The bar's renderings, the last one made when it closes; it draws nothing on the console. */
    private final List<String> rendered = new CopyOnWriteArrayList<>();

    private ProgressBarBuilder bar(long total) {
        return new ProgressBarBuilder().setTaskName("test").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new DelegatingProgressBarConsumer(rendered::add));
    }

    private String finalRendering() {
        assertFalse(rendered.isEmpty(), "the bar was never drawn");
        return rendered.get(rendered.size() - 1);
    }

    @Test
    @Timeout(60)
    void mapWithProgressShouldStepTheBarOncePerItemAndKeepItemOrder() {
        int items = 40;
        // Earlier items compute longer, so that they tend to finish after later ones: the order is imap's doing.
        Task<Integer, Long> fn = x -> Demo.cpuWork((items - x) * 20_000) == 42 ? -1L : (long) x * x;
        try (Pool pool = ThreadPool.create(WORKERS)) {
            List<Long> results = LongRun.mapWithProgress(pool, fn,
                    IntStream.range(0, items).boxed().toList(), bar(items));
            assertEquals(IntStream.range(0, items).mapToObj(x -> (long) x * x).toList(), results);
        }
        assertTrue(finalRendering().contains(" " + items + "/" + items + " "),
                "the bar reached every item: " + finalRendering());
    }

    /**
     * The search stops at item {@link #STOP}, which finishes only once {@link #QUEUED} has been read: by then the
     * items after it are running (one per worker, waiting at a gate) or queued behind them. A call that the loop
     * left open would run the queued ones when the gate opens; a closed one never starts them.
     */
    @Test
    @Timeout(60)
    void returningFromTheLoopShouldCloseTheCallSoItsQueuedItemsNeverRunOnThreads() throws InterruptedException {
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        CountDownLatch queuedRead = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        Task<Integer, Integer> fn = x -> {
            started.add(x);
            if (x == STOP) {
                queuedRead.await();
            } else if (x > STOP) {
                gate.await();
            }
            return x;
        };
        AtomicLong read = new AtomicLong();
        Pool pool = ThreadPool.create(WORKERS);
        try {
            Optional<Integer> found = LongRun.firstMatching(pool, fn, endless(read, queuedRead::countDown), 1,
                    r -> r == STOP, bar(-1));
            assertEquals(Optional.of(STOP), found);
            long readAtReturn = read.get();
            gate.countDown();
            pool.close(); // waits for the items running; a call left open would run its queued ones now
            assertOnlyTheRunningItemsWentOn(new TreeSet<>(started), readAtReturn);
            assertEquals(readAtReturn, read.get(), "no item was read after the return");
        } finally {
            queuedRead.countDown();
            gate.countDown();
            pool.terminate();
        }
        assertTrue(finalRendering().contains(" " + (STOP + 1) + "/?"),
                "the bar counted the results taken: " + finalRendering());
    }

    /**
     * As on threads, with worker JVMs: the latches are file locks that the test holds while the workers ask for
     * them, and each item leaves a file behind when it starts.
     */
    @Test
    @Timeout(120)
    void returningFromTheLoopShouldCloseTheCallSoItsQueuedItemsNeverRunInProcesses(@TempDir Path dir)
            throws IOException {
        String directory = dir.toString();
        Task<Integer, Integer> fn = x -> {
            Files.createFile(Path.of(directory, "started-" + x));
            String latch = x == STOP ? "queued-read" : x > STOP ? "gate" : null;
            if (latch != null) {
                try (FileChannel file = FileChannel.open(Path.of(directory, latch), StandardOpenOption.READ)) {
                    file.lock(0, Long.MAX_VALUE, true).release(); // waits while the test holds the lock
                }
            }
            return x;
        };
        try (FileChannel queuedReadFile = lockable(dir.resolve("queued-read"));
             FileChannel gateFile = lockable(dir.resolve("gate"))) {
            FileLock queuedRead = queuedReadFile.lock();
            FileLock gate = gateFile.lock();
            AtomicLong read = new AtomicLong();
            Pool pool = ProcessPool.create(WORKERS);
            try {
                Optional<Integer> found = LongRun.firstMatching(pool, fn, endless(read, () -> release(queuedRead)),
                        1, r -> r == STOP, bar(-1));
                assertEquals(Optional.of(STOP), found);
                long readAtReturn = read.get();
                release(gate);
                pool.close(); // waits for the items running; a call left open would run its queued ones now
                assertOnlyTheRunningItemsWentOn(startedIn(dir), readAtReturn);
                assertEquals(readAtReturn, read.get(), "no item was read after the return");
            } finally {
                release(queuedRead);
                release(gate);
                pool.terminate();
            }
        }
        assertTrue(finalRendering().contains(" " + (STOP + 1) + "/?"),
                "the bar counted the results taken: " + finalRendering());
    }

    /**
     * Every item up to the one found ran; of those after it, only as many as there are workers, the ones running
     * when the loop returned, although more had been read; and reading stayed a few chunks ahead.
     */
    private static void assertOnlyTheRunningItemsWentOn(TreeSet<Integer> started, long read) {
        Set<Integer> upToFound = IntStream.rangeClosed(0, STOP).boxed().collect(Collectors.toSet());
        assertTrue(started.containsAll(upToFound), "every item up to the one found ran: " + started);
        assertTrue(read > QUEUED, "items were read to be queued (" + read + " read), so the test can tell");
        assertTrue(started.tailSet(STOP, false).size() <= WORKERS,
                "of the items after the one found, " + (read - STOP - 1) + " were read but only those running"
                        + " when the loop returned, one per worker, may have run: " + started);
        assertTrue(read <= STOP + 1 + 2L * WORKERS + 2, "reading stayed a few chunks ahead: " + read);
    }

    private static FileChannel lockable(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    private static void release(FileLock lock) {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TreeSet<Integer> startedIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(name -> name.startsWith("started-"))
                    .map(name -> Integer.valueOf(name.substring("started-".length())))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** An {@link Iterable} that never ends, counting the items it gives; giving {@link #QUEUED} runs a hook. */
    private static Iterable<Integer> endless(AtomicLong read, Runnable onQueuedRead) {
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                int item = (int) read.getAndIncrement();
                if (item == QUEUED) {
                    onQueuedRead.run();
                }
                return item;
            }
        };
    }
}
