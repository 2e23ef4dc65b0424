package io.procpool.cluster;

import io.procpool.worker.fidelity.ValueCatalogue;
import io.procpool.worker.internal.serial.Behaviour;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The value conformance test across a cluster member: every value of the catalogue behaves, as the member receives
 * it and as it comes back, as the original does in this JVM, as through a process pool's workers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterValueFidelityTest {
    @Test
    void shouldDeliverEveryValueToAMemberAndBackWithItsBehaviour() {
        List<ValueCatalogue.Case> cases = ValueCatalogue.cases();
        List<Object> values = ValueCatalogue.values(cases);
        List<Boolean> contentsOnly = ValueCatalogue.contentsOnly(cases);
        List<String> mismatches;
        try (ClusterPool pool = ClusterPool.builder().localMembers(1).workersPerMember(1).build()) {
            // One task for all, carrying the values captured: it describes each as the case asks, on the member.
            List<String> onMember = pool.map((Integer i) -> contentsOnly.get(i)
                            ? Behaviour.describeContents(values.get(i)) : Behaviour.describe(values.get(i)),
                    IntStream.range(0, cases.size()).boxed().collect(Collectors.toList()), 1);
            List<Object> back = pool.map((Object v) -> v, ValueCatalogue.values(cases));
            mismatches = ValueCatalogue.mismatches(cases, onMember, back, "the member");
        }
        assertTrue(!cases.isEmpty() && mismatches.isEmpty(), mismatches.size() + " values changed crossing:\n"
                + String.join("\n", mismatches));
    }
}
