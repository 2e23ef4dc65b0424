package io.procpool.worker;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Writes messages to a queue, one document per message, or several for a message larger than
 * {@link QueueLayout#MAX_FRAGMENT_BYTES}. Each document starts with a flag byte that says whether it is the last
 * fragment. Used by one thread at a time; it may be handed from one thread to
 * another (the pool creates a worker's queues on one thread and drives them from another).
 */
public final class MessageAppender implements AutoCloseable {
    static final byte MORE = 0;
    static final byte LAST = 1;

    private final ExcerptAppender appender;
    private Thread user;

    /**
     * @param queue the queue this side writes
     */
    public MessageAppender(ChronicleQueue queue) {
        this.appender = queue.createAppender();
    }

    /**
     * Appends {@code bytes[0, length)} as one message.
     */
    public void write(byte[] bytes, int length) {
        checkThread();
        int offset = 0;
        do {
            int fragment = Math.min(length - offset, QueueLayout.MAX_FRAGMENT_BYTES);
            boolean last = offset + fragment == length;
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> out = dc.wire().bytes();
                out.writeByte(last ? LAST : MORE);
                out.write(bytes, offset, fragment);
            }
            offset += fragment;
        } while (offset < length);
    }

    /** Tells Chronicle, which checks that one thread uses it, that the thread using it changed on purpose. */
    private void checkThread() {
        Thread current = Thread.currentThread();
        if (user != current) {
            user = current;
            appender.singleThreadedCheckReset();
        }
    }

    @Override
    public void close() {
        appender.singleThreadedCheckReset();
        appender.close();
    }
}
