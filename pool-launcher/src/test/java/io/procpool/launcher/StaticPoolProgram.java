package io.procpool.launcher;

import io.procpool.Pool;

import java.util.List;

/**
 * A program written as users write them: its pool in a static field of the class whose lambdas run in it. Every
 * worker that runs one of those lambdas loads this class, and with it makes the pool again.
 */
final class StaticPoolProgram {
    static final Pool POOL = ProcessPool.create(2);

    private StaticPoolProgram() {
    }

    /** @return the pid of the worker that ran each item; each worker loads this class to run it */
    static List<Long> pids(int items) {
        return POOL.map((Integer i) -> {
            Thread.sleep(20); // long enough that both workers take part
            return ProcessHandle.current().pid();
        }, java.util.stream.IntStream.range(0, items).boxed().toList(), 1);
    }

    /** @return the squares of 1 to 3, worked out in a worker by the worker's own copy of {@link #POOL} */
    static List<Integer> nestedSquares() {
        return POOL.apply((Integer ignored) -> POOL.map((Integer i) -> i * i, List.of(1, 2, 3)), 0);
    }
}
