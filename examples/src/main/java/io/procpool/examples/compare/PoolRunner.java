package io.procpool.examples.compare;

import io.procpool.Pool;
import io.procpool.Task;

import java.util.Iterator;
import java.util.List;

/**
 * A procpool {@link Pool}, a {@link io.procpool.ThreadPool} or a {@link io.procpool.launcher.ProcessPool}: one class
 * for both, since they share the interface, and that sameness is what makes the comparison fair.
 */
final class PoolRunner implements MapRunner {
    private final Engine engine;
    private final Pool pool;

    /**
     * @param engine what runs the tasks
     * @param pool   the pool; a process pool is measured once its queues are open ({@link ProcessCosts#settled})
     */
    PoolRunner(Engine engine, Pool pool) {
        this.engine = engine;
        this.pool = pool instanceof io.procpool.launcher.ProcessPool processes ? ProcessCosts.settled(processes) : pool;
    }

    @Override
    public Engine engine() {
        return engine;
    }

    @Override
    public <T, R> R apply(Task<? super T, ? extends R> fn, T arg) {
        return pool.apply(fn, arg);
    }

    @Override
    public <T, R> List<R> map(Task<? super T, ? extends R> fn, List<T> items, int chunksize) {
        return chunksize == DEFAULT_CHUNKING ? pool.map(fn, items) : pool.map(fn, items, chunksize);
    }

    /** {@link Pool#imap(Task, Iterable)} with the pool's default chunking: results in item order, items read lazily. */
    <T, R> Iterator<R> imap(Task<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return pool.imap(fn, items);
    }
}
