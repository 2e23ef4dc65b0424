package io.procpool.worker.internal.transport;

import java.util.function.Supplier;

/**
 * The reading end of one direction of a worker's channel, on either side: its start-up ring ({@link StartRing})
 * until the ring's switch marker, then its Chronicle queue for good. Used by one thread at a time, like the tailer.
 */
public final class SwitchingReader {
    private final StartRing ring;
    private final Runnable onSwitch;
    private final Supplier<MessageTailer> queue;
    private MessageTailer tailer;
    private boolean switched;
    private long ringMessages;
    private byte[] bytes;
    private int length;

    /**
     * Reads a ring, then a queue.
     *
     * @param ring     the direction's start-up ring
     * @param onSwitch told when the ring's switch marker is read: the queue is needed from now on
     * @param queue    the direction's queue once open; {@code null} while it is opening (the caller polls again
     *                 later), or it may wait for it
     */
    public SwitchingReader(StartRing ring, Runnable onSwitch, Supplier<MessageTailer> queue) {
        this.ring = ring;
        this.onSwitch = onSwitch;
        this.queue = queue;
    }

    /**
     * Reads what is there, without waiting for the writer.
     *
     * @return whether a whole message is now in {@link #bytes()}
     */
    public boolean poll() {
        if (!switched) {
            switch (ring.poll()) {
                case MESSAGE:
                    bytes = ring.bytes();
                    length = ring.length();
                    ringMessages++;
                    return true;
                case EMPTY:
                    return false;
                case SWITCHED:
                    switched = true;
                    onSwitch.run();
                    break;
                default:
                    throw new IllegalStateException();
            }
        }
        if (tailer == null && (tailer = queue.get()) == null) {
            return false; // not open yet: what the writer sent waits in its queue
        }
        if (!tailer.poll()) {
            return false;
        }
        bytes = tailer.bytes();
        length = tailer.length();
        return true;
    }

    /** {@return how many messages came through the ring} */
    public long ringMessages() {
        return ringMessages;
    }

    /** {@return whether the ring's switch marker was read: the rest comes through the queue} */
    public boolean switched() {
        return switched;
    }

    /** {@return the buffer holding the message the last successful {@link #poll()} read} */
    public byte[] bytes() {
        return bytes;
    }

    /** {@return that message's length} */
    public int length() {
        return length;
    }
}
