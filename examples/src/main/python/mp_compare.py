#!/usr/bin/env python3
"""The Python side of procpool's comparison program (io.procpool.examples.compare.Compare).

Runs one workload on multiprocessing.Pool and prints one JSON object on stdout; everything else goes to stderr.
The Java program packs this file into its jar, writes it to a temporary file and runs it with python3, so it uses
the standard library only. Each workload mirrors its Java counterpart: the same task, the same chunking rule, and
the same statistic (the median of several timed repetitions after unmeasured warm-up runs).

    python3 mp_compare.py info
    python3 mp_compare.py apply    --workers 2 --reps 5 --warmups 1 --calls 5000 --paced-calls 100 --gap-ms 20
    python3 mp_compare.py map      --workers 2 --reps 5 --warmups 1 --items 20000 --chunksize 1   (0: Python's default)
    python3 mp_compare.py cpu      --workers 2 --reps 5 --warmups 1 --items 8 --target-ms 100
    python3 mp_compare.py payload  --workers 2 --reps 5 --warmups 1 --sizes 16,1024 --budget 268435456
                                   --min-calls 4 --max-calls 5000
    python3 mp_compare.py spin     --workers 2 --reps 5 --warmups 1 --durations-ns 1000,10000 --target-ms 600
    python3 mp_compare.py startup  --workers 2 --pools 5 --method fork
    python3 mp_compare.py idle     --workers 2 --seconds 3 --settle 1
    python3 mp_compare.py imap     --workers 2 --reps 5 --warmups 1 --file lines.txt --lines 100000
"""

import argparse
import itertools
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time


# --- the tasks: top-level functions, so that every start method can pickle them by name ---

def identity(x):
    return x


def square(x):
    return x * x


def cpu_loop(n):
    """The sum of i * i for i < n: the same loop as the Java side (where the sum wraps in a long)."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def spin(seconds):
    """Busy-waits for the given time on the same kind of clock the Java side spins on (System.nanoTime)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return seconds


def count_words(line):
    """The per-line task of the imap workload: the same count as the Java side's Workloads.countWords."""
    return len(line.split())


# --- measuring ---

def timed_median(warmups, reps, work):
    """Median wall seconds of `reps` runs of work() after `warmups` unmeasured ones, and the last run's value."""
    value = None
    for _ in range(warmups):
        value = work()
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        value = work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), value


def timed_interleaved(warmups, reps, works):
    """Like timed_median for several pieces of work, run in turn within each repetition, so that a machine whose
    load drifts during the measurement slows all of them alike, and their ratio stays fair."""
    values = [None] * len(works)
    for _ in range(warmups):
        for i, work in enumerate(works):
            values[i] = work()
    seconds = [[] for _ in works]
    for _ in range(reps):
        for i, work in enumerate(works):
            start = time.perf_counter()
            values[i] = work()
            seconds[i].append(time.perf_counter() - start)
    return [statistics.median(s) for s in seconds], values


def nearest_rank(sorted_values, fraction):
    """The nearest-rank percentile, the definition the Java side uses too."""
    index = max(0, math.ceil(fraction * len(sorted_values)) - 1)
    return sorted_values[index]


def calibrate_cpu_loop(target_seconds):
    """The n for which cpu_loop(n) takes about target_seconds on this interpreter, measured, not assumed."""
    n = 100_000
    while True:
        start = time.perf_counter()
        cpu_loop(n)
        elapsed = time.perf_counter() - start
        if elapsed >= target_seconds / 4:
            break
        n *= 4
    # Refined at full length, taking the fastest of three runs: on a busy machine a run can only be slowed down.
    n = max(1, int(n * target_seconds / elapsed))
    fastest = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        cpu_loop(n)
        fastest = min(fastest, time.perf_counter() - start)
    return max(1, int(n * target_seconds / fastest))


def read_proc_status_kib(pid, field, file="status"):
    """A field in kiB from /proc/<pid>/status (or another file of the same form), or None where there is none."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def read_proc_cpu_seconds(pid):
    """utime + stime of a process from /proc/<pid>/stat (Linux), or None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # The command name may contain spaces; the fields after it are space separated.
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


# --- the workloads ---

def run_info(_args):
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "start_method": multiprocessing.get_start_method(),
        "cpu_count": os.cpu_count(),
    }


