package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.WorkerCrashedException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Workers SIGKILLed at random while a long call runs: every item ends as its result or as a
 * {@link WorkerCrashedException} (no retries), or always as its result (with retries); nothing hangs and nothing is
 * left behind.
 */
class ChaosTest {
    private static final int ITEMS = 300;
    private static final int MIN_KILLS = 10;
    /** Enough to make the point; each kill costs a worker start of about a second. */
    private static final int MAX_KILLS = 12;
    /** A kill waits until this many more items completed since the last one, so the call keeps moving. */
    private static final int ITEMS_BETWEEN_KILLS = 15;
    private static final Duration BOUND = Duration.ofSeconds(150);
    private static final Pattern ITEM = Pattern.compile("while running item (\\d+)");

    /** What a task returns: which item, its answer, and where it ran. */
    record Outcome(int item, long square, long pid) {
    }

    /** SIGKILLs a worker that has served a result, each time the call has made progress since the last kill. */
    private static final class Killer extends Thread {
        private final ProcessPool pool;
        private final Set<Long> served;
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicInteger kills = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Killer(ProcessPool pool, Set<Long> served) {
            super("chaos-killer");
            this.pool = pool;
            this.served = served;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!done.get() && kills.get() < MAX_KILLS) {
                    long mark = pool.stats().tasksCompleted();
                    Workers.await("progress since the last kill", Duration.ofSeconds(60),
                            () -> done.get() || pool.stats().tasksCompleted() >= mark + ITEMS_BETWEEN_KILLS);
                    if (done.get()) {
                        return;
                    }
                    List<ProcessHandle> victims = Workers.liveChildren().stream()
                            .filter(p -> served.contains(p.pid()) && Workers.isRunning(p))
                            .collect(Collectors.toList());
                    if (!victims.isEmpty()) {
                        victims.get(ThreadLocalRandom.current().nextInt(victims.size())).destroyForcibly();
                        kills.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        int finish() throws InterruptedException {
            done.set(true);
            join(30_000);
            if (failure.get() != null) {
                throw new AssertionError("the killer failed", failure.get());
            }
            return kills.get();
        }
    }

    private static List<Integer> items() {
        return IntStream.range(0, ITEMS).boxed().collect(Collectors.toList());
    }

    /**
     * Runs the call under fire and returns every outcome: an {@link Outcome} or the exception its item failed
     * with.
     */
    private static List<Object> runUnderFire(ProcessPool pool, String label) throws Exception {
        Set<Long> served = ConcurrentHashMap.newKeySet();
        Killer killer = new Killer(pool, served);
        killer.start();
        List<Object> outcomes = new ArrayList<>();
        int kills;
        long start = System.nanoTime();
        try {
            Iterator<Outcome> results = pool.imapUnordered((Integer i) -> {
                Thread.sleep(5 + i % 6);
                return new Outcome(i, (long) i * i, ProcessHandle.current().pid());
            }, items(), 1);
            while (results.hasNext()) {
                try {
                    Outcome outcome = results.next();
                    served.add(outcome.pid());
                    outcomes.add(outcome);
                } catch (PoolException e) {
                    outcomes.add(e);
                }
            }
        } finally {
            kills = killer.finish();
        }
        long crashes = outcomes.stream().filter(o -> o instanceof WorkerCrashedException).count();
        System.out.printf("chaos (%s): %d kills, %d items crashed, %d ms, %s%n", label, kills, crashes,
                (System.nanoTime() - start) / 1_000_000, pool.stats());
        assertTrue(kills >= MIN_KILLS, "only " + kills + " kills happened before the call ended");
        return outcomes;
    }

    private static void assertNothingLeftBehind() {
        assertEquals(List.of(), Workers.liveChildren().stream().map(ProcessHandle::pid).collect(Collectors.toList()),
                "a worker outlived close()");
        assertEquals(List.of(), Workers.queueDirectories());
        assertEquals(List.of(), Workers.poolThreads());
    }

    @Test
    void shouldEndEveryItemAsItsResultOrAWorkerCrashWhileWorkersAreKilledAtRandom() {
        assertTimeoutPreemptively(BOUND, () -> {
            try (ProcessPool pool = ProcessPool.builder().processes(2).retries(0).build()) {
                List<Object> outcomes = runUnderFire(pool, "retries 0");
                assertEquals(ITEMS, outcomes.size());
                Set<Integer> seen = new TreeSet<>();
                for (Object outcome : outcomes) {
                    int item;
                    if (outcome instanceof Outcome) {
                        Outcome ok = (Outcome) outcome;
                        item = ok.item();
                        assertEquals((long) item * item, ok.square(), "item " + item);
                    } else if (outcome instanceof WorkerCrashedException) {
                        Matcher m = ITEM.matcher(((WorkerCrashedException) outcome).getMessage());
                        assertTrue(m.find(), ((WorkerCrashedException) outcome).getMessage());
                        item = Integer.parseInt(m.group(1));
                    } else {
                        fail("an item ended neither as its result nor as a worker crash: " + outcome,
                                (Throwable) outcome);
                        return;
                    }
                    assertTrue(seen.add(item), "item " + item + " had two outcomes");
                }
                assertEquals(ITEMS, seen.size());
                assertEquals(List.of(1, 4), pool.map((Integer i) -> i * i, List.of(1, 2)));
            }
            assertNothingLeftBehind();
        });
    }

    @Test
    void shouldReturnEveryResultWhileWorkersAreKilledAtRandomGivenRetries() {
        assertTimeoutPreemptively(BOUND, () -> {
            try (ProcessPool pool = ProcessPool.builder().processes(2).retries(5).build()) {
                List<Object> outcomes = runUnderFire(pool, "retries 5");
                List<Object> failures = outcomes.stream().filter(o -> !(o instanceof Outcome))
                        .collect(Collectors.toList());
                assertEquals(List.of(), failures, "with retries every item should succeed");
                assertEquals(ITEMS, outcomes.size());
                Set<Integer> expected = new TreeSet<>(items());
                Set<Integer> seen = new TreeSet<>();
                outcomes.forEach(o -> seen.add(((Outcome) o).item()));
                assertEquals(expected, seen);
                for (Object o : outcomes) {
                    Outcome ok = (Outcome) o;
                    assertEquals((long) ok.item() * ok.item(), ok.square(), "item " + ok.item());
                }
                assertEquals(List.of(1, 4), pool.map((Integer i) -> i * i, List.of(1, 2)));
            }
            assertNothingLeftBehind();
        });
    }
}
