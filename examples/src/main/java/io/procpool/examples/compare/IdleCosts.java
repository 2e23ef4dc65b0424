package io.procpool.examples.compare;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Two costs below any pool, measured when the comparison starts, that bound two rows of its tables here: waking
 * something that has slept (the paced calls) and touching memory for the first time (every byte through a
 * queue, which only appends). A thread pool wakes a thread; a process pool wakes a process, and a sleeping worker
 * waits on its stdin as the child here does. A page touched for the first time costs a page fault, the kernel's
 * zeroing of the page and, on a virtual machine whose host backs guest memory on first use, the host's work too:
 * 24 us on the 2-core VM this was written on.
 *
 * @param gapMillis         how long each sleeper slept before it was woken, as long as between the paced calls
 * @param wakes             wake-ups timed of each kind
 * @param threadWakeMicros  the median time from {@code unpark(t)} to {@code t} running, {@code t} parked for
 *                          {@code gapMillis}
 * @param processWakeMicros the median time from writing a byte to another JVM's stdin to that JVM running, it
 *                          having blocked on reading it for {@code gapMillis}; both read {@link System#nanoTime()},
 *                          on Linux a clock every process shares
 * @param pages             pages of a new mapped file written, one byte each
 * @param freshPageMicros   the mean time to write to a page of a new mapped file for the first time, in the
 *                          directory where pools keep their queues
 * @param touchedPageMicros the mean time to write to the same pages again
 */
record IdleCosts(int gapMillis, int wakes, double threadWakeMicros, double processWakeMicros, int pages,
                 double freshPageMicros, double touchedPageMicros) {

    private static final int WAKES = 50;
    private static final int WARMUPS = 5;
    /** Writes this far apart touch a new page each on the usual 4 KiB pages (and every 16th one on 64 KiB pages). */
    private static final int PAGE_BYTES = 4096;
    private static final int FILE_BYTES = 16 << 20;
    /** The longest the child may take to start and answer them all; past it, it is killed. */
    private static final long CHILD_TIMEOUT_SECONDS = 30;
    /** The child's first word, so that anything else a JVM may print on its stdout is not read as a time. */
    static final long CHILD_HELLO = 0x7072_6f63_706f_6f6cL;

    /**
     * Measures every figure: about {@code 2 * 55 * gapMillis} ms, plus starting one small JVM.
     *
     * @param gapMillis how long each sleeper sleeps before it is woken
     * @return the figures, or {@code null} if they could not be measured here (no JVM to start with this class
     * path, no room for the file): the comparison goes on without them
     */
    static IdleCosts measure(int gapMillis) throws InterruptedException {
        try {
            long[] threadWakes = threadWakes(gapMillis);
            long[] processWakes = processWakes(gapMillis);
            double[] pages = pageCosts();
            return new IdleCosts(gapMillis, WAKES, Timing.medianMicros(threadWakes),
                    Timing.medianMicros(processWakes), FILE_BYTES / PAGE_BYTES, pages[0], pages[1]);
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: a write to a mapped file on a full file system.
            System.err.println("Could not measure the idle costs here: " + e);
            return null;
        }
    }

    /** Parks a thread, lets it sleep {@code gapMillis}, unparks it and notes when it runs again. */
    private static long[] threadWakes(int gapMillis) throws InterruptedException {
        AtomicBoolean go = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        long[] wokenAt = new long[1];
        Thread sleeper = new Thread(() -> {
            while (!stop.get()) {
                while (!go.get()) {
                    LockSupport.park();
                }
                wokenAt[0] = System.nanoTime(); // published by the volatile write below
                go.set(false);
            }
        }, "compare-idle-sleeper");
        sleeper.setDaemon(true);
        sleeper.start();
        long[] wakes = new long[WAKES];
        try {
            for (int i = -WARMUPS; i < WAKES; i++) {
                Thread.sleep(gapMillis); // the sleeper is parked again well before this ends
                long start = System.nanoTime();
                go.set(true);
                LockSupport.unpark(sleeper);
                while (go.get()) {
                    Thread.yield(); // as a caller waiting for its answer does
                }
                if (i >= 0) {
                    wakes[i] = wokenAt[0] - start;
                }
            }
        } finally {
            stop.set(true);
            go.set(true);
            LockSupport.unpark(sleeper);
            sleeper.join();
        }
        return wakes;
    }

    /**
     * Starts a small JVM that blocks reading its stdin and answers each byte with the time it read it; writes it a
     * byte every {@code gapMillis}. A child that does not answer in time is killed, which ends the read here.
     */
    private static long[] processWakes(int gapMillis) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx16m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                PipeWakeChild.class.getName()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        java.util.concurrent.CompletableFuture<Process> killer = child.onExit()
                .completeOnTimeout(null, CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((exited, e) -> child.destroyForcibly());
        long[] wakes = new long[WAKES];
        try (OutputStream toChild = child.getOutputStream();
             DataInputStream fromChild = new DataInputStream(child.getInputStream())) {
            if (fromChild.readLong() != CHILD_HELLO) {
                throw new IOException("the child JVM wrote something else on its stdout first");
            }
            for (int i = -WARMUPS; i < WAKES; i++) {
                Thread.sleep(gapMillis);
                long start = System.nanoTime();
                toChild.write(1);
                toChild.flush();
                long woken = fromChild.readLong();
                if (woken < start || woken - start > TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_SECONDS)) {
                    throw new IOException("the child JVM answered with a time that is not after the byte was written");
                }
                if (i >= 0) {
                    wakes[i] = woken - start;
                }
            }
        } finally {
            // Closing its stdin ends it; one that hangs is killed when the timeout above runs out.
            child.waitFor();
            killer.cancel(false);
        }
        return wakes;
    }

    /** @return microseconds per page: writing a new mapped file's pages, then writing them again */
    private static double[] pageCosts() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path directory = Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                : Path.of(System.getProperty("java.io.tmpdir"));
        Path file = Files.createTempFile(directory, "procpool-compare-pages", ".bin");
        int pages = FILE_BYTES / PAGE_BYTES;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES);
            long start = System.nanoTime();
            for (int page = 0; page < pages; page++) {
                map.put(page * PAGE_BYTES, (byte) 1);
            }
            long fresh = System.nanoTime();
            for (int page = 0; page < pages; page++) {
                map.put(page * PAGE_BYTES + 1, (byte) 1);
            }
            long again = System.nanoTime();
            channel.truncate(0); // the mapping lives until collected; the file's memory goes back now
            return new double[] {(fresh - start) / 1e3 / pages, (again - fresh) / 1e3 / pages};
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** @return the figures in one line for the header */
    String describe() {
        return String.format(Locale.ROOT, "after %d ms asleep, an unpark wakes a thread in %s us and a byte on its"
                        + " stdin wakes another JVM in %s us (medians of %d); a page of a new mapped file costs %s us"
                        + " to write the first time, %s us after", gapMillis, Report.number(threadWakeMicros),
                Report.number(processWakeMicros), wakes, Report.number(freshPageMicros),
                Report.number(touchedPageMicros));
    }
}