def run_apply(args):
    with multiprocessing.Pool(args.workers) as pool:
        def one_rep():
            samples = []
            for i in range(args.calls):
                start = time.perf_counter_ns()
                pool.apply(identity, (i,))
                samples.append(time.perf_counter_ns() - start)
            samples.sort()
            return nearest_rank(samples, 0.50), nearest_rank(samples, 0.99)

        for _ in range(args.warmups):
            one_rep()
        reps = [one_rep() for _ in range(args.reps)]
        # Then one call after each sleep, on the same pool, as the Java side does: the pool's threads and workers
        # have gone to sleep in between, so each call pays for waking them. One run; sleeping before the first call
        # too, so that none finds the pool still busy from the back-to-back calls.
        paced = []
        for i in range(args.paced_calls):
            time.sleep(args.gap_ms / 1e3)
            start = time.perf_counter_ns()
            pool.apply(identity, (i,))
            paced.append(time.perf_counter_ns() - start)
        paced.sort()
    return {
        "calls": args.calls,
        "p50_us": statistics.median(r[0] for r in reps) / 1e3,
        "p99_us": statistics.median(r[1] for r in reps) / 1e3,
        "paced_calls": args.paced_calls,
        "gap_ms": args.gap_ms,
        "paced_p50_us": nearest_rank(paced, 0.50) / 1e3 if paced else None,
        "paced_p99_us": nearest_rank(paced, 0.99) / 1e3 if paced else None,
    }


def run_map(args):
    items = list(range(args.items))
    expected = [x * x for x in items]
    with multiprocessing.Pool(args.workers) as pool:
        if args.chunksize > 0:
            seconds, result = timed_median(args.warmups, args.reps,
                                           lambda: pool.map(square, items, args.chunksize))
        else:
            seconds, result = timed_median(args.warmups, args.reps, lambda: pool.map(square, items))
    if result != expected:
        raise RuntimeError("map returned wrong results")
    return {"items": args.items, "chunksize": args.chunksize, "median_ms": seconds * 1e3,
            "tasks_per_second": args.items / seconds}


def run_cpu(args):
    n = calibrate_cpu_loop(args.target_ms / 1e3)
    items = [n + i for i in range(args.items)]
    with multiprocessing.Pool(args.workers) as pool:
        (sequential_seconds, pool_seconds), (expected, result) = timed_interleaved(
            args.warmups, args.reps, [lambda: [cpu_loop(x) for x in items], lambda: pool.map(cpu_loop, items)])
    if result != expected:
        raise RuntimeError("cpu_loop results differ between the loop and the pool")
    return {"items": args.items, "n": n, "item_ms": sequential_seconds * 1e3 / args.items,
            "sequential_ms": sequential_seconds * 1e3, "pool_ms": pool_seconds * 1e3,
            "speedup": sequential_seconds / pool_seconds}


