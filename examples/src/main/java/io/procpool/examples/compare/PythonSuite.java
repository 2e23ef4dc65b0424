package io.procpool.examples.compare;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.procpool.examples.compare.Results.Idle;
import io.procpool.examples.compare.Results.Latency;
import io.procpool.examples.compare.Results.LineRate;
import io.procpool.examples.compare.Results.PacedLatency;
import io.procpool.examples.compare.Results.Speedup;
import io.procpool.examples.compare.Results.Startup;
import io.procpool.examples.compare.Results.Throughput;
import io.procpool.examples.compare.Results.Transfer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The workloads on Python's {@code multiprocessing.Pool}: what to ask {@code mp_compare.py} for, from the same
 * {@link Plan} as the Java side, and how its answers become the same records. Python's speedups are against its
 * own sequential loop, never against Java's.
 */
final class PythonSuite {
    /** Steps on the progress bar: apply, map twice, cpu, payload, spin, imap, startup twice. */
    static final int STEPS = 9;

    private final Plan plan;
    private final Results results;
    private final PythonBridge python;
    private final Progress progress;
    private final Duration timeout;

    PythonSuite(Plan plan, Results results, PythonBridge python, Progress progress) {
        this.plan = plan;
        this.results = results;
        this.python = python;
        this.progress = progress;
        this.timeout = timeout(plan);
    }

    private static Duration timeout(Plan plan) {
        return Duration.ofMinutes(plan.quick() ? 5 : 30);
    }

    static Machine.PythonInfo info(PythonBridge python) {
        JsonObject info = python.run(Duration.ofMinutes(1), "info");
        return new Machine.PythonInfo(info.get("version").getAsString(), info.get("implementation").getAsString(),
                info.get("executable").getAsString(), info.get("start_method").getAsString(),
                info.get("cpu_count").getAsInt());
    }

    /**
     * Workloads 1 to 7 and 9, each counted on the progress bar.
     *
     * @param defaultStartMethod the interpreter's default start method, from {@link #info}
     * @param lines              the file the Java side's {@code imap} read; Python reads its first lines
     */
    void run(String defaultStartMethod, LinesFile lines) {
        // Both apply measurements in one run of the script, on one pool: the paced calls find it warmed up by the
        // back-to-back ones, as the Java engines' do.
        measure("apply latency, back to back and every " + plan.pacedGapMillis() + " ms", () -> {
            JsonObject r = workload("apply", "--calls", plan.pythonApplyCalls(), "--paced-calls", plan.pacedCalls(),
                    "--gap-ms", plan.pacedGapMillis());
            results.applyLatency.add(new Latency(Engine.PYTHON, r.get("calls").getAsInt(),
                    r.get("p50_us").getAsDouble(), r.get("p99_us").getAsDouble()));
            results.applyLatencyPaced.add(new PacedLatency(Engine.PYTHON, r.get("paced_calls").getAsInt(),
                    r.get("gap_ms").getAsInt(), r.get("paced_p50_us").getAsDouble(),
                    r.get("paced_p99_us").getAsDouble()));
        });
        measure("tiny tasks, chunksize 1", () -> results.tinyChunksize1.add(
                throughput(workload("map", "--items", plan.pythonTinyItemsChunk1(), "--chunksize", 1))));
        measure("tiny tasks, default chunking", () -> results.tinyDefaultChunking.add(
                throughput(workload("map", "--items", plan.pythonTinyItemsDefault(), "--chunksize", 0))));
        measure("CPU-bound", () -> {
            JsonObject r = workload("cpu", "--items", plan.cpuItems(), "--target-ms", plan.cpuItemMillis());
            double itemMicros = r.get("item_ms").getAsDouble() * 1e3;
            results.cpuBound.add(new Speedup(Engine.PYTHON, plan.cpuItemMillis() * 1e3, itemMicros,
                    r.get("items").getAsInt(), r.get("sequential_ms").getAsDouble(), r.get("pool_ms").getAsDouble(),
                    r.get("speedup").getAsDouble()));
        });
        measure("payload sweep", () -> {
            JsonObject r = workload("payload", "--sizes", join(plan.payloadSizes()),
                    "--budget", plan.payloadBudgetBytes(), "--min-calls", plan.payloadMinCalls(),
                    "--max-calls", plan.payloadMaxCalls());
            for (JsonElement e : r.getAsJsonArray("rows")) {
                JsonObject row = e.getAsJsonObject();
                results.payload.add(new Transfer(Engine.PYTHON, row.get("bytes").getAsLong(),
                        row.get("calls").getAsInt(), row.get("per_call_us").getAsDouble(),
                        row.get("gib_per_second").getAsDouble(), row.get("first_call_us").getAsDouble()));
            }
        });
        measure("task-duration sweep", () -> {
            JsonObject r = workload("spin", "--durations-ns", join(plan.spinNanos()),
                    "--target-ms", plan.spinTargetMillis());
            for (JsonElement e : r.getAsJsonArray("rows")) {
                JsonObject row = e.getAsJsonObject();
                int items = row.get("items").getAsInt();
                double sequentialMillis = row.get("sequential_ms").getAsDouble();
                results.taskDuration.add(new Speedup(Engine.PYTHON, row.get("task_ns").getAsLong() / 1e3,
                        sequentialMillis * 1e3 / items, items, sequentialMillis, row.get("pool_ms").getAsDouble(),
                        row.get("speedup").getAsDouble()));
            }
        });
        measure("imap over lines", () -> {
            JsonObject r = workload("imap", "--file", lines.path(), "--lines", plan.pythonFileLines());
            int count = r.get("lines").getAsInt();
            double poolMillis = r.get("pool_ms").getAsDouble();
            results.imapLines.add(new LineRate(Engine.PYTHON, count, poolMillis, r.get("lines_per_second")
                    .getAsDouble(), r.get("loop_ms").getAsDouble()));
        });
        // The default start method (fork on Linux up to Python 3.13) copies a running interpreter; spawn starts a
        // fresh one, as ProcessPool starts fresh JVMs. Both are shown, so the comparison is not fork versus exec.
        for (String method : List.of(defaultStartMethod, "spawn")) {
            if (method.equals("spawn") && defaultStartMethod.equals("spawn")) {
                progress.step();
                continue;
            }
            measure("start-up (" + method + ")", () -> {
                JsonObject r = python.run(timeout, "startup", "--workers", Integer.toString(plan.workers()),
                        "--pools", Integer.toString(plan.startupPools()), "--method", method);
                results.startup.add(new Startup(Engine.PYTHON, r.get("method").getAsString(),
                        r.get("pools").getAsInt(), r.get("median_ms").getAsDouble(), null));
            });
        }
    }

