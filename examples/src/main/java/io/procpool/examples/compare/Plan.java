package io.procpool.examples.compare;

import java.util.List;

/**
 * How much work each measurement does: the full plan, or the quick one for a look in about a minute. Only sizes and
 * repetition counts live here; what is measured is the same in both, so a quick run is a smaller version of the
 * full one, not a different experiment.
 *
 * @param quick                 whether this is the quick plan
 * @param workers               workers (threads or processes) in every pool
 * @param warmups               unmeasured runs before the measured ones
 * @param reps                  measured runs; every figure is their median
 * @param applyCalls            calls per repetition of the apply round trip (Java engines)
 * @param pythonApplyCalls      the same for Python, whose calls are slower
 * @param pacedCalls            calls of the apply round trip made one at a time {@code pacedGapMillis} apart, so that
 *                              the pool has gone idle before each (every engine, Python included)
 * @param pacedGapMillis        how long the caller sleeps before each of those calls
 * @param tinyItemsChunk1       items of {@code x -> x * x} at chunksize 1 (Java)
 * @param tinyItemsDefault      items of {@code x -> x * x} with the pool's default chunking (Java)
 * @param pythonTinyItemsChunk1 the same at chunksize 1 for Python
 * @param pythonTinyItemsDefault the same with default chunking for Python
 * @param cpuItems              items of the CPU-bound loop
 * @param cpuItemMillis         the wall time one item of the CPU-bound loop is calibrated to, sequentially
 * @param payloadSizes          byte[] sizes sent through apply(identity)
 * @param payloadBudgetBytes    bytes one repetition sends per size; the call count follows from it
 * @param payloadMinCalls       the fewest calls per repetition, for the largest sizes
 * @param payloadMaxCalls       the most calls per repetition, for the smallest sizes
 * @param spinNanos             task durations of the busy-spin sweep
 * @param spinTargetMillis      sequential wall time each duration's item count is chosen for
 * @param startupPools          pools started to time create-to-first-result; in the start-up section's probe JVMs,
 *                              the pools each starts after its first
 * @param startupProbes         probe JVMs per engine, JDK and kind of class path in the start-up section, after one
 *                              unmeasured warm-up probe each (pool 0 is one figure per JVM, so its median needs
 *                              several)
 * @param idleSeconds           how long the idle pool is watched
 * @param fileLines             lines of the temporary file that {@code imap} reads (Java)
 * @param pythonFileLines       how many of them Python reads: its imap hands lines over one at a time by default
 * @param serialApplyCalls      calls per repetition of the apply round trip of a small record, per serialisation
 * @param serialTinyItems       items of {@code x -> x * x} with default chunking, per serialisation
 * @param serialBudgetBytes     roughly how many bytes one repetition of the serialisation payload sweep sends per
 *                              payload; the call count follows from it
 * @param serialMinCalls        the fewest calls per repetition of that sweep, for the largest payloads
 * @param serialMaxCalls        the most calls per repetition of that sweep, for the smallest payloads
 */
record Plan(boolean quick, int workers, int warmups, int reps,
            int applyCalls, int pythonApplyCalls, int pacedCalls, int pacedGapMillis,
            int tinyItemsChunk1, int tinyItemsDefault, int pythonTinyItemsChunk1, int pythonTinyItemsDefault,
            int cpuItems, int cpuItemMillis,
            List<Long> payloadSizes, long payloadBudgetBytes, int payloadMinCalls, int payloadMaxCalls,
            List<Long> spinNanos, int spinTargetMillis,
            int startupPools, int startupProbes, int idleSeconds,
            int fileLines, int pythonFileLines,
            int serialApplyCalls, int serialTinyItems, long serialBudgetBytes, int serialMinCalls,
            int serialMaxCalls) {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final List<Long> PAYLOAD_SIZES = List.of(16L, KIB, 64 * KIB, MIB, 16 * MIB, 64 * MIB);
    /**
     * Long enough that every engine's threads and workers have stopped spinning or yielding and gone to sleep, as
     * they have between a user's occasional calls, yet short enough that 100 calls take about two seconds.
     */
    private static final int PACED_GAP_MILLIS = 20;
    private static final List<Long> SPIN_NANOS = List.of(1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L);

    /** The plan the numbers are meant to come from: several minutes on a small machine. */
    static Plan full(int workers) {
        return new Plan(false, workers, 1, 5,
                20_000, 5_000, 100, PACED_GAP_MILLIS,
                200_000, 200_000, 20_000, 200_000,
                8, 100,
                PAYLOAD_SIZES, 256 * MIB, 4, 5_000,
                SPIN_NANOS, 600,
                5, 3, 10,
                1_000_000, 100_000,
                5_000, 200_000, 32 * MIB, 10, 3_000);
    }

    /** A smaller plan for checking that everything runs: about a minute, figures too noisy to quote. */
    static Plan quick(int workers) {
        return new Plan(true, workers, 1, 3,
                2_000, 500, 30, PACED_GAP_MILLIS,
                20_000, 20_000, 4_000, 20_000,
                4, 50,
                PAYLOAD_SIZES, 32 * MIB, 2, 500,
                SPIN_NANOS, 150,
                2, 1, 3,
                200_000, 20_000,
                500, 20_000, 2 * MIB, 3, 200);
    }

    /** @return how many apply calls one repetition makes with a payload of {@code bytes} */
    int payloadCalls(long bytes) {
        return (int) Math.min(payloadMaxCalls, Math.max(payloadMinCalls, payloadBudgetBytes / bytes));
    }

    /**
     * @param approximateBytes about how large the payload is serialised
     * @return how many apply calls one repetition of the serialisation payload sweep makes with it
     */
    int serialCalls(long approximateBytes) {
        return (int) Math.min(serialMaxCalls, Math.max(serialMinCalls, serialBudgetBytes / approximateBytes));
    }

    /**
     * @return how many items of a task that spins {@code nanos} make about {@link #spinTargetMillis} of sequential
     * work; at least a few per worker, so that every worker gets some
     */
    int spinItems(long nanos) {
        return (int) Math.max(4L * workers, Math.round(spinTargetMillis * 1e6 / nanos));
    }
}
