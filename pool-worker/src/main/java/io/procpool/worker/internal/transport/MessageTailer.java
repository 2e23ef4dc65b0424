package io.procpool.worker.internal.transport;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.Arrays;

/**
 * Reads the messages {@link MessageAppender} wrote, joining fragments and following the writer from segment to
 * segment, deleting each segment once it is read. The bytes of the last message read stay valid until the next
 * {@link #poll()}. Used by one thread at a time; it may be handed from one thread to
 * another (the pool creates a worker's queues on one thread and drives them from another).
 */
public final class MessageTailer implements AutoCloseable {
    private static final int INITIAL_BYTES = 8192;

    private final QueueLayout layout;
    private final String name;
    private int segment;
    private ChronicleQueue queue;
    private ExcerptTailer tailer;
    private Thread user;
    private byte[] buffer = new byte[INITIAL_BYTES];
    private int length;
    private boolean complete = true;
    private final BufferRetention retention = new BufferRetention();

    /**
     * Opens the reading end of a queue, at its first segment.
     *
     * @param layout the worker's files
     * @param name   the queue this side reads, {@link QueueLayout#TASKS} or {@link QueueLayout#RESULTS}
     */
    public MessageTailer(QueueLayout layout, String name) {
        this.layout = layout;
        this.name = name;
        this.queue = layout.openSegment(name, 0);
        this.tailer = queue.createTailer();
    }

    /**
     * Reads what is there without waiting.
     *
     * @return whether a whole message is now in {@link #bytes()}
     */
    public boolean poll() {
        checkThread();
        if (complete) {
            if (retention.shrink(buffer.length, length)) {
                buffer = new byte[INITIAL_BYTES];
            }
            length = 0;
            complete = false;
        }
        while (true) {
            boolean segmentEnded = false;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return false;
                }
                Bytes<?> in = dc.wire().bytes();
                byte flag = in.readByte();
                if (flag == MessageAppender.NEXT_SEGMENT) {
                    segmentEnded = true;
                } else {
                    if (flag == MessageAppender.FIRST_OF_MANY) {
                        int total = in.readInt();
                        if (total > buffer.length) {
                            buffer = new byte[total];
                        }
                    }
                    int fragment = (int) in.readRemaining();
                    if (length + fragment > buffer.length) {
                        buffer = Arrays.copyOf(buffer, Math.max(length + fragment, buffer.length * 2));
                    }
                    in.read(buffer, length, fragment);
                    length += fragment;
                    if (flag == MessageAppender.LAST) {
                        complete = true;
                        return true;
                    }
                }
            }
            if (segmentEnded) {
                nextSegment();
            }
        }
    }

    private void nextSegment() {
        tailer.singleThreadedCheckReset();
        tailer.close();
        queue.close();
        Directories.deleteQuietly(layout.segmentDirectory(name, segment));
        segment++;
        queue = layout.openSegment(name, segment);
        tailer = queue.createTailer();
        user = Thread.currentThread();
    }


    /**
     * Returns the buffer of the last message read; it may be reused by the next {@link #poll()}.
     *
     * @return the buffer holding the message read by the last successful {@link #poll()}
     */
    public byte[] bytes() {
        return buffer;
    }

    /**
     * Returns the length of the last message read, from the start of {@link #bytes()}.
     *
     * @return the length of that message
     */
    public int length() {
        return length;
    }

    /** Tells Chronicle, which checks that one thread uses it, that the thread using it changed on purpose. */
    private void checkThread() {
        Thread current = Thread.currentThread();
        if (user != current) {
            user = current;
            tailer.singleThreadedCheckReset();
        }
    }

    @Override
    public void close() {
        tailer.singleThreadedCheckReset();
        tailer.close();
        queue.close();
    }
}
