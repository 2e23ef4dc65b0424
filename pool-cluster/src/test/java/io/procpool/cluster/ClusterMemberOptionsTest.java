package io.procpool.cluster;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A member's options for its worker JVMs, read from its command line: no member is started. */
class ClusterMemberOptionsTest {
    private static final String[] START = {"--cluster-name", "options-test", "--port", "5701"};

    @Test
    void shouldPassMaxMemoryPerChildToTheMembersWorkerProcesses() {
        assertEquals(0, ClusterMember.parse(START).maxMemoryPerChild(), "no limit by default");
        MemberOptions options = ClusterMember.parse(with("--worker-processes", "--max-memory-per-child", "209715200"));
        assertEquals(200L << 20, options.maxMemoryPerChild());
    }

    @Test
    void shouldRefuseMaxMemoryPerChildWithoutWorkerProcessesOrBelowOne() {
        for (String[] bad : new String[][] {with("--max-memory-per-child", "209715200"),
                with("--worker-processes", "--max-memory-per-child", "-1")}) {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                    () -> ClusterMember.parse(bad));
            assertTrue(e.getMessage().startsWith("--max-memory-per-child needs --worker-processes"), e.getMessage());
        }
    }

    private static String[] with(String... more) {
        String[] all = java.util.Arrays.copyOf(START, START.length + more.length);
        System.arraycopy(more, 0, all, START.length, more.length);
        return all;
    }
}
