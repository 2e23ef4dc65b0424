package io.procpool.worker.internal.serial;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Comparator;
import java.util.GregorianCalendar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TimeZone;
import java.util.concurrent.LinkedBlockingQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link Behaviour} tells apart beyond the catalogue the fidelity tests run over: values whose text shows an
 * identity (arrays, classes without a {@code toString} of their own), a NaN's payload, a queue's capacity, a
 * calendar's settings but not its computing state, and that describing without changing leaves the value as it was.
 */
class BehaviourTest {
    /** A class of the application's without a toString of its own, with a cache it declares transient. */
    @SuppressWarnings("unused") // its fields are read by reflection only
    static final class Account {
        private final String owner;
        private final long cents;
        private transient String cached;

        Account(String owner, long cents, String cached) {
            this.owner = owner;
            this.cents = cents;
            this.cached = cached;
        }
    }

    @Test
    void shouldDescribeAClassWithoutItsOwnToStringByItsFieldsLeavingOutTransientOnes() {
        assertEquals(Behaviour.describeWithoutChanging(new Account("ann", 5, "x")),
                Behaviour.describeWithoutChanging(new Account("ann", 5, null)));
        assertNotEquals(Behaviour.describeWithoutChanging(new Account("ann", 5, null)),
                Behaviour.describeWithoutChanging(new Account("ann", 6, null)));
    }

    @Test
    void shouldDescribeArraysByTheirElementsAndTheirBits() {
        assertEquals(Behaviour.describe(new int[] {1, 2}), Behaviour.describe(new int[] {1, 2}));
        int[] long1 = new int[20];
        int[] long2 = new int[20];
        long2[19] = 1; // past the elements shown: the hash of all of them differs
        assertNotEquals(Behaviour.describe(long1), Behaviour.describe(long2));
        double quiet = Double.longBitsToDouble(0x7ff8000000000000L);
        double payload = Double.longBitsToDouble(0x7ff8000000000001L);
        assertNotEquals(Behaviour.describe(new double[] {quiet}), Behaviour.describe(new double[] {payload}));
        assertNotEquals(Behaviour.describe(quiet), Behaviour.describe(payload));
        assertEquals(Behaviour.describe(new Object[] {"a", List.of(1)}), Behaviour.describe(
                new Object[] {"a", List.of(1)}));
    }

    @Test
    void shouldTellABoundedQueueFromAnUnboundedOne() {
        assertNotEquals(Behaviour.describeWithoutChanging(new LinkedBlockingQueue<>(List.of("a"))),
                Behaviour.describeWithoutChanging(bounded()));
    }

    private static LinkedBlockingQueue<String> bounded() {
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(4);
        queue.add("a");
        return queue;
    }

    @Test
    void shouldDescribeACalendarByWhatItAnswersNotByWhatItHasComputedSoFar() throws Exception {
        GregorianCalendar original = new GregorianCalendar(TimeZone.getTimeZone("Asia/Tokyo"));
        original.setTimeInMillis(1_700_000_000_000L);
        original.setFirstDayOfWeek(Calendar.MONDAY);
        original.getTime();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }
        Object copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = in.readObject();
        }
        // The copy has computed fewer of its fields (its toString says so), and answers the same.
        assertEquals(Behaviour.describeWithoutChanging(original), Behaviour.describeWithoutChanging(copy));
        GregorianCalendar sundayFirst = (GregorianCalendar) original.clone();
        sundayFirst.setFirstDayOfWeek(Calendar.SUNDAY);
        assertNotEquals(Behaviour.describeWithoutChanging(original), Behaviour.describeWithoutChanging(sundayFirst));
    }

    @Test
    void shouldLeaveAValueAsItWasWhenDescribingWithoutChanging() {
        Map<String, Integer> accessOrdered = new LinkedHashMap<>(16, 0.75f, true);
        accessOrdered.put("a", 1);
        accessOrdered.put("b", 2);
        PriorityQueue<String> maxFirst = new PriorityQueue<>(Comparator.reverseOrder());
        maxFirst.addAll(List.of("a", "c", "b"));
        ArrayDeque<String> deque = new ArrayDeque<>(List.of("x", "y"));
        List<Object> value = new ArrayList<>(List.of(accessOrdered, maxFirst, deque));

        String described = Behaviour.describeWithoutChanging(value);

        assertEquals(List.of("a", "b"), List.copyOf(accessOrdered.keySet()));
        assertEquals(3, maxFirst.size());
        assertEquals(List.of("x", "y"), List.copyOf(deque));
        assertEquals(3, value.size());
        assertEquals(described, Behaviour.describeWithoutChanging(value), "the same again");
        // It still sees what the changing probes see: the access order a lookup makes, the order of polling.
        assertTrue(described.contains("afterGet=[java.lang.String{b"), described);
        assertTrue(described.contains("pollOrder=[java.lang.String{c"), described);
    }
}
