package io.procpool.examples.compare;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The machine's idle costs, measured for real: a parked thread, a child JVM blocked on its stdin, fresh pages. */
class IdleCostsTest {
    @Test
    void shouldMeasureEveryFigureAndLeaveNoChildJvmRunning() throws Exception {
        Set<Long> before = children();
        IdleCosts costs = IdleCosts.measure(1);

        assertEquals(1, costs.gapMillis());
        assertTrue(costs.threadWakeMicros() > 0, "thread wake: " + costs);
        // The child answers with the time it read the byte, which is after it was written.
        assertTrue(costs.processWakeMicros() > 0, "process wake: " + costs);
        assertEquals(4096, costs.pages());
        assertTrue(costs.freshPageMicros() > 0 && costs.touchedPageMicros() > 0, "pages: " + costs);
        assertTrue(costs.describe().contains("another JVM"), costs.describe());
        assertEquals(before, children(), "the child JVM has exited");
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }
}
