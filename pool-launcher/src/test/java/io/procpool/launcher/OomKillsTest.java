package io.procpool.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a worker's SIGKILL is told apart as the kernel's OOM killer's, from the kernel's counter files: no JVMs. */
class OomKillsTest {
    private static final String CGROUP_V2_EVENTS = "low 0\nhigh 0\nmax 31\noom 2\noom_kill 1\noom_group_kill 0\n";
    private static final String CGROUP_V1_CONTROL = "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n";

    @Test
    void shouldReadTheOomKillCountOfEachKindOfCounterFile() {
        assertEquals(1, OomKills.oomKillCount(CGROUP_V2_EVENTS), "cgroup v2 memory.events");
        assertEquals(4, OomKills.oomKillCount(CGROUP_V1_CONTROL), "cgroup v1 memory.oom_control");
        assertEquals(7, OomKills.oomKillCount("pgfault 100\noom_kill 7\nnr_dirty 3\n"), "/proc/vmstat");
        assertEquals(-1, OomKills.oomKillCount("oom_group_kill 3\n"), "a file without the line");
    }

    @Test
    void shouldNameTheOomKillerAndTheCounterWhenTheCountRoseWhileTheWorkerRan(@TempDir Path dir) throws IOException {
        Path events = Files.writeString(dir.resolve("memory.events"), CGROUP_V2_EVENTS);
        OomKills atStart = OomKills.of(List.of(events));
        Files.writeString(events, CGROUP_V2_EVENTS.replace("oom_kill 1", "oom_kill 2"));
        String verdict = atStart.verdict(OomKills.of(List.of(events)));
        assertTrue(verdict.contains("the kernel's OOM killer, out of memory"), verdict);
        assertTrue(verdict.contains(events + " rose from 1 to 2"), verdict);
    }

    @Test
    void shouldSayAnotherProcessKilledItWhenNoCountMoved(@TempDir Path dir) throws IOException {
        Path events = Files.writeString(dir.resolve("memory.events"), CGROUP_V2_EVENTS);
        Path vmstat = Files.writeString(dir.resolve("vmstat"), "oom_kill 7\n");
        OomKills atStart = OomKills.of(List.of(events, vmstat));
        String verdict = atStart.verdict(OomKills.of(List.of(events, vmstat)));
        assertTrue(verdict.contains("not by the kernel's OOM killer"), verdict);
    }

    @Test
    void shouldSayPossiblyTheOomKillerWhenNoCounterCanBeRead(@TempDir Path dir) {
        List<Path> missing = List.of(dir.resolve("memory.events"), dir.resolve("vmstat"));
        String verdict = OomKills.of(missing).verdict(OomKills.of(missing));
        assertTrue(verdict.contains("possibly by the kernel's OOM killer"), verdict);
    }

    @Test
    void shouldFindTheCgroupsCounterFilesForV2AndV1(@TempDir Path root) throws IOException {
        Path v2 = Files.createDirectories(root.resolve("user.slice/app"));
        Files.writeString(v2.resolve("memory.events"), CGROUP_V2_EVENTS);
        Path v1 = Files.createDirectories(root.resolve("memory/job"));
        Files.writeString(v1.resolve("memory.oom_control"), CGROUP_V1_CONTROL);
        Path cgroup = Files.writeString(root.resolve("cgroup"), "4:memory:/job\n1:cpu:/\n0::/user.slice/app\n");
        assertEquals(List.of(v1.resolve("memory.oom_control"), v2.resolve("memory.events"), Path.of("/proc/vmstat")),
                OomKills.counterFiles(cgroup, root));
        // A container sees its own cgroup at the root, under a path that does not exist there.
        Files.writeString(root.resolve("memory.events"), CGROUP_V2_EVENTS);
        Path inContainer = Files.writeString(root.resolve("cgroup2"), "0::/elsewhere\n");
        assertEquals(List.of(root.resolve("memory.events"), Path.of("/proc/vmstat")),
                OomKills.counterFiles(inContainer, root));
    }
}
