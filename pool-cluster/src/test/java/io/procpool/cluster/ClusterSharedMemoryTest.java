package io.procpool.cluster;

import io.procpool.SerializationException;
import io.procpool.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link SharedMemory} cannot reach a cluster member, which may be on another machine: as a captured value, an
 * item or a member's result it fails with a {@link SerializationException} saying so, never a silent copy, and the
 * pool stays usable.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterSharedMemoryTest {
    @Test
    void shouldRefuseSharedMemoryEitherWayAndStayUsable() {
        SharedMemory block = SharedMemory.of(new double[] {1, 2, 3});
        String name = block.name();
        try (ClusterPool pool = ClusterPool.builder().localMembers(1).workersPerMember(1).build()) {
            assertRefused("captured", () -> pool.apply((Integer i) -> block.doubles().get(i), 1));
            assertRefused("an item", () -> pool.map((SharedMemory b) -> b.size(), List.of(block)));
            assertRefused("a member's result", () -> pool.apply((String n) -> SharedMemory.attach(n), name));
            assertEquals(List.of(2, 3), pool.map((Integer x) -> x + 1, List.of(1, 2)));
        } finally {
            block.unlink();
        }
    }

    private static void assertRefused(String as, Executable call) {
        SerializationException e = assertThrows(SerializationException.class, call, as);
        System.out.println("shared memory " + as + " on a cluster pool: " + e.getMessage());
        assertTrue(e.getMessage().contains("cannot cross to or from a cluster member"), as + ": " + e.getMessage());
    }
}
