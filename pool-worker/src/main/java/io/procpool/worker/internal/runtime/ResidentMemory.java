package io.procpool.worker.internal.runtime;

import net.openhft.chronicle.core.OS;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * This process's resident memory, read from Linux's {@code /proc/self/statm}, for {@code maxMemoryPerChild}. The file
 * stays open and is read again from its start each time, which makes the kernel write it afresh: a few microseconds
 * (one {@code pread} of 30 bytes), against tens for opening, reading and closing it, or for the parent reading
 * {@code /proc/<pid>/statm} of every worker on its one loop thread. Owned by the worker's main thread.
 */
public final class ResidentMemory implements AutoCloseable {
    /** Where Linux says how much memory this process has, in pages: size, resident, shared, text, 0, data, 0. */
    public static final Path STATM = Path.of("/proc/self/statm");

    private final FileChannel statm;
    private final ByteBuffer buffer = ByteBuffer.allocate(128);
    private final long pageSize = OS.pageSize();

    private ResidentMemory(FileChannel statm) {
        this.statm = statm;
    }

    /**
     * Opens this process's {@code statm}.
     *
     * @return a reader of this process's resident memory
     * @throws UncheckedIOException if there is no {@code /proc/self/statm} (not Linux) or it cannot be read
     */
    public static ResidentMemory open() {
        try {
            return new ResidentMemory(FileChannel.open(STATM, StandardOpenOption.READ));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATM + ", which maxMemoryPerChild needs (Linux)", e);
        }
    }

    /** {@return whether this system says how much memory a process has in {@link #STATM}, as Linux does} */
    public static boolean isAvailable() {
        return Files.isReadable(STATM);
    }

    /**
     * Reads the resident memory now.
     *
     * @return this process's resident memory in bytes
     * @throws UncheckedIOException if the file cannot be read
     */
    public long bytes() {
        buffer.clear();
        try {
            statm.read(buffer, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATM, e);
        }
        return residentPages(buffer) * pageSize;
    }

    /** {@return the second number of {@code statm}'s line, the resident pages, from the buffer's start} */
    static long residentPages(ByteBuffer line) {
        int i = 0;
        int end = line.position();
        while (i < end && line.get(i) != ' ') {
            i++;
        }
        long pages = 0;
        for (i++; i < end && line.get(i) >= '0' && line.get(i) <= '9'; i++) {
            pages = pages * 10 + line.get(i) - '0';
        }
        return pages;
    }

    @Override
    public void close() {
        try {
            statm.close();
        } catch (IOException e) {
            // nothing to do: the process exits
        }
    }
}
