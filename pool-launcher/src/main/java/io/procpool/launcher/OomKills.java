package io.procpool.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the kernel's OOM killer killed a worker that died of SIGKILL: the kernel counts its kills ({@code oom_kill})
 * in the memory cgroup of the pool's processes ({@code memory.events} under cgroup v2, {@code memory.oom_control}
 * under v1) and for the whole machine ({@code /proc/vmstat}); a count that rose while the worker lived says it was
 * most likely that. The counts are read when a worker starts, a few small files, and again only if it is killed.
 * Immutable: a snapshot is taken on the thread that starts the worker and read on the one that reports its death.
 */
final class OomKills {
    /** The counter files, most specific first: this process's memory cgroup, then the machine. */
    private static final List<Path> COUNTERS = counterFiles(Path.of("/proc/self/cgroup"), Path.of("/sys/fs/cgroup"));

    private final List<Path> files;
    /** The count in each file when the snapshot was taken, or -1 where it could not be read. */
    private final long[] counts;

    OomKills(List<Path> files, long[] counts) {
        this.files = files;
        this.counts = counts;
    }

    /** {@return the kernel's OOM kill counts now} */
    static OomKills now() {
        return of(COUNTERS);
    }

    /** {@return the OOM kill counts in these files now, -1 for each that cannot be read} */
    static OomKills of(List<Path> files) {
        long[] counts = new long[files.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = read(files.get(i));
        }
        return new OomKills(files, counts);
    }

    /**
     * Says what the counts since this snapshot tell of a SIGKILL the pool did not send: a phrase to follow "was
     * killed by signal 9 (SIGKILL)".
     *
     * @param after the counts when the death was seen
     * @return the kernel's reason where the counts tell it, else what they allow
     */
    String verdict(OomKills after) {
        boolean readable = false;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] >= 0 && after.counts[i] >= 0) {
                readable = true;
                if (after.counts[i] > counts[i]) {
                    return ": the kernel's OOM killer, out of memory (oom_kill in " + files.get(i) + " rose from "
                            + counts[i] + " to " + after.counts[i] + " while it ran)";
                }
            }
        }
        return readable ? ", not by the kernel's OOM killer (its oom_kill counts did not move): by another process"
                : ", possibly by the kernel's OOM killer (its counts, in " + files + ", cannot be read here)";
    }

    /** {@return the value of the {@code oom_kill} line of a counter file's text, or -1 if it has none} */
    static long oomKillCount(String text) {
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 2 && words[0].equals("oom_kill")) {
                try {
                    return Long.parseLong(words[1]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static long read(Path file) {
        try {
            return oomKillCount(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The files that count OOM kills for a process of the cgroups that {@code procCgroup} lists, under the cgroup
     * file system at {@code root}: its v2 cgroup's {@code memory.events}, else its v1 memory cgroup's
     * {@code memory.oom_control}, where they exist (a container may see its own cgroup as the root), and the
     * machine's {@code /proc/vmstat}.
     */
    static List<Path> counterFiles(Path procCgroup, Path root) {
        List<Path> files = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procCgroup)) {
                String[] parts = line.split(":", 3);
                if (parts.length < 3) {
                    continue;
                }
                String path = parts[2].startsWith("/") ? parts[2].substring(1) : parts[2];
                if (parts[0].equals("0") && parts[1].isEmpty()) {
                    addFirstThatExists(files, root.resolve(path).resolve("memory.events"),
                            root.resolve("memory.events"));
                } else if (List.of(parts[1].split(",")).contains("memory")) {
                    addFirstThatExists(files, root.resolve("memory").resolve(path).resolve("memory.oom_control"),
                            root.resolve("memory").resolve("memory.oom_control"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cgroups to read (not Linux): the machine's count, if any, is all there is
        }
        files.add(Path.of("/proc/vmstat"));
        return List.copyOf(files);
    }

    private static void addFirstThatExists(List<Path> files, Path own, Path root) {
        if (Files.isReadable(own)) {
            files.add(own);
        } else if (Files.isReadable(root)) {
            files.add(root);
        }
    }
}
