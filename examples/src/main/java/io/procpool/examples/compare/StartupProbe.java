package io.procpool.examples.compare;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import io.procpool.launcher.ProcessPool;
import net.viktorc.pp4j.api.JavaProcessExecutorService;
import net.viktorc.pp4j.impl.ProcessExecutors;

import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The start-up section's probe: the main class of a fresh JVM that the comparison starts ({@link StartupSuite}),
 * which times one engine's pools from the call that creates one to its first result. Pool 0 is the first pool this
 * JVM makes, so it pays for loading the engine's classes as an application's first pool does; the later pools show
 * what a second pool in a running application costs. Each probe JVM runs one engine only, so that neither engine's
 * first pool finds classes, JIT work or warm caches the other left behind.
 *
 * <p>Arguments: {@code procpool|pp4j WORKERS LATER_POOLS}. Standard output gets one JSON line ({@link Line}) and
 * nothing else; everything else (procpool's and PP4J's logging, Chronicle's notices) goes to standard error.
 */
final class StartupProbe {
    /** The engine names the probe takes and the {@link Line} carries. */
    static final String PROCPOOL = "procpool";
    /** PP4J ({@code net.viktorc:pp4j}): child JVMs that run {@code Serializable} Callables over stdin/stdout. */
    static final String PP4J = "pp4j";
    /** A first result that takes longer than this has failed: the caller's timeout kills the probe well after. */
    private static final long RESULT_TIMEOUT_SECONDS = 120;

    /**
     * What one probe JVM measured, as the one line it prints.
     *
     * @param engine      {@link #PROCPOOL} or {@link #PP4J}
     * @param javaVersion the probe JVM's {@code Runtime.version()}, to check it ran on the JDK it was meant to
     * @param poolMillis  create -> first result of each pool in turn; the first is pool 0, this JVM's first pool
     * @param readyMillis for procpool, each pool's {@code startupTime()} (until every worker was ready); empty for
     *                    PP4J, which has no such figure
     * @param breakdowns  for procpool, each pool's {@code startupBreakdown()} as it prints; empty for PP4J
     */
    record Line(String engine, String javaVersion, List<Double> poolMillis, List<Double> readyMillis,
                List<String> breakdowns) {
        /** A line without breakdowns. */
        Line(String engine, String javaVersion, List<Double> poolMillis, List<Double> readyMillis) {
            this(engine, javaVersion, poolMillis, readyMillis, List.of());
        }

        /** {@return this line as JSON, on one line} */
        String toJson() {
            return new Gson().toJson(this);
        }

        /**
         * Reads a probe's standard output: the last line that is a JSON object, so that a stray line printed
         * before it (a JVM warning some launchers write to stdout) does not cost the figures.
         *
         * @param stdout everything the probe printed on standard output
         * @return the line
         * @throws IllegalArgumentException if there is no such line, or it lacks the pool figures
         */
        static Line parse(String stdout) {
            String[] lines = stdout.strip().split("\\R");
            for (int i = lines.length - 1; i >= 0; i--) {
                String text = lines[i].strip();
                if (!text.startsWith("{")) {
                    continue;
                }
                Line line;
                try {
                    line = new Gson().fromJson(text, Line.class);
                } catch (JsonParseException e) {
                    throw new IllegalArgumentException("the probe's JSON line is malformed: " + e.getMessage(), e);
                }
                if (line == null || line.engine() == null || line.poolMillis() == null
                        || line.poolMillis().isEmpty()) {
                    throw new IllegalArgumentException("the probe's JSON line has no pool figures: " + text);
                }
                return new Line(line.engine(), line.javaVersion(), line.poolMillis(),
                        line.readyMillis() == null ? List.of() : line.readyMillis(),
                        line.breakdowns() == null ? List.of() : line.breakdowns());
            }
            throw new IllegalArgumentException("the probe printed no JSON line"
                    + (stdout.isBlank() ? "" : ": " + stdout.strip().lines().reduce((a, b) -> b).orElse("")));
        }

        /** {@return pool 0's create -> first result} */
        double firstPool() {
            return poolMillis.get(0);
        }

        /** {@return the later pools' create -> first result, in order; empty if there were none} */
        List<Double> laterPools() {
            return poolMillis.subList(1, poolMillis.size());
        }
    }

    /** PP4J's task: the identity of a number, as procpool's is {@link Workloads#IDENTITY}. */
    static final class Identity implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;
        private final int value;

        /** @param value the number {@link #call} returns */
        Identity(int value) {
            this.value = value;
        }

        /** {@return the number it was made with} */
        @Override
        public Integer call() {
            return value;
        }
    }

    private StartupProbe() {
    }

    /**
     * Times pool 0 and then {@code LATER_POOLS} more of one engine, and prints the {@link Line}. Exits with 1 and a
     * stack trace on standard error if a pool fails, and with 2 on bad arguments.
     *
     * @param args {@code procpool|pp4j WORKERS LATER_POOLS}
     */
    public static void main(String[] args) {
        // Kept for the one JSON line; everything else anything prints goes to stderr, where the caller keeps it for
        // a failure's note.
        PrintStream json = System.out;
        System.setOut(System.err);
        if (args.length != 3 || !(PROCPOOL.equals(args[0]) || PP4J.equals(args[0]))) {
            System.err.println("usage: StartupProbe procpool|pp4j WORKERS LATER_POOLS");
            System.exit(2);
        }
        int workers = Integer.parseInt(args[1]);
        int pools = 1 + Integer.parseInt(args[2]);
        List<Double> millis = new ArrayList<>();
        List<Double> ready = new ArrayList<>();
        List<String> breakdowns = new ArrayList<>();
        try {
            for (int i = 0; i < pools; i++) {
                if (PROCPOOL.equals(args[0])) {
                    procpool(workers, millis, ready, breakdowns);
                } else {
                    millis.add(pp4j(workers));
                }
            }
        } catch (Exception | Error e) {
            // Exits at once: a pool's non-daemon threads would keep the JVM alive until the caller's timeout.
            e.printStackTrace();
            System.exit(1);
        }
        json.println(new Line(args[0], Runtime.version().toString(), millis, ready, breakdowns).toJson());
        json.flush();
        System.exit(0); // a lingering non-daemon thread of either library must not keep the probe alive
    }

    /**
     * One procpool pool: created, one {@code apply(identity, 1)}, closed. The clock starts before the builder, whose
     * first use loads procpool's classes in pool 0; closing is not timed, as it is not what an application waits
     * for before its first result.
     */
    private static void procpool(int workers, List<Double> millis, List<Double> ready, List<String> breakdowns) {
        long start = System.nanoTime();
        ProcessPool pool = ProcessPool.builder().processes(workers).build();
        try {
            Object result = pool.apply(Workloads.IDENTITY, 1);
            millis.add((System.nanoTime() - start) / 1e6);
            check(result);
            ready.add(pool.startupTime().toNanos() / 1e6);
            breakdowns.add(pool.startupBreakdown().map(Object::toString).orElse(""));
        } finally {
            pool.close();
        }
    }

    /**
     * One PP4J pool of {@code workers} processes, kept at that size (min = max, no reserve): created, one identity
     * Callable submitted and its result awaited, then shut down and awaited, not timed. Its constructor waits until
     * its minimum of processes has started (a prestart latch), as procpool's {@code build()} waits until every worker
     * is ready, so both figures include every child JVM's start. PP4J starts each child with
     * this JVM's {@code java.home/bin/java} and {@code java.class.path}, so its children run on the probe's JDK and
     * class path, as procpool's workers do.
     *
     * @return create -> first result, in milliseconds
     */
    private static double pp4j(int workers) throws Exception {
        long start = System.nanoTime();
        JavaProcessExecutorService pool = ProcessExecutors.newCustomJavaProcessPool(workers, workers, 0);
        try {
            Integer result = pool.submit(new Identity(1)).get(RESULT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            double elapsed = (System.nanoTime() - start) / 1e6;
            check(result);
            return elapsed;
        } finally {
            pool.shutdown();
            if (!pool.awaitTermination(RESULT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("PP4J's pool did not terminate in " + RESULT_TIMEOUT_SECONDS + " s");
            }
        }
    }

    /** A pool that answers with something else has not started correctly: no figure rather than a wrong one. */
    private static void check(Object result) {
        if (!Integer.valueOf(1).equals(result)) {
            throw new IllegalStateException("the identity of 1 came back as " + result);
        }
    }
}
