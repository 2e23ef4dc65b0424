package io.procpool.launcher.internal.core;

import io.procpool.internal.Chunk;
import io.procpool.worker.internal.protocol.ResultDecoder;

/**
 * What a slot reports, as its channel decodes it, for the core to act on: the other half of the seam. Called by the
 * thread that polls the slot, which holds it.
 */
public interface SlotReports {
    /**
     * The slot is ready for chunks.
     *
     * @param pid its process id
     */
    void ready(long pid);

    /**
     * The slot's initializer threw; its end follows.
     *
     * @param failure what it threw, rebuilt
     */
    void initFailed(Throwable failure);

    /**
     * The slot answers a chunk: the core names the chunk, which the channel needs to decode the answer.
     *
     * @param seq the number the answer carries
     * @return the chunk sent with that number
     * @throws IllegalStateException if it is not the chunk the slot owes next: a protocol error
     */
    Chunk answering(long seq);

    /**
     * The outcomes of the chunk just named by {@link #answering}.
     *
     * @param outcomes    its values, failures and the slot's timings
     * @param bytes       what the answer weighed, in bytes
     * @param decodeNanos what decoding it cost here
     */
    void answered(ResultDecoder.Outcomes outcomes, long bytes, long decodeNanos);

    /**
     * The slot could not run the chunk just named by {@link #answering}: its items fail with {@code failure}.
     *
     * @param failure why, naming the slot
     */
    void failed(io.procpool.PoolException failure);

    /** The slot reached its task limit: it finishes what it runs, then ends. */
    void retiring();
}
