package io.procpool.worker.internal.transport;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Writes messages to a queue, one document per message, or several for a message larger than
 * {@link QueueSizes#fragmentBytes()}. Each document starts with a flag byte: more fragments follow, this is the
 * last fragment, or the writer moved to the next segment (see {@link QueueLayout}). Used by one thread at a time; it may be handed from one thread to
 * another (the pool creates a worker's queues on one thread and drives them from another).
 */
public final class MessageAppender implements AutoCloseable {
    static final byte MORE = 0;
    static final byte LAST = 1;
    static final byte NEXT_SEGMENT = 2;
    /** The first fragment of a message of several; the total length follows, so the reader allocates once. */
    static final byte FIRST_OF_MANY = 3;

    private static final int ROOM_CHECK_BYTES = 1 << 20;
    /**
     * How far ahead of the writer the queue's pages are made present ({@link PagePopulation}), in one call each
     * time the writer comes within half of it: 64 pages, about 0.1 ms a call here.
     */
    private static final long POPULATE_BYTES = 256 << 10;

    private final QueueLayout layout;
    private final String name;
    /** From the layout: read on every write, so kept in fields of their own. */
    private final int fragmentBytes;
    private final long segmentLimit;
    private int segment;
    private long segmentBytes;
    private ChronicleQueue queue;
    private ExcerptAppender appender;
    private Thread user;
    /** Whether this JVM populates pages ahead; false once the kernel or the mapping refused it. */
    private boolean populates;
    /** The mapping {@link #populatedUpTo} is in: a new block or segment is a new mapping. */
    private BytesStore<?, ?> populatedStore;
    /** The queue file's offset up to which this writer's mapping is populated. */
    private long populatedUpTo;
    private long populatedBytes;

    /**
     * Opens the writing end of a queue, at its first segment.
     *
     * @param layout the worker's files
     * @param name   the queue this side writes, {@link QueueLayout#TASKS} or {@link QueueLayout#RESULTS}
     */
    public MessageAppender(QueueLayout layout, String name) {
        this.layout = layout;
        this.name = name;
        this.fragmentBytes = layout.sizes().fragmentBytes();
        this.segmentLimit = layout.sizes().segmentBytes();
        this.queue = layout.openSegment(name, 0);
        this.appender = queue.createAppender();
        // Chronicle has just loaded JNA on this thread, the queue opener's: binding costs little now.
        this.populates = PagePopulation.load();
    }

    /**
     * Appends {@code bytes[0, length)} as one message, in fragments if it is large.
     *
     * @param bytes  a buffer holding the message
     * @param length the message's length, from the start of {@code bytes}
     * @throws io.procpool.PoolException if a large message would leave the queue directory too little free space
     */
    public void write(byte[] bytes, int length) {
        checkThread();
        if (length > ROOM_CHECK_BYTES) {
            Directories.checkRoom(layout.directory(), length, layout.sizes().marginBytes(), "a message");
        }
        int offset = 0;
        do {
            int fragment = Math.min(length - offset, fragmentBytes);
            boolean last = offset + fragment == length;
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> out = dc.wire().bytes();
                if (last) {
                    out.writeByte(LAST);
                } else if (offset == 0) {
                    out.writeByte(FIRST_OF_MANY);
                    out.writeInt(length);
                } else {
                    out.writeByte(MORE);
                }
                out.write(bytes, offset, fragment);
                if (populates) {
                    try {
                        populateAhead(out);
                    } catch (RuntimeException e) {
                        populates = false; // an aid to speed must never cost a message: write on without it
                    }
                }
            }
            offset += fragment;
        } while (offset < length);
        segmentBytes += length;
        if (segmentBytes >= segmentLimit) {
            nextSegment();
        }
    }

    /**
     * Makes the pages ahead of the writer present, in one call for many, when it comes near the last it populated:
     * so that the writes to come do not take a page fault each (see {@link PagePopulation}).
     */
    private void populateAhead(Bytes<?> out) {
        long position = out.writePosition();
        BytesStore<?, ?> store = out.bytesStore();
        if (store == populatedStore && position + POPULATE_BYTES / 2 < populatedUpTo) {
            return;
        }
        if (!(store instanceof MappedBytesStore)) {
            populates = false;
            return;
        }
        MappedBytesStore mapped = (MappedBytesStore) store;
        if (store != populatedStore) {
            populatedStore = store;
            populatedUpTo = position;
        }
        long from = Math.max(populatedUpTo, position);
        long to = Math.min(from + POPULATE_BYTES, mapped.safeLimit());
        if (to <= from) {
            return; // the end of this block's mapping: the next block is mapped when the writer gets there
        }
        long page = OS.pageSize();
        long fromAddress = mapped.addressForWrite(from);
        long start = (fromAddress + page - 1) & -page;
        long end = (fromAddress + (to - from)) & -page;
        if (end > start) {
            if (!PagePopulation.populate(start, end - start)) {
                populates = false;
                return;
            }
            populatedBytes += end - start;
        }
        populatedUpTo = to;
    }

    /** {@return how many bytes of its queue this writer has populated ahead of itself} */
    public long populatedBytes() {
        return populatedBytes;
    }

    /** Creates the next segment before pointing the reader to it, so it exists when the reader gets there. */
    private void nextSegment() {
        ChronicleQueue next = layout.openSegment(name, segment + 1);
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeByte(NEXT_SEGMENT);
        }
        appender.singleThreadedCheckReset();
        appender.close();
        queue.close();
        queue = next;
        appender = next.createAppender();
        user = Thread.currentThread();
        segment++;
        segmentBytes = 0;
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
        queue.close();
    }
}
