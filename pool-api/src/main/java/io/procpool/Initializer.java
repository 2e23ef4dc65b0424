package io.procpool;

import java.io.Serializable;

/**
 * Code that runs once in each worker before its first task, like the {@code initializer} of Python's
 * {@code multiprocessing.Pool}: open a connection, load a model, warm a cache. Python's {@code initargs} are the
 * values the lambda captures.
 */
@FunctionalInterface
public interface Initializer extends Serializable {
    /**
     * Prepares the worker.
     *
     * @throws Exception any failure; the worker does not start and the pool reports why
     */
    void run() throws Exception;
}
