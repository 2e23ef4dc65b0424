package io.procpool.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procpool.worker.fidelity.ValueCatalogue;
import io.procpool.worker.internal.serial.Behaviour;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance test across real worker JVMs: every value of the catalogue behaves, as a worker receives it (as
 * an item, and captured by a task) and as it comes back, as the original does in this JVM. The original itself is
 * the oracle: what a ThreadPool's task would see.
 */
class ValueFidelityTest {
    private static ProcessPool pool;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.create(2);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Test
    void shouldDeliverEveryValueToAWorkerAndBackWithItsBehaviour() {
        List<ValueCatalogue.Case> cases = ValueCatalogue.cases();
        List<Object> values = ValueCatalogue.values(cases);
        List<Boolean> contentsOnly = ValueCatalogue.contentsOnly(cases);
        // One task for all: it describes each item as the case asks, in the worker.
        List<String> inWorker = pool.map((Integer i) -> describe(values.get(i), contentsOnly.get(i)),
                indices(cases.size()), 1);
        List<Object> back = pool.map((Object v) -> v, ValueCatalogue.values(cases));

        List<String> mismatches = ValueCatalogue.mismatches(cases, inWorker, back, "the worker");
        assertTrue(mismatches.isEmpty(), mismatches.size() + " values changed crossing:\n"
                + String.join("\n", mismatches));
    }

    @Test
    void shouldDeliverAValueCapturedByATaskWithItsBehaviour() {
        for (ValueCatalogue.Case c : ValueCatalogue.cases()) {
            Object captured = c.make().get();
            boolean contentsOnly = c.classMayChange();
            String inWorker = pool.apply((Integer ignored) -> describe(captured, contentsOnly), 0);
            assertEquals(c.behaviourOf(c.make().get()), inWorker, c.name());
        }
    }

    @Test
    void shouldRunATaskThatCapturesAJacksonObjectMapper() {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Integer> reverse = new TreeMap<>(java.util.Comparator.reverseOrder());
        reverse.put("a", 1);
        reverse.put("b", 2);
        String json = pool.apply((Map<String, Integer> m) -> mapper.writeValueAsString(m), reverse);
        assertEquals("{\"b\":2,\"a\":1}", json);
    }

    private static String describe(Object value, boolean contentsOnly) {
        return contentsOnly ? Behaviour.describeContents(value) : Behaviour.describe(value);
    }

    private static List<Integer> indices(int n) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            indices.add(i);
        }
        return indices;
    }

}
