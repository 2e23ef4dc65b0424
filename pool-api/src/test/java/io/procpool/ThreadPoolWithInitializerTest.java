package io.procpool;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Pool} contract on a {@link ThreadPool} from its builder, named and with an initializer: neither may
 * change what the pool does, including how it shuts down and terminates.
 */
class ThreadPoolWithInitializerTest extends PoolContractTest {
    private static final AtomicInteger POOLS = new AtomicInteger();
    /** Set by the initializer on each of the pools' threads. */
    private static final ThreadLocal<Boolean> INITIALISED = ThreadLocal.withInitial(() -> false);

    @Override
    protected Pool newPool(int workers) {
        return ThreadPool.builder()
                .threads(workers)
                .name("contract-" + POOLS.incrementAndGet())
                .initializer(() -> INITIALISED.set(true))
                .build();
    }

    @Test
    void shouldRunEveryTaskOnAThreadTheInitializerRanOn() {
        Task<Integer, Boolean> initialised = x -> INITIALISED.get();
        long uninitialised = pool().map(initialised, range(0, 200), 1).stream().filter(seen -> !seen).count();
        assertEquals(0, uninitialised, "tasks ran on a thread the initializer had not run on");
        assertTrue(pool().apply(initialised, 0));
    }
}
