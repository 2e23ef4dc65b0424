package io.procpool.internal;

import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.Task;
import io.procpool.TaskFailedException;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool seen as an {@link ExecutorService}: each task is a call of one item on the pool, so it runs where the
 * pool's tasks run (a worker JVM for a process pool) and shares the pool's lifecycle. The JDK's contract holds as
 * the JSR-166 TCK states it: a task's own exception is the cause of {@link ExecutionException}, cancelling a
 * running task stops it, {@link #shutdownNow()} returns the tasks that never started, in submission order.
 */
final class PoolExecutorService implements ExecutorService, AutoCloseable {
    /** The task every call of the view runs: the callable, which crosses as the call's one item. */
    private static final Task<Object, Object> CALL = callable -> ((Callable<?>) callable).call();
    /** How long {@link #close()} lets tasks finish before it stops them. */
    static final long CLOSE_GRACE_SECONDS = 30;
    /** How long {@link #close()} then waits for stopped tasks' workers. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final AbstractPool pool;
    private final Duration closeGrace;
    private final AtomicLong submissions = new AtomicLong();
    /** The tasks not done yet, by submission number: {@link #shutdownNow()} returns the unstarted ones in order. */
    private final ConcurrentSkipListMap<Long, ViewFuture<?>> outstanding = new ConcurrentSkipListMap<>();

    PoolExecutorService(AbstractPool pool, Duration closeGrace) {
        this.pool = pool;
        this.closeGrace = closeGrace;
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return start(task, task, false, null);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        return start(task, new RunnableCall(task), true, result);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return submit(task, null);
    }

    /**
     * Runs {@code command} in the pool. Nothing waits for it, so a failure of it goes, as in a
     * {@link java.util.concurrent.ThreadPoolExecutor}, to the uncaught-exception handler of the thread that sees it.
     *
     * @throws RejectedExecutionException if the pool is shut down, or the command cannot cross to the pool's
     *                                    workers (the cause says why)
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        RunnableCall callable = new RunnableCall(command);
        if (pool.tasksLeaveThisJvm() && refusalToCross(command) == null) {
            // Nothing waits on execute's outcome, so a command that cannot cross must be refused here, not fail
            // later where only an uncaught-exception handler would hear of it: serialised once now to find out.
            try {
                pool.checkCrosses(callable);
            } catch (SerializationException e) {
                throw new RejectedExecutionException(e.getMessage(), e);
            }
        }
        ViewFuture<?> future = start(command, callable, true, null);
        if (future.refusal != null) {
            throw new RejectedExecutionException(future.refusal.getMessage(), future.refusal);
        }
        future.call.future().whenComplete((value, failure) -> {
            if (failure != null && !(failure instanceof CancellationException)) {
                Thread thread = Thread.currentThread();
                Throwable own = ownException(failure);
                try {
                    thread.getUncaughtExceptionHandler().uncaughtException(thread, own);
                } catch (RuntimeException ignored) {
                    // A handler that throws must not break the pool's thread that reported the failure.
                }
            }
        });
    }

    private <T> ViewFuture<T> start(Object original, Callable<?> callable, boolean runnable, T result) {
        if (pool.isShutdown()) {
            throw new RejectedExecutionException("the pool is shut down and accepts no new tasks");
        }
        MapCall call = MapCall.ofOne(CALL, callable);
        long number = submissions.incrementAndGet();
        ViewFuture<T> future = new ViewFuture<>(number, original, call, runnable, result);
        SerializationException refusal = pool.tasksLeaveThisJvm() ? refusalToCross(original) : null;
        if (refusal != null) {
            future.refusal = refusal;
            call.future().completeExceptionally(refusal);
            return future;
        }
        outstanding.put(number, future);
        call.future().whenComplete((value, failure) -> outstanding.remove(number));
        try {
            pool.submit(call);
        } catch (IllegalStateException e) {
            outstanding.remove(number);
            throw new RejectedExecutionException(e.getMessage(), e);
        } catch (PoolException e) {
            // The work itself failed (a function that cannot be sent): that is the future's outcome.
            call.end(e);
        }
        return future;
    }

    /**
     * A task crosses to another JVM only if it is {@link Serializable}: checked here, where the caller can be told
     * at once which class and how to fix it, rather than by the serialiser on the pool's thread. The tasks
     * {@link CompletableFuture}'s {@code ...Async} methods hand an executor are {@code Serializable} in name only:
     * each holds the future it completes, which must stay in this JVM.
     */
    private static SerializationException refusalToCross(Object task) {
        if (task instanceof CompletableFuture.AsynchronousCompletionTask) {
            return new SerializationException("CompletableFuture.supplyAsync, runAsync and the ...Async stages hand "
                    + "the executor a task (" + task.getClass().getName() + ") that holds the CompletableFuture "
                    + "it completes, which cannot cross to the pool's worker processes; use pool.applyAsync(task, "
                    + "arg), which runs the task in a worker and returns a CompletableFuture completed in this JVM, "
                    + "or submit a serialisable Callable to this view");
        }
        if (task instanceof Serializable) {
            return null;
        }
        String kind = task instanceof Callable ? "Callable<T>" : "Runnable";
        return new SerializationException("the task " + task.getClass().getName() + " is not Serializable, so it "
                + "cannot cross to the pool's worker processes; write it as a serialisable lambda, "
                + "(" + kind + " & Serializable) () -> ..., or as a class that implements both " + kind
                + " and java.io.Serializable");
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return all(tasks, false, 0);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return all(tasks, true, unit.toNanos(timeout));
    }

    private <T> List<Future<T>> all(Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException {
        Objects.requireNonNull(tasks, "tasks");
        long deadline = System.nanoTime() + nanos;
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        boolean allDone = false;
        try {
            for (Callable<T> task : tasks) {
                futures.add(submit(Objects.requireNonNull(task, "a task in tasks")));
            }
            for (Future<T> future : futures) {
                if (!future.isDone()) {
                    try {
                        if (timed) {
                            future.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        } else {
                            future.get();
                        }
                    } catch (CancellationException | ExecutionException ignored) {
                        // Its outcome is in its future, for the caller to read.
                    } catch (TimeoutException e) {
                        return futures; // past the deadline: the ones not done are cancelled below
                    }
                }
            }
            allDone = true;
            return futures;
        } finally {
            if (!allDone) {
                // Past the deadline, interrupted, or a null task: what has not finished is cancelled.
                cancelAll(futures);
            }
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return any(tasks, false, 0);
        } catch (TimeoutException e) {
            throw new AssertionError("no time limit was set", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        return any(tasks, true, unit.toNanos(timeout));
    }

    private <T> T any(Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(tasks, "tasks");
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        long deadline = System.nanoTime() + nanos;
        BlockingQueue<ViewFuture<T>> finished = new LinkedBlockingQueue<>();
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                ViewFuture<T> future = (ViewFuture<T>) submit(Objects.requireNonNull(task, "a task in tasks"));
                futures.add(future);
                future.call.future().whenComplete((value, failure) -> finished.add(future));
            }
            ExecutionException last = null;
            for (int outcomes = 0; outcomes < futures.size(); outcomes++) {
                ViewFuture<T> next = timed ? finished.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
                        : finished.take();
                if (next == null) {
                    throw new TimeoutException("no task completed within the time limit");
                }
                try {
                    return next.get();
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            cancelAll(futures);
        }
    }

    /** Latest first, so that stopping a running task does not free a worker for a later one about to be cancelled. */
    private static void cancelAll(List<? extends Future<?>> futures) {
        for (int i = futures.size() - 1; i >= 0; i--) {
            futures.get(i).cancel(true);
        }
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    /**
     * Shuts the pool down, stops this view's running tasks as {@code cancel(true)} does, and returns the tasks that
     * never started, in submission order: each {@link Runnable} as it was given, each {@link Callable} in a
     * {@link FutureTask} that runs it where it is called. Those the pool had handed ahead to a busy worker come back
     * too, where the pool can tell that they had not begun. The pool's own calls ({@code map}...) finish as after
     * {@link #shutdown()}.
     */
    @Override
    public List<Runnable> shutdownNow() {
        pool.shutdown();
        List<ViewFuture<?>> all = new ArrayList<>(outstanding.values());
        java.util.Set<ViewFuture<?>> neverStarted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<MapCall> handedOn = new ArrayList<>();
        // The waiting ones first: stopping a running task frees its worker, which would take the next waiting one.
        for (ViewFuture<?> future : all) {
            if (future.call.cancelIfUnstarted()) {
                neverStarted.add(future);
            } else {
                handedOn.add(future.call);
            }
        }
        java.util.Set<MapCall> unstarted = pool.cancelReportingUnstarted(handedOn);
        List<Runnable> tasks = new ArrayList<>();
        for (ViewFuture<?> future : all) {
            if (neverStarted.contains(future) || unstarted.contains(future.call)) {
                tasks.add(future.original instanceof Runnable ? (Runnable) future.original
                        : new FutureTask<>((Callable<?>) future.original));
            }
        }
        return tasks;
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return pool.awaitTermination(unit.toNanos(timeout));
    }

    /**
     * Shuts the pool down and waits for its tasks, at most {@value #CLOSE_GRACE_SECONDS} seconds; tasks still
     * running then are stopped as by {@link #shutdownNow()}. Unlike the JDK's default, it never waits for ever on
     * a task that hangs. An interrupted caller stops the tasks at once and keeps its interrupt status.
     */
    // Overrides ExecutorService.close() on Java 19 and later; on Java 17 it is a method of this class alone.
    public void close() {
        shutdown();
        boolean interrupted = false;
        try {
            if (!pool.awaitTermination(closeGrace.toNanos())) {
                shutdownNow();
                pool.awaitTermination(STOP_WAIT.toNanos());
            }
        } catch (InterruptedException e) {
            interrupted = true;
            shutdownNow();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ExecutorService view of " + pool;
    }

    /** The exception a task threw, from the failure of its call; other failures are the pool's own. */
    private static Throwable ownException(Throwable failure) {
        if (failure instanceof TaskFailedException && failure.getCause() != null) {
            return failure.getCause();
        }
        return failure;
    }

    /** A {@link Runnable} as a callable that crosses with it; {@code call} returns {@code null}. */
    private static final class RunnableCall implements Callable<Object>, Serializable {
        private static final long serialVersionUID = 1L;
        private final Runnable runnable;

        RunnableCall(Runnable runnable) {
            this.runnable = runnable;
        }

        @Override
        public Object call() {
            runnable.run();
            return null;
        }
    }

    /** The future of one task of the view: its call's future, with the task's own exception as the cause. */
    private final class ViewFuture<T> implements Future<T> {
        final long number;
        final Object original;
        final MapCall call;
        final boolean fixedResult;
        final T result;
        SerializationException refusal;

        ViewFuture(long number, Object original, MapCall call, boolean fixedResult, T result) {
            this.number = number;
            this.original = original;
            this.call = call;
            this.fixedResult = fixedResult;
            this.result = result;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return call.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return call.future().isCancelled();
        }

        @Override
        public boolean isDone() {
            return call.future().isDone();
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            if (!isDone()) {
                pool.checkMayBlock();
            }
            try {
                return valueOf(call.future().get());
            } catch (ExecutionException e) {
                throw withOwnCause(e);
            }
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            Objects.requireNonNull(unit, "unit");
            if (!isDone()) {
                pool.checkMayBlock();
            }
            try {
                return valueOf(call.future().get(timeout, unit));
            } catch (ExecutionException e) {
                throw withOwnCause(e);
            }
        }

        @SuppressWarnings("unchecked")
        private T valueOf(Object value) {
            return fixedResult ? result : (T) value;
        }

        private ExecutionException withOwnCause(ExecutionException e) {
            Throwable own = ownException(e.getCause());
            return own == e.getCause() ? e : new ExecutionException(own);
        }

        @Override
        public String toString() {
            return "task " + number + " of " + pool + (isDone() ? " (done)" : "");
        }
    }
}
