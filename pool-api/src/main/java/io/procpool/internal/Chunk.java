package io.procpool.internal;

/**
 * Consecutive items of one call, sent to a worker together.
 *
 * @param call       the call the items belong to
 * @param firstIndex the index of {@code items[0]} among the call's items
 * @param items      the items
 */
public record Chunk(Call call, long firstIndex, Object[] items) {
    /**
     * Returns the number of items in the chunk.
     *
     * @return the number of items
     */
    public int size() {
        return items.length;
    }
}