    /** Workload 8; run after the progress bar is closed, like the Java side's, though only Python runs in it. */
    static void idle(Plan plan, Results results, PythonBridge python) {
        try {
            JsonObject r = python.run(timeout(plan), "idle", "--workers", Integer.toString(plan.workers()),
                    "--seconds", Integer.toString(plan.idleSeconds()));
            List<Double> rss = new ArrayList<>();
            r.getAsJsonArray("worker_rss_kib").forEach(e -> rss.add(e.getAsDouble() / 1024));
            List<Double> pss = new ArrayList<>();
            r.getAsJsonArray("worker_pss_kib").forEach(e -> pss.add(e.getAsDouble() / 1024));
            JsonElement workers = r.get("workers_core_percent");
            JsonElement parentRss = r.get("parent_rss_kib");
            results.idle.add(new Idle(Engine.PYTHON, r.get("seconds").getAsDouble(), r.get("workers").getAsInt(),
                    r.get("parent_core_percent").getAsDouble(), workers.isJsonNull() ? null : workers.getAsDouble(),
                    rss, pss, parentRss.isJsonNull() ? null : parentRss.getAsDouble() / 1024, null));
        } catch (RuntimeException e) {
            results.note("Python idle cost failed, so it has no figure: " + e.getMessage());
        }
    }

    private Throughput throughput(JsonObject r) {
        int chunksize = r.get("chunksize").getAsInt();
        return new Throughput(Engine.PYTHON, chunksize == 0 ? null : chunksize, r.get("items").getAsInt(),
                r.get("median_ms").getAsDouble(), r.get("tasks_per_second").getAsDouble());
    }

    /** Runs a workload with the plan's pool size and repetitions plus {@code options} (name, value pairs). */
    private JsonObject workload(String name, Object... options) {
        List<String> args = new ArrayList<>(List.of(name, "--workers", Integer.toString(plan.workers()),
                "--reps", Integer.toString(plan.reps()), "--warmups", Integer.toString(plan.warmups())));
        for (Object option : options) {
            args.add(option.toString());
        }
        return python.run(timeout, args.toArray(String[]::new));
    }

    private void measure(String what, Runnable measurement) {
        progress.doing(what + ": " + Engine.PYTHON.label(plan.workers()));
        try {
            measurement.run();
        } catch (RuntimeException e) {
            results.note("Python " + what + " failed, so it has no figure: " + e.getMessage());
        } finally {
            progress.step();
        }
    }

    private static String join(List<Long> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
