package io.procpool.worker.fidelity;

import io.procpool.worker.internal.serial.Behaviour;

import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.text.SimpleDateFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SimpleTimeZone;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The values programs pass around, each made fresh by a supplier, for the conformance tests that check a value
 * behaves after crossing a process boundary as it did before ({@link Behaviour}).
 */
public final class ValueCatalogue {
    private ValueCatalogue() {
    }

    /**
     * One value to cross.
     *
     * @param name          what it is, for the test report
     * @param make          makes a fresh one
     * @param classMayChange a JDK view that crosses as its nearest equivalent: compared by its contents, order,
     *                       comparator and lookups, not by its class or mutability
     */
    public record Case(String name, Supplier<Object> make, boolean classMayChange) {
        /** @return the behaviour to compare, with or without the class as this case requires */
        public String behaviourOf(Object value) {
            return classMayChange ? Behaviour.describeContents(value) : Behaviour.describe(value);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A key extractor as users write them for {@code Comparator.comparing}: a serialisable method reference. */
    public static final java.util.function.Function<String, Integer> LENGTH =
            (java.util.function.Function<String, Integer> & Serializable) String::length;

    /** A comparator as users write them: a serialisable lambda, shortest first, then alphabetical. */
    public static final Comparator<String> BY_LENGTH = (Comparator<String> & Serializable)
            (a, b) -> a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);

    /** A record holding a value, to check that values keep their behaviour inside user classes too. */
    public record Holder(String label, Object value) {
    }

    /** Days, for EnumMap and EnumSet. */
    public enum Day { MON, TUE, WED }

    /** A user class that is not Serializable, has no default constructor, and holds behaviour-laden collections. */
    public static final class Inventory {
        private final SortedMap<String, Integer> stock;
        private final Map<String, Integer> recent;

        public Inventory(SortedMap<String, Integer> stock, Map<String, Integer> recent) {
            this.stock = stock;
            this.recent = recent;
        }

        @Override
        public String toString() {
            return "Inventory" + Behaviour.describe(stock) + Behaviour.describe(recent);
        }
    }

    /** A singleton that Java serialisation keeps single through readResolve. */
    public static final class Unit implements Serializable {
        public static final Unit INSTANCE = new Unit();

        private Unit() {
        }

        private Object readResolve() {
            return INSTANCE;
        }

        @Override
        public String toString() {
            return this == INSTANCE ? "the unit" : "a second unit";
        }
    }

    /** A user class whose state is partly in a JDK superclass. */
    public static final class Tally extends HashMap<String, Integer> {
        private final String label;

        public Tally(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label + super.toString();
        }
    }

    /** Like Jackson's StdDateFormat: a user class extending a JDK class whose fields are closed to reflection. */
    public static final class LenientFormat extends SimpleDateFormat {
        private final boolean strictTimeZone;

        public LenientFormat(String pattern, boolean strictTimeZone) {
            super(pattern);
            this.strictTimeZone = strictTimeZone;
        }

        @Override
        public String toString() {
            return toPattern() + " strictTimeZone=" + strictTimeZone + " lenient=" + isLenient();
        }
    }

    /**
     * @return every case, with each also inside a record
     */
    /**
     * Compares what the other side received and what came back with each case's original.
     *
     * @param cases    the cases, in order
     * @param received per case, its behaviour as the other side described it
     * @param back     per case, the value as it came back
     * @param where    names the other side in the messages, e.g. "the worker"
     * @return one message per value whose behaviour changed; empty if none did
     */
    public static List<String> mismatches(List<Case> cases, List<String> received, List<Object> back,
                                          String where) {
        List<String> mismatches = new java.util.ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            String expected = c.behaviourOf(c.make().get());
            if (!expected.equals(received.get(i))) {
                mismatches.add(c + " as " + where + " received it:\n  expected " + expected + "\n  but was  "
                        + received.get(i));
            }
            String returned = c.behaviourOf(back.get(i));
            if (!expected.equals(returned)) {
                mismatches.add(c + " as it came back:\n  expected " + expected + "\n  but was  " + returned);
            }
        }
        return mismatches;
    }

    /**
     * Makes a new value of each case, in order: what a test sends across.
     *
     * @param cases the cases
     * @return one value per case
     */
    public static List<Object> values(List<Case> cases) {
        List<Object> values = new ArrayList<>();
        for (Case c : cases) {
            values.add(c.make().get());
        }
        return values;
    }

    /**
     * Says per case whether only its contents must survive crossing (its class may change).
     *
     * @param cases the cases
     * @return one flag per case
     */
    public static List<Boolean> contentsOnly(List<Case> cases) {
        List<Boolean> flags = new ArrayList<>();
        for (Case c : cases) {
            flags.add(c.classMayChange());
        }
        return flags;
    }

