package io.procpool.internal;

import java.util.function.Supplier;

/**
 * Where a {@link io.procpool.SharedMemory} must not cross: a pool whose tasks may run on another machine (a
 * {@code ClusterPool}) serialises its functions, items and results inside {@link #refusing}, and a block met there
 * fails with a {@link io.procpool.SerializationException} instead of crossing as a name that the other machine
 * cannot map (or, worse, maps to a different block whose writes are lost). One mechanism for every serialisation,
 * since each of them asks the block for its serial form.
 */
public final class SharedMemoryRefusal {
    private static final ThreadLocal<String> DESTINATION = new ThreadLocal<>();

    private SharedMemoryRefusal() {
    }

    /**
     * Serialises with shared memory refused on this thread.
     *
     * @param destination where the values go, for the message: "a cluster member"
     * @param write       the serialisation
     * @param <T>         what it returns
     * @return what {@code write} returned
     */
    public static <T> T refusing(String destination, Supplier<T> write) {
        String outer = DESTINATION.get();
        DESTINATION.set(destination);
        try {
            return write.get();
        } finally {
            if (outer == null) {
                DESTINATION.remove();
            } else {
                DESTINATION.set(outer);
            }
        }
    }

    /** {@return where this thread is serialising for, if shared memory cannot go there; else {@code null}} */
    public static String destination() {
        return DESTINATION.get();
    }
}
