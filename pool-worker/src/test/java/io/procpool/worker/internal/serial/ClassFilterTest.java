package io.procpool.worker.internal.serial;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassFilterTest {
    @Test
    void shouldAlwaysAllowWhatProcpoolsOwnMessagesCarryWhereverItsClassesLive() {
        ClassFilter filter = ClassFilter.allowing(List.of("com.example.Only"));
        // Named by a string in ClassFilter: a package move must move the name with it.
        assertTrue(filter.allows(JavaShapeSerializer.Leaf.class), "the leaf a Java-serialised shape carries");
        assertTrue(filter.allows(java.util.ArrayList.class));
        assertFalse(filter.allows(java.net.URL.class), "a class neither allowed nor procpool's own");
    }
}