    public static List<Case> cases() {
        List<Case> cases = new ArrayList<>(plainCases());
        for (Case c : plainCases()) {
            cases.add(new Case(c.name() + " inside a record", () -> new Holder("h", c.make().get()),
                    c.classMayChange()));
        }
        return cases;
    }

    private static List<Case> plainCases() {
        List<Case> cases = new ArrayList<>();
        // Sorted and concurrent collections, with every kind of comparator.
        add(cases, "TreeMap natural", () -> treeMap(null));
        add(cases, "TreeMap reverseOrder", () -> treeMap(Comparator.reverseOrder()));
        add(cases, "TreeMap CASE_INSENSITIVE_ORDER", () -> treeMap(String.CASE_INSENSITIVE_ORDER));
        add(cases, "TreeMap serialisable lambda", () -> treeMap(BY_LENGTH));
        // The JDK's own lambdas (Comparator.comparing, thenComparing) around the caller's serialisable ones.
        add(cases, "TreeMap Comparator.comparing", () -> treeMap(Comparator.comparing(LENGTH)
                .thenComparing(Comparator.reverseOrder())));
        add(cases, "TreeSet reverseOrder", () -> fill(new TreeSet<>(Comparator.reverseOrder())));
        add(cases, "TreeSet CASE_INSENSITIVE_ORDER", () -> fill(new TreeSet<>(String.CASE_INSENSITIVE_ORDER)));
        add(cases, "TreeSet reversed lambda", () -> fill(new TreeSet<>(Collections.reverseOrder(BY_LENGTH))));
        add(cases, "ConcurrentSkipListMap reverseOrder", () -> {
            ConcurrentSkipListMap<String, Integer> map = new ConcurrentSkipListMap<>(Comparator.reverseOrder());
            map.putAll(treeMap(null));
            return map;
        });
        add(cases, "ConcurrentSkipListSet reverseOrder", () -> fill(new ConcurrentSkipListSet<>(
                Comparator.reverseOrder())));
        add(cases, "ConcurrentSkipListSet CASE_INSENSITIVE_ORDER", () -> fill(new ConcurrentSkipListSet<>(
                String.CASE_INSENSITIVE_ORDER)));
        add(cases, "PriorityQueue max-heap", () -> fill(new PriorityQueue<>(Collections.reverseOrder())));
        add(cases, "PriorityQueue natural", () -> fill(new PriorityQueue<>()));
        add(cases, "PriorityBlockingQueue max-heap", () -> fill(new PriorityBlockingQueue<>(4,
                Comparator.reverseOrder())));
        // Ordered and plain collections.
        add(cases, "LinkedHashMap access-ordered", () -> {
            Map<String, Integer> map = new LinkedHashMap<>(16, 0.75f, true);
            map.putAll(treeMap(null));
            return map;
        });
        add(cases, "LinkedHashMap insertion-ordered", () -> new LinkedHashMap<>(treeMap(Comparator.reverseOrder())));
        add(cases, "HashMap", () -> new HashMap<>(treeMap(null)));
        add(cases, "HashSet", () -> fill(new HashSet<>()));
        add(cases, "ArrayList", () -> fill(new ArrayList<>()));
        add(cases, "LinkedList", () -> fill(new LinkedList<>()));
        add(cases, "ArrayDeque", () -> fill(new ArrayDeque<>()));
        // Immutable collections stay immutable.
        add(cases, "List.of", () -> List.of("b", "A", "c"));
        add(cases, "List.of()", List::of);
        add(cases, "Set.of", () -> Set.of("A"));
        add(cases, "Map.of", () -> Map.of("A", 1));
        add(cases, "Stream.toList with a null", () -> Stream.of("b", null, "c").toList());
        add(cases, "List.copyOf", () -> List.copyOf(fill(new ArrayList<>())));
        // The Collections wrappers.
        add(cases, "Collections.unmodifiableList", () -> Collections.unmodifiableList(fill(new ArrayList<>())));
        add(cases, "Collections.unmodifiableSortedMap reverse", () -> Collections.unmodifiableSortedMap(
                treeMap(Comparator.reverseOrder())));
        add(cases, "Collections.unmodifiableSet", () -> Collections.unmodifiableSet(fill(new TreeSet<>(
                String.CASE_INSENSITIVE_ORDER))));
        add(cases, "Collections.synchronizedList", () -> Collections.synchronizedList(fill(new ArrayList<>())));
        add(cases, "Collections.checkedList", () -> Collections.checkedList(fill(new ArrayList<>()),
                String.class));
        add(cases, "Collections.emptyList", Collections::emptyList);
        add(cases, "Collections.singletonList", () -> Collections.singletonList("A"));
        add(cases, "Collections.nCopies", () -> Collections.nCopies(3, "A"));
        add(cases, "Arrays.asList", () -> Arrays.asList("b", "A", "c"));
        // Views, which cross as their nearest equivalent.
        view(cases, "ArrayList.subList", () -> fill(new ArrayList<>()).subList(1, 3));
        view(cases, "List.of subList", () -> List.of("b", "A", "c").subList(1, 3));
        view(cases, "Map.entry", () -> Map.entry("A", 1));
        view(cases, "HashMap entry", () -> new HashMap<>(Map.of("A", 1)).entrySet().iterator().next());
        view(cases, "HashMap keySet", () -> new HashMap<>(treeMap(null)).keySet());
        view(cases, "HashMap values", () -> new HashMap<>(treeMap(null)).values());
        view(cases, "TreeMap reverse keySet", () -> treeMap(Comparator.reverseOrder()).keySet());
        view(cases, "TreeMap CASE_INSENSITIVE_ORDER navigableKeySet", () -> treeMap(String.CASE_INSENSITIVE_ORDER)
                .navigableKeySet());
        add(cases, "TreeMap descendingMap", () -> treeMap(null).descendingMap());
        add(cases, "TreeMap headMap", () -> treeMap(String.CASE_INSENSITIVE_ORDER).headMap("c"));
        // Enums, bits, numbers, time, identifiers, patterns, optionals, atomics.
        add(cases, "EnumMap", () -> new EnumMap<>(Map.of(Day.TUE, "t", Day.MON, "m")));
        add(cases, "EnumSet", () -> EnumSet.of(Day.WED, Day.MON));
        add(cases, "BitSet", () -> BitSet.valueOf(new long[]{0b1011}));
        add(cases, "BigDecimal scale 2", () -> new BigDecimal("1.50"));
        add(cases, "BigDecimal scale -3", () -> new BigDecimal("1E+3"));
        add(cases, "BigInteger", () -> BigInteger.TWO.pow(100));
        add(cases, "LocalDate", () -> LocalDate.of(2026, 12, 1));
        add(cases, "ZonedDateTime", () -> ZonedDateTime.of(2026, 12, 1, 9, 30, 0, 5, ZoneId.of("Europe/Paris")));
        add(cases, "Duration", () -> Duration.ofMillis(1500));
        add(cases, "Instant", () -> Instant.ofEpochSecond(1_700_000_000L, 42));
        add(cases, "UUID", () -> new UUID(42, 7));
        add(cases, "Locale with a script", () -> Locale.forLanguageTag("zh-Hant-TW"));
        add(cases, "Locale with an extension", () -> Locale.forLanguageTag("en-US-u-ca-japanese"));
        add(cases, "SimpleTimeZone", () -> new SimpleTimeZone(5_400_000, "Custom/OneAndAHalf"));
        add(cases, "Pattern CASE_INSENSITIVE", () -> Pattern.compile("abc", Pattern.CASE_INSENSITIVE));
        add(cases, "Optional.of", () -> Optional.of("A"));
        add(cases, "Optional.empty", Optional::empty);
        add(cases, "AtomicInteger", () -> new AtomicInteger(7));
        add(cases, "AtomicLong", () -> new AtomicLong(-7));
        add(cases, "AtomicReference", () -> new AtomicReference<>(treeMap(Comparator.reverseOrder())));
        // Exceptions with causes and suppressed ones.
        add(cases, "exception with cause and suppressed", () -> {
            IllegalStateException failure = new IllegalStateException("outer", new IOException("inner"));
            failure.addSuppressed(new ArithmeticException("also"));
            return failure;
        });
        // User classes holding any of these.
        add(cases, "user class holding sorted and access-ordered maps", () -> {
            Map<String, Integer> recent = new LinkedHashMap<>(16, 0.75f, true);
            recent.putAll(treeMap(null));
            return new Inventory(treeMap(String.CASE_INSENSITIVE_ORDER), recent);
        });
        add(cases, "Serializable singleton with readResolve", () -> Unit.INSTANCE);
        add(cases, "user subclass of HashMap with a field", () -> {
            Tally tally = new Tally("votes");
            tally.putAll(treeMap(null));
            return tally;
        });
        add(cases, "user subclass of SimpleDateFormat", () -> new LenientFormat("yyyy-MM-dd", true));
        return cases;
    }

    private static void add(List<Case> cases, String name, Supplier<Object> make) {
        cases.add(new Case(name, make, false));
    }

    private static void view(List<Case> cases, String name, Supplier<Object> make) {
        cases.add(new Case(name, make, true));
    }

    private static TreeMap<String, Integer> treeMap(Comparator<String> comparator) {
        TreeMap<String, Integer> map = new TreeMap<>(comparator);
        map.put("b", 2);
        map.put("A", 1);
        map.put("c", 3);
        map.put("dd", 4);
        return map;
    }

    private static <C extends java.util.Collection<String>> C fill(C collection) {
        collection.add("b");
        collection.add("A");
        collection.add("c");
        collection.add("dd");
        return collection;
    }
}
