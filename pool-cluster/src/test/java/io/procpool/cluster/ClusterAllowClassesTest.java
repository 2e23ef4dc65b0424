package io.procpool.cluster;

import io.procpool.SerializationException;
import io.procpool.Task;
import io.procpool.worker.internal.serial.ClassFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster pool's class allow-list: its local members read functions and items through it, their worker JVMs are
 * started with it, and what the list leaves out fails with a {@link SerializationException} naming the class while
 * the pool stays usable. A member's {@code --allow-classes} is checked as its command line is read. (That the pool
 * reads a joined member's answers through its own list is in {@link ClusterJoinTest}.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterAllowClassesTest {
    record Allowed(int value) {
    }

    record Refused(int value) {
    }

    /** A function of a class of its own, which the list leaves out (the test's lambdas are its own class's). */
    static final class RefusedTask implements Task<Integer, Integer> {
        @Override
        public Integer apply(Integer x) {
            return x + 1;
        }
    }

    @Test
    void shouldRefuseOnTheMemberWhatTheListLeavesOutAndRunWhatItAllows() {
        String[] patterns = {ClusterAllowClassesTest.class.getName(), Allowed.class.getName()};
        // Worker processes: the member reads the chunk through the list, then hands its items to its worker JVMs.
        try (ClusterPool pool = ClusterPool.builder().localMembers(1).workersPerMember(1).workerProcesses(true)
                .allowClasses(patterns).build()) {
            SerializationException item = assertThrows(SerializationException.class,
                    () -> pool.apply((Refused r) -> r.value(), new Refused(1)));
            System.out.println("an item outside the allow-list: " + item.getMessage());
            assertTrue(item.getMessage().contains(Refused.class.getName()), item.getMessage());
            SerializationException function = assertThrows(SerializationException.class,
                    () -> pool.apply(new RefusedTask(), 1));
            System.out.println("a function outside the allow-list: " + function.getMessage());
            // Rebuilt by the member's own threads, which read items through the same list.
            assertTrue(function.getMessage().contains(RefusedTask.class.getName())
                    && function.getMessage().contains("in the member"), function.getMessage());
            SerializationException result = assertThrows(SerializationException.class,
                    () -> pool.apply((Integer i) -> new Refused(i), 1));
            assertTrue(result.getMessage().contains(Refused.class.getName()), result.getMessage());

            assertEquals(String.join(";", patterns), pool.apply((Integer i) -> System.getProperty(
                    ClassFilter.PROPERTY), 0), "the member's worker JVMs should get the list");
            assertEquals(new Allowed(42), pool.apply((Allowed a) -> new Allowed(a.value() * 2), new Allowed(21)));
            assertEquals(List.of(1, 4, 9), pool.map((Integer x) -> x * x, List.of(1, 2, 3)));
        }
    }

    @Test
    void shouldReadAMembersAllowListAndRefuseABadPattern() {
        String[] start = {"--cluster-name", "allow-test", "--port", "5701"};
        assertEquals(List.of(), ClusterMember.parse(start).allowedClasses());
        assertEquals(List.of("com.example.**", "com.example.Task"), ClusterMember.parse(with(start,
                "--allow-classes", "com.example.**,com.example.Task")).allowedClasses());
        for (String bad : new String[] {"com.example.**,!com.evil.*", "com.example.*,,com.example.Task", ""}) {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                    () -> ClusterMember.parse(with(start, "--allow-classes", bad)), "'" + bad + "'");
            System.out.println("--allow-classes '" + bad + "': " + e.getMessage());
            assertTrue(e.getMessage().startsWith("--allow-classes: not a class pattern: '"), e.getMessage());
        }

        assertThrows(NullPointerException.class, () -> ClusterPool.builder().allowClasses("com.example.*", null));
        // build() refuses a bad pattern before it starts a member.
        for (String bad : new String[] {"!com.evil.*", "com.example.*,com.example.Task"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClusterPool.builder().localMembers(1).allowClasses(bad).build());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    private static String[] with(String[] start, String... more) {
        String[] all = java.util.Arrays.copyOf(start, start.length + more.length);
        System.arraycopy(more, 0, all, start.length, more.length);
        return all;
    }
}
