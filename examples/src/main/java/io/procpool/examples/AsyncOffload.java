package io.procpool.examples;

import io.procpool.Pool;
import io.procpool.ThreadPool;
import io.procpool.launcher.ProcessPool;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The article's last pitfall in Java: blocking work must leave the event loop. Python writes
 * <pre>
 * result = await asyncio.to_thread(blocking_db_call)
 * result = await loop.run_in_executor(process_pool, heavy, 10_000_000)
 * </pre>
 * Here the event loop is a single-threaded {@link ScheduledExecutorService} running a ticker. Blocking on it
 * freezes the ticker; handing the work to a pool with {@link Pool#applyAsync} and composing the
 * {@link CompletableFuture}s ({@code thenCombine}, {@code thenApply}) leaves it ticking.
 *
 * <p>The blocking call goes to a {@link ThreadPool} ({@code asyncio.to_thread}): it only waits, and threads wait
 * cheaply. The CPU work goes to a {@link ProcessPool} ({@code ProcessPoolExecutor}): in Java a thread pool would
 * run it in parallel too, but a process keeps it isolated and can be killed if it hangs.
 *
 * <p>Usage: {@code [--workers N] [--quick]}.
 */
public final class AsyncOffload {
    private static final String PROGRAM = "java -jar procpool-examples.jar async";
    private static final long TICK_MILLIS = 10;
    private static final long BLOCKING_CALL_MILLIS = 500;

    private AsyncOffload() {
    }

    /**
     * Runs the blocking work first on the loop, then off it, and prints how the ticker fared each time.
     */
    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args, PROGRAM);
        int heavyN = options.quick() ? 200_000_000 : 2_000_000_000;

        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "event-loop");
            thread.setDaemon(true);
            return thread;
        });
        Ticker ticker = new Ticker();
        // Fixed delay, not fixed rate: after a stall a fixed-rate ticker fires the missed ticks in a burst and the
        // count would hide the stall; the longest gap between ticks shows it either way.
        ScheduledFuture<?> ticking = loop.scheduleWithFixedDelay(ticker::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);

        System.out.printf("Blocking work and an event loop: the loop thread ticks every %d ms; a responsive loop%n"
                + "never goes much longer than that between ticks.%n%n", TICK_MILLIS);
        try (Pool threads = ThreadPool.create(options.workers())) {
            long startNanos = System.nanoTime();
            try (Pool processes = ProcessPool.create(options.workers())) {
                processes.apply(AsyncOffload::heavy, 1);
                System.out.printf("(ProcessPool(%d) started in %.0f ms, before anything is timed)%n%n",
                        processes.size(), Bench.millisSince(startNanos));

                // 1. The mistake: time.sleep inside a coroutine, Thread.sleep on Netty's I/O thread.
                System.out.printf("1. blockingDbCall() (%d ms) run ON the loop thread%n", BLOCKING_CALL_MILLIS);
                ticker.reset();
                startNanos = System.nanoTime();
                String row = loop.submit(() -> blockingDbCall("select 1")).get(1, TimeUnit.MINUTES);
                System.out.printf("   got \"%s\" after %.0f ms; %s%n%n", row, Bench.millisSince(startNanos),
                        ticker.report());

                // 2. The cure: the loop only submits and composes; the waiting and computing happen in pools.
                System.out.printf("2. the same call on a ThreadPool, plus heavy(%,d) and heavy(%,d) on the"
                        + " ProcessPool,%n   submitted FROM the loop thread with applyAsync and composed with"
                        + " thenCombine/thenApply%n", heavyN, heavyN + 1);
                ticker.reset();
                startNanos = System.nanoTime();
                AtomicReference<Double> submitMillis = new AtomicReference<>();
                CompletableFuture<String> report = CompletableFuture
                        .supplyAsync(() -> {
                            long submitStart = System.nanoTime();
                            CompletableFuture<String> composed = offload(threads, processes, heavyN, loop);
                            submitMillis.set(Bench.millisSince(submitStart));
                            return composed;
                        }, loop)
                        .thenCompose(composed -> composed);
                // AsyncResult.get(timeout) in Python; nothing here may wait forever.
                String line = report.get(2, TimeUnit.MINUTES);
                System.out.printf("   the loop thread spent %.1f ms submitting, then was free%n", submitMillis.get());
                System.out.printf("   got \"%s\" after %.0f ms;%n   %s%n%n", line, Bench.millisSince(startNanos),
                        ticker.report());
            }
        } finally {
            ticking.cancel(false);
            loop.shutdownNow();
        }
        System.out.println("  => Never block the loop thread: hand blocking calls to a ThreadPool and CPU work to a"
                + " ProcessPool\n     with applyAsync, and compose the futures: the loop itself never waits.");
    }

    /**
     * Starts the work and returns at once with a future of its report, as a coroutine does at each
     * {@code await}. Runs on the loop thread, so it must not block.
     */
    private static CompletableFuture<String> offload(Pool threads, Pool processes, int n,
                                                     ScheduledExecutorService loop) {
        CompletableFuture<String> row = threads.applyAsync(AsyncOffload::blockingDbCall, "select 1");
        // Two calls, so that both workers compute at once: asyncio.gather, or CompletableFuture.allOf for many.
        CompletableFuture<Long> first = processes.applyAsync(AsyncOffload::heavy, n);
        CompletableFuture<Long> second = processes.applyAsync(AsyncOffload::heavy, n + 1);
        return first
                .thenCombine(second, (a, b) -> "heavy sums " + a + " and " + b)
                .thenCombine(row, (sums, dbRow) -> dbRow + ", " + sums)
                // The last step runs on the loop again, where a real program would touch its loop-owned state.
                .thenApplyAsync(text -> text + ", formatted on " + Thread.currentThread().getName(), loop);
    }

    /**
     * The article's {@code blocking_db_call}: stands for any call that blocks, here by sleeping.
     */
    static String blockingDbCall(String query) throws InterruptedException {
        Thread.sleep(BLOCKING_CALL_MILLIS);
        return "rows for " + query;
    }

    /**
     * The article's {@code heavy}: the sum of {@code i * i} for {@code i < n}, wrapping in a {@code long}.
     */
    static long heavy(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (long) i * i;
        }
        return sum;
    }

    /**
     * Counts ticks and remembers the longest gap between two of them since the last {@link #reset()}.
     */
    private static final class Ticker {
        private long ticks;
        private long lastNanos;
        private long longestGapNanos;
        private long sinceNanos;

        synchronized void tick() {
            long now = System.nanoTime();
            ticks++;
            longestGapNanos = Math.max(longestGapNanos, now - lastNanos);
            lastNanos = now;
        }

        synchronized void reset() {
            ticks = 0;
            longestGapNanos = 0;
            sinceNanos = System.nanoTime();
            lastNanos = sinceNanos;
        }

        /** Counts the time since the last tick as a gap too, so a loop frozen right now shows as frozen. */
        synchronized String report() {
            long now = System.nanoTime();
            long longest = Math.max(longestGapNanos, now - lastNanos);
            return String.format("ticks: %d in %.0f ms, longest gap between ticks %.0f ms%s",
                    ticks, (now - sinceNanos) / 1e6, longest / 1e6,
                    longest > 5 * TICK_MILLIS * 1_000_000 ? ": the loop FROZE" : ": the loop stayed responsive");
        }
    }
}