def run_payload(args):
    """Time per call of back-to-back apply(identity) calls at each size, and the first call of each size alone:
    what a user pays the first time a value that large crosses, which the warm-up runs hide from the per-call
    figure. One pool serves every size, smallest first, as on the Java side."""
    rows = []
    with multiprocessing.Pool(args.workers) as pool:
        # Touch every worker once first: the Java pools have served other workloads before this one, and the first
        # call of the smallest size should not include a fresh worker's first task.
        pool.map(identity, range(4 * args.workers), 1)
        for size in (int(s) for s in args.sizes.split(",")):
            calls = min(args.max_calls, max(args.min_calls, args.budget // size))
            payload = os.urandom(size)
            # The first call of this size is the one that checks the result; the check is left out of its time.
            start = time.perf_counter()
            echoed = pool.apply(identity, (payload,))
            first_call_seconds = time.perf_counter() - start
            if echoed != payload:
                raise RuntimeError(f"the {size}-byte payload came back changed")
            del echoed  # not kept alive through the timed runs, as it was not when the check stood alone

            def calls_of(count=calls, data=payload):
                for _ in range(count):
                    pool.apply(identity, (data,))

            seconds, _ = timed_median(args.warmups, args.reps, calls_of)
            per_call = seconds / calls
            rows.append({"bytes": size, "calls": calls, "per_call_us": per_call * 1e6,
                         "gib_per_second": 2 * size / per_call / 2**30, "first_call_us": first_call_seconds * 1e6})
    return {"rows": rows}


def run_spin(args):
    rows = []
    with multiprocessing.Pool(args.workers) as pool:
        for nanos in (int(d) for d in args.durations_ns.split(",")):
            items_count = max(4 * args.workers, round(args.target_ms * 1e6 / nanos))
            items = [nanos / 1e9] * items_count
            (sequential_seconds, pool_seconds), _ = timed_interleaved(
                args.warmups, args.reps, [lambda: [spin(x) for x in items], lambda: pool.map(spin, items)])
            rows.append({"task_ns": nanos, "items": items_count, "sequential_ms": sequential_seconds * 1e3,
                         "pool_ms": pool_seconds * 1e3, "speedup": sequential_seconds / pool_seconds})
    return {"rows": rows}


def run_startup(args):
    context = multiprocessing.get_context(args.method or None)
    seconds = []
    for _ in range(args.pools):
        start = time.perf_counter()
        pool = context.Pool(args.workers)
        pool.apply(identity, (1,))
        seconds.append(time.perf_counter() - start)
        pool.close()
        pool.join()
    return {"method": context.get_start_method(), "pools": args.pools,
            "median_ms": statistics.median(seconds) * 1e3}


def tally(word_counts):
    """Lines, words and the position-weighted word sum of results consumed in order, as the Java side keeps them:
    the weighted sum differs if results come back out of order."""
    lines = words = weighted = 0
    for count in word_counts:
        lines += 1
        words += count
        weighted += lines * count
    return lines, words, weighted


def run_imap(args):
    """The first --lines lines of the file, read lazily, by a plain loop and by pool.imap with its default
    chunksize (1), the two timed in turn; each run opens the file afresh."""
    def loop():
        with open(args.file, encoding="utf-8") as lines:
            return tally(count_words(line) for line in itertools.islice(lines, args.lines))

    with multiprocessing.Pool(args.workers) as pool:
        def imap():
            with open(args.file, encoding="utf-8") as lines:
                return tally(pool.imap(count_words, itertools.islice(lines, args.lines)))

        (loop_seconds, pool_seconds), (expected, result) = timed_interleaved(
            args.warmups, args.reps, [loop, imap])
    if result != expected:
        raise RuntimeError("imap returned different results from the plain loop, or out of order")
    return {"lines": expected[0], "words": expected[1], "loop_ms": loop_seconds * 1e3,
            "pool_ms": pool_seconds * 1e3, "lines_per_second": expected[0] / pool_seconds}


def run_idle(args):
    with multiprocessing.Pool(args.workers) as pool:
        # Touch every worker once, then let the pool settle before the window opens.
        pool.map(identity, range(4 * args.workers), 1)
        time.sleep(args.settle)
        children = [p.pid for p in multiprocessing.active_children()]
        parent_before = time.process_time()
        children_before = {pid: read_proc_cpu_seconds(pid) for pid in children}
        wall_before = time.perf_counter()
        time.sleep(args.seconds)
        wall = time.perf_counter() - wall_before
        parent_cpu = time.process_time() - parent_before
        children_cpu = 0.0
        for pid in children:
            after = read_proc_cpu_seconds(pid)
            if after is None or children_before[pid] is None:
                children_cpu = None
                break
            children_cpu += after - children_before[pid]
        rss = [read_proc_status_kib(pid, "VmRSS") for pid in children]
        pss = [read_proc_status_kib(pid, "Pss", "smaps_rollup") for pid in children]
        parent_rss = read_proc_status_kib(os.getpid(), "VmRSS")
    return {"seconds": wall, "workers": len(children),
            "parent_core_percent": 100 * parent_cpu / wall,
            "workers_core_percent": None if children_cpu is None else 100 * children_cpu / wall,
            "worker_rss_kib": [r for r in rss if r is not None],
            "worker_pss_kib": [r for r in pss if r is not None],
            "parent_rss_kib": parent_rss}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="workload", required=True)
    sub.add_parser("info").set_defaults(run=run_info)

    def workload(name, run):
        p = sub.add_parser(name)
        p.add_argument("--workers", type=int, default=2)
        p.add_argument("--reps", type=int, default=5)
        p.add_argument("--warmups", type=int, default=1)
        p.set_defaults(run=run)
        return p

    p = workload("apply", run_apply)
    p.add_argument("--calls", type=int, required=True)
    p.add_argument("--paced-calls", type=int, default=0)
    p.add_argument("--gap-ms", type=int, default=20)
    p = workload("map", run_map)
    p.add_argument("--items", type=int, required=True)
    p.add_argument("--chunksize", type=int, default=0)
    p = workload("cpu", run_cpu)
    p.add_argument("--items", type=int, required=True)
    p.add_argument("--target-ms", type=float, required=True)
    p = workload("payload", run_payload)
    p.add_argument("--sizes", required=True)
    p.add_argument("--budget", type=int, required=True)
    p.add_argument("--min-calls", type=int, default=2)
    p.add_argument("--max-calls", type=int, default=5000)
    p = workload("spin", run_spin)
    p.add_argument("--durations-ns", required=True)
    p.add_argument("--target-ms", type=float, required=True)
    p = workload("startup", run_startup)
    p.add_argument("--pools", type=int, required=True)
    p.add_argument("--method", default="")
    p = workload("idle", run_idle)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--settle", type=float, default=1.0)
    p = workload("imap", run_imap)
    p.add_argument("--file", required=True)
    p.add_argument("--lines", type=int, required=True)

    args = parser.parse_args()
    json.dump(args.run(args), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
