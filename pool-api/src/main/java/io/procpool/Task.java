package io.procpool;

import java.io.Serializable;

/**
 * A function that a pool applies to items. It is {@link Serializable} so that a lambda written against it can be
 * sent to a worker process together with the values it captures.
 *
 * @param <T> the item type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Task<T, R> extends Serializable {
    /**
     * Computes the result for one item.
     *
     * @param arg the item, possibly {@code null}
     * @return the result, possibly {@code null}
     * @throws Exception any failure; the pool reports it as a {@link TaskFailedException}
     */
    R apply(T arg) throws Exception;
}
