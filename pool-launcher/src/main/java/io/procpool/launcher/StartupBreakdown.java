package io.procpool.launcher;

import io.procpool.worker.internal.protocol.Protocol;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a {@link ProcessPool}'s start-up went, worker by worker: what the parent did to launch each JVM, the JVM's
 * boot until its {@code main}, the worker's serialiser (mostly class loading), the set-up message and the READY
 * crossing back; then the pool's first result. The first messages cross small start-up rings; the Chronicle queues of
 * both sides open later, on threads of their own, once the pool has been idle: their columns say when they were
 * open, counted from the worker's {@code main} and from its launch. {@link #toString()} prints it as a table. Times are wall-clock, measured on both sides of the process
 * boundary with the clock they share, to the microsecond, and given from the call that created the pool.
 *
 * <p>Immutable: a snapshot taken when {@link ProcessPool#startupBreakdown()} was called.
 */
public final class StartupBreakdown {
    /**
     * One worker's start-up.
     *
     * @param slot         the worker's slot in the pool, from 0
     * @param pid          its process id
     * @param archive      its class-data archive: {@code "read"} (mapped an archive) or {@code "none"} (archives
     *                     off or not possible, or none yet: a JVM of the pool's own writes it meanwhile)
     * @param launchedAt   when the parent began launching it, from the pool's creation
     * @param launch       the parent's work to start its process: its directory, status file and the fork
     * @param jvmBoot      from its process starting until its {@code main} ran
     * @param serializer   loading and setting up its serialiser (Kryo by default), on a thread of its own
     * @param queues       from the worker's {@code main} until its Chronicle queues were open (they open once the
     *                     pool has been idle, on a thread of their own); empty until then
     * @param parentQueues from the launch until the parent's side of the worker's queues was open; empty until then
     * @param awaitInit    from its {@code main} mapping its status file and start-up rings until it read the
     *                     parent's set-up message
     * @param ready        from reading the set-up message until the parent read READY: waiting for the serialiser,
     *                     the pool's initializer, and the message's crossing
     * @param readyAt      when the parent read its READY, from the pool's creation
     */
    public record Worker(int slot, long pid, String archive, Duration launchedAt, Duration launch, Duration jvmBoot,
                         Duration serializer, Optional<Duration> queues, Optional<Duration> parentQueues,
                         Duration awaitInit,
                         Duration ready, Duration readyAt) {
    }

    private final int processes;
    private final List<Worker> workers;
    private final Duration ready;
    private final Duration firstResult;

    private StartupBreakdown(int processes, List<Worker> workers, Duration ready, Duration firstResult) {
        this.processes = processes;
        this.workers = List.copyOf(workers);
        this.ready = ready;
        this.firstResult = firstResult;
    }

    /**
     * Builds the breakdown of the workers a pool started with.
     *
     * @param createdMicros when the pool's creation began ({@link Protocol#epochMicros})
     * @param readyNanos    how long until every worker was ready
     * @param started       the workers the pool started with, by slot, each ready
     */
    static StartupBreakdown of(long createdMicros, long readyNanos, List<WorkerProcess> started) {
        List<Worker> rows = new java.util.ArrayList<>();
        long firstResultMicros = Long.MAX_VALUE;
        for (WorkerProcess process : started) {
            WorkerStartup s = process.startup;
            long[] w = s.workerStamps;
            rows.add(new Worker(process.slot, process.pid(), process.archive,
                    micros(s.launchMicros - createdMicros),
                    micros(s.processStartedMicros - s.launchMicros),
                    micros(w[Protocol.STAMP_MAIN] - s.processStartedMicros),
                    micros(w[Protocol.STAMP_SERIALIZER_READY] - w[Protocol.STAMP_MAIN]),
                    span(w[Protocol.STAMP_CHANNEL_OPENING], process.queuesOpenMicros()),
                    span(s.parentQueuesOpeningMicros, s.parentQueuesOpenMicros),
                    micros(w[Protocol.STAMP_INIT_READ] - w[Protocol.STAMP_CHANNEL_OPENING]),
                    micros(s.readySeenMicros - w[Protocol.STAMP_INIT_READ]),
                    micros(s.readySeenMicros - createdMicros)));
            long first = s.firstResultMicros;
            if (first != 0) {
                firstResultMicros = Math.min(firstResultMicros, first);
            }
        }
        return new StartupBreakdown(started.size(), rows, Duration.ofNanos(readyNanos),
                firstResultMicros == Long.MAX_VALUE ? null : micros(firstResultMicros - createdMicros));
    }

    /** From one stamp to another, if the second has happened. */
    private static Optional<Duration> span(long from, long to) {
        return to == 0 ? Optional.empty() : Optional.of(micros(to - from));
    }

    /** A difference of stamps; a clock stepped backwards between two of them shows as zero, not as negative. */
    private static Duration micros(long micros) {
        return Duration.ofNanos(Math.max(0, micros) * 1_000);
    }

    /** {@return the workers the pool started with, by slot} */
    public List<Worker> workers() {
        return workers;
    }

    /** {@return from the call that created the pool until every worker was ready: {@link ProcessPool#startupTime()}} */
    public Duration ready() {
        return ready;
    }

    /**
     * Returns when the pool's first result arrived.
     *
     * @return from the call that created the pool until the first result a worker sent was read; empty until then
     */
    public Optional<Duration> firstResult() {
        return Optional.ofNullable(firstResult);
    }

    /**
     * {@return the breakdown as a table, one row per worker, in milliseconds from the call that created the pool}
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "ProcessPool start-up, %d workers: ready at %s ms, first result %s%n",
                processes, ms(ready), firstResult == null ? "not yet" : "at " + ms(firstResult) + " ms"));
        String format = "%-5s %-8s %-7s %9s %7s %9s %11s %10s %7s %9s %11s %14s%n";
        out.append(String.format(Locale.ROOT, format, "slot", "pid", "archive", "launch at", "launch", "JVM boot",
                "serialiser", "await INIT", "READY", "ready at", "Chronicle*", "parent queues*"));
        for (Worker w : workers) {
            out.append(String.format(Locale.ROOT, format, w.slot(), w.pid(), w.archive(), ms(w.launchedAt()),
                    ms(w.launch()), ms(w.jvmBoot()), ms(w.serializer()), ms(w.awaitInit()), ms(w.ready()),
                    ms(w.readyAt()), w.queues().map(StartupBreakdown::ms).orElse("opening"),
                    w.parentQueues().map(StartupBreakdown::ms).orElse("opening")));
        }
        out.append("(ms. The serialiser loads beside the wait for the set-up message. * Until the queues were open,"
                + " from the worker's main and from the launch: they open once the pool has been idle; the first"
                + " messages cross start-up rings)");
        return out.toString();
    }

    private static String ms(Duration duration) {
        return String.format(Locale.ROOT, "%,.1f", duration.toNanos() / 1e6);
    }
}
