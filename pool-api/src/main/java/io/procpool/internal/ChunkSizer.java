package io.procpool.internal;

/**
 * Chooses the next chunk size of a call from measured task durations, in the spirit of joblib's auto-batching:
 * tiny tasks are batched until a chunk runs for about the target time, so the fixed cost of sending a chunk
 * stays a small part of it; long tasks go one at a time; and near the end of a call of known length chunks shrink,
 * so that no worker sits idle while another finishes a large last chunk. Sizes grow at most fourfold from one
 * chunk to the next, so one unusually fast chunk cannot make the next one huge.
 */
final class ChunkSizer {
    private static final double SMOOTHING = 0.3;
    private static final long GROWTH = 4;
    /** The first chunks of a map, before anything is measured: Python's size, but no more than this. */
    private static final int FIRST_CHUNK_CAP = 16;

    private final long targetChunkNanos;
    private final int workers;
    private final int maxChunk;
    private double nanosPerItem;

    /**
     * @param knownNanosPerItem what an earlier call of the same task measured, or a negative number
     */
    ChunkSizer(long targetChunkNanos, int workers, int maxChunk, double knownNanosPerItem) {
        this.targetChunkNanos = targetChunkNanos;
        this.workers = workers;
        this.maxChunk = maxChunk;
        this.nanosPerItem = knownNanosPerItem;
    }

    /**
     * @param remaining the call's items, or a huge number when unknown
     * @return the size of the first chunks for a task whose time per item is known, or 0 when it is not
     */
    int first(long remaining) {
        if (nanosPerItem < 0) {
            return 0;
        }
        long wanted = (long) Math.max(1, targetChunkNanos / Math.max(1.0, nanosPerItem));
        long tail = (long) Math.ceil(remaining / (2.0 * workers));
        return (int) Math.max(1, Math.min(Math.min(wanted, tail), maxChunk));
    }

    /** {@return the smoothed time per item measured so far, or a negative number before any} */
    double nanosPerItem() {
        return nanosPerItem;
    }

    /**
     * @param total   the call's number of items
     * @param workers the pool's size
     * @return the size of a map's first chunks: Python's {@code ceil(n / (4 * workers))}, capped so that long
     * tasks are not handed out in large chunks before their duration is known
     */
    static int firstMapChunk(int total, int workers) {
        int python = (int) Math.ceil(total / (4.0 * workers));
        return Math.max(1, Math.min(python, FIRST_CHUNK_CAP));
    }

    /**
     * @param current      the chunk size now
     * @param items        the items of the chunk that just finished
     * @param executeNanos how long they ran
     * @param remaining    items not read yet, or a huge number when unknown
     * @return the size for the next chunk
     */
    int next(int current, int items, long executeNanos, long remaining) {
        double measured = (double) Math.max(1, executeNanos) / Math.max(1, items);
        nanosPerItem = nanosPerItem < 0 ? measured : (1 - SMOOTHING) * nanosPerItem + SMOOTHING * measured;
        long wanted = (long) Math.max(1, targetChunkNanos / nanosPerItem);
        long grown = Math.min(wanted, GROWTH * Math.max(current, items));
        long tail = (long) Math.ceil(remaining / (2.0 * workers));
        return (int) Math.max(1, Math.min(Math.min(grown, tail), maxChunk));
    }
}
