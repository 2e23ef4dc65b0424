package io.procpool.examples;

import io.procpool.CloseableIterator;
import io.procpool.Pool;
import io.procpool.Task;
import io.procpool.launcher.ProcessPool;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.LongStream;

/**
 * A long CPU-bound run watched with a progress bar, the Java form of Python's
 * <pre>
 * for result in tqdm(pool.imap(fn, items), total=len(items)):
 *     ...
 * </pre>
 * {@code imap} hands each result back as soon as it and those before it are done, so the bar moves while the call
 * runs; {@code map} would return only at the end. The iterator and the bar are both resources, opened together in
 * one {@code try}: leaving the loop early, by {@code break}, {@code return} or an item's failure, closes the bar and
 * abandons the call, whose chunks not started then never run.
 *
 * <p>The work: the Collatz sequence of {@code n} ({@code n/2} if even, else {@code 3n+1}) reaches 1 after a number
 * of steps that jumps about with {@code n}. First the longest sequence in each block of starting numbers, a map
 * with a bar whose results come back in block order; then a search, past those blocks, for the first start whose
 * sequence is longer than all of theirs, which stops as soon as it is found.
 *
 * <p>Usage: {@code [--workers N] [--quick]}. The bar is drawn on standard error.
 */
public final class LongRun {
    private static final String PROGRAM = "java -jar procpool-examples.jar progress";
    private static final int BLOCKS = 32;

    private LongRun() {
    }

    /** The longest Collatz sequence among some starting numbers: where it starts and its number of steps. */
    record Longest(long start, int steps) {
    }

    /**
     * Runs the map with a bar and then the search, on a {@link ProcessPool}, and prints what they found.
     */
    public static void main(String[] args) {
        Options options = Options.parse(args, PROGRAM);
        int workers = options.workers();
        long blockSize = options.quick() ? 100_000 : 1_000_000;
        List<Long> blocks = LongStream.range(0, BLOCKS).map(b -> b * blockSize).boxed().toList();
        Task<Long, Longest> longestInBlock = start -> longest(start, blockSize);

        System.out.printf("Progress on a long run: the longest Collatz sequence in each of %d blocks of %,d starting"
                + " numbers; workers: %d%n", BLOCKS, blockSize, workers);
        try (Pool pool = ProcessPool.create(workers)) {
            long startNanos = System.nanoTime();
            List<Longest> perBlock = mapWithProgress(pool, longestInBlock, blocks, bar("blocks", blocks.size()));
            System.out.printf("%d blocks in %.1f s; each new longest sequence, in block order:%n",
                    perBlock.size(), Bench.millisSince(startNanos) / 1000);
            Longest record = new Longest(0, -1);
            for (Longest longest : perBlock) {
                if (longest.steps() > record.steps()) {
                    record = longest;
                    System.out.printf("  %,13d: %4d steps%n", record.start(), record.steps());
                }
            }

            // The search reads blocks from an endless Iterable: imap reads items only a few chunks ahead of the
            // results taken, and the return from inside the loop closes the iterator, so that the blocks read
            // ahead and not started are dropped.
            int toBeat = record.steps();
            long from = BLOCKS * blockSize;
            AtomicLong read = new AtomicLong();
            Iterable<Long> later = () -> LongStream.iterate(from, b -> b + blockSize)
                    .peek(b -> read.incrementAndGet()).iterator();
            startNanos = System.nanoTime();
            Optional<Longest> longer = firstMatching(pool, longestInBlock, later, 1, l -> l.steps() > toBeat,
                    bar("search", -1));
            System.out.printf("%nSearching on from %,d, block by block, for a sequence longer than %d steps: %s,"
                            + " in %.1f s;%n  found in block %d of the search, which read %d blocks of its endless"
                            + " Iterable and stopped%n", from, toBeat,
                    longer.map(l -> String.format("%,d has %d steps", l.start(), l.steps())).orElse("none"),
                    Bench.millisSince(startNanos) / 1000,
                    longer.map(l -> (l.start() - from) / blockSize + 1).orElse(0L), read.get());
        }
    }

    /**
     * {@code pool.map(fn, items)} with a progress bar: the results in item order, the bar stepped once for each.
     *
     * @param bar the bar to show, with {@link ProgressBarBuilder#setInitialMax the number of items} as its total
     */
    static <T, R> List<R> mapWithProgress(Pool pool, Task<? super T, ? extends R> fn, List<? extends T> items,
                                          ProgressBarBuilder bar) {
        List<R> results = new ArrayList<>(items.size());
        try (CloseableIterator<R> it = pool.imap(fn, items);
             ProgressBar progress = bar.build()) {
            while (it.hasNext()) {
                results.add(it.next());
                progress.step();
            }
        }
        return results;
    }

    /**
     * The first result, in item order, that {@code wanted} accepts, with a progress bar of the results seen. The
     * call ends when it is found: the items after it that have not started never run.
     *
     * @param chunksize items sent to a worker at a time; 1 for long items, so that the bar steps with each
     * @return the result, or nothing if the items end without one
     */
    static <T, R> Optional<R> firstMatching(Pool pool, Task<? super T, ? extends R> fn, Iterable<? extends T> items,
                                            int chunksize, Predicate<? super R> wanted, ProgressBarBuilder bar) {
        try (CloseableIterator<R> results = pool.imap(fn, items, chunksize);
             ProgressBar progress = bar.build()) {
            while (results.hasNext()) {
                R result = results.next();
                progress.step();
                if (wanted.test(result)) {
                    return Optional.of(result);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A bar on standard error, so that standard output holds only the results.
     *
     * @param total the number of steps, or -1 when not known
     */
    static ProgressBarBuilder bar(String task, long total) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err));
    }

    /**
     * @return the longest Collatz sequence of the starts in {@code [from, from + count)}, the first if tied
     */
    static Longest longest(long from, long count) {
        Longest best = new Longest(from, -1);
        for (long start = Math.max(1, from); start < from + count; start++) {
            int steps = 0;
            for (long n = start; n != 1; n = (n & 1) == 0 ? n >>> 1 : 3 * n + 1) {
                steps++;
            }
            if (steps > best.steps()) {
                best = new Longest(start, steps);
            }
        }
        return best;
    }
}
