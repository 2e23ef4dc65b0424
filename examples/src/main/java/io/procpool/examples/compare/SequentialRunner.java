package io.procpool.examples.compare;

import io.procpool.Task;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain loop in the calling thread: the baseline every speedup is measured against.
 */
final class SequentialRunner implements MapRunner {

    @Override
    public Engine engine() {
        return Engine.SEQUENTIAL;
    }

    @Override
    public <T, R> R apply(Task<? super T, ? extends R> fn, T arg) {
        try {
            return fn.apply(arg);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the task failed: " + e, e);
        }
    }

    @Override
    public <T, R> List<R> map(Task<? super T, ? extends R> fn, List<T> items, int chunksize) {
        List<R> results = new ArrayList<>(items.size());
        for (T item : items) {
            results.add(apply(fn, item));
        }
        return results;
    }
}
