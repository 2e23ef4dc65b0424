package io.procpool.worker.internal.transport;

/**
 * Decides when a message buffer that grew for a large message goes back to its small size. Keeping it while large
 * messages keep coming saves allocating (and zeroing) tens of megabytes per message; giving it back two seconds
 * after the last one keeps an idle pool small.
 */
public final class BufferRetention {
    /** Buffers up to this size are always kept. */
    public static final int SMALL_BYTES = 1 << 20;
    private static final long KEEP_NANOS = 2_000_000_000L;

    private long lastLargeUseNanos;

    /** Creates a policy that has seen no large message yet. */
    public BufferRetention() {
    }

    /**
     * Decides, after a message was handled, whether its buffer should go back to the small size.
     *
     * @param capacity the buffer's size now
     * @param used     how much of it the message just handled used
     * @return whether to replace the buffer by a small one
     */
    public boolean shrink(int capacity, int used) {
        if (capacity <= SMALL_BYTES) {
            return false;
        }
        long now = System.nanoTime();
        if (used > SMALL_BYTES) {
            lastLargeUseNanos = now;
            return false;
        }
        return now - lastLargeUseNanos > KEEP_NANOS;
    }
}
