package io.procpool.worker.internal.serial;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.regex.Pattern;

/**
 * Describes how a value behaves, as text that two values can be compared by: its class, what it holds in iteration
 * order, what its lookups and comparator answer, and whether it can be changed. Runs on either side of a process
 * boundary, so that "what a worker received" and "what came back" are compared with the original the same way: the
 * value fidelity tests compare the values of their catalogue so, and the launcher's serialisation report compares an
 * application's value with each serialisation's copy of it.
 *
 * <p>{@link #describe} and {@link #describeContents} probe by changing the value (an access-ordered map's order, a
 * queue drained, an element added and removed): describe a fresh copy. {@link #describeWithoutChanging} leaves the
 * value as it found it, and so does not try whether it can be changed.
 *
 * <p>An array is described by its elements (a primitive one by its first elements and a hash of all of their bits);
 * a value whose class does not write its own {@code toString} (a lambda, many an application's class) by its fields
 * where they can be read (not the transient ones: by their own declaration not part of the value, and often a
 * cache); anything else without a branch of its own by its {@code toString}. The description stops five levels
 * down.
 */
public final class Behaviour {
    private static final int PRIMITIVES_SHOWN = 8;

    /** Whether containers show their class and the probes that change a value run (add, put, set, remove). */
    private final boolean classes;
    private final boolean changes;
    /** Whether queues are drained and an access-ordered map left reordered, rather than read and put back. */
    private final boolean consumes;

    private Behaviour(boolean classes, boolean changes, boolean consumes) {
        this.classes = classes;
        this.changes = changes;
        this.consumes = consumes;
    }

    /**
     * Describes a value's whole behaviour, trying whether it can be changed: the value may be left changed.
     *
     * @param value anything
     * @return its behaviour, as text
     */
    public static String describe(Object value) {
        return new Behaviour(true, true, true).text(value);
    }

    /**
     * Describes what a value holds, for a view that crosses as its nearest equivalent, of another class. The value
     * may be left changed.
     *
     * @param value anything
     * @return what it holds, in order, with its comparator and lookups, but not its class nor whether it can be
     * changed
     */
    public static String describeContents(Object value) {
        return new Behaviour(false, false, true).text(value);
    }

    /**
     * Describes a value's class and contents, in order, with its comparator and lookups, and leaves it as it was: a
     * queue's order is read without taking anything out, and an access-ordered map's order is put back after the
     * lookup that probes it. Whether the value can be changed is not tried.
     *
     * @param value anything, such as an application's own value that must not be changed by looking at it
     * @return its behaviour, as text
     */
    public static String describeWithoutChanging(Object value) {
        return new Behaviour(true, false, false).text(value);
    }

    private String text(Object value) {
        StringBuilder out = new StringBuilder();
        describe(value, out, 0);
        return out.toString();
    }

    private void describe(Object value, StringBuilder out, int depth) {
        if (value == null) {
            out.append("null");
            return;
        }
        if (depth > 4) {
            out.append("...");
            return;
        }
        boolean container = value instanceof Map || value instanceof Collection || value instanceof Map.Entry;
        if (classes || !container) {
            // A view crosses as a copy of another class: in contents mode only its contents are compared.
            out.append(typeName(value.getClass()));
        }
        out.append('{');
        if (value instanceof Map) {
            map((Map<?, ?>) value, out, depth);
        } else if (value instanceof Collection) {
            collection((Collection<?>) value, out, depth);
        } else if (value instanceof Map.Entry) {
            entry((Map.Entry<?, ?>) value, out, depth);
        } else if (value instanceof Throwable) {
            throwable((Throwable) value, out, depth);
        } else if (value.getClass().isRecord()) {
            for (RecordComponent component : value.getClass().getRecordComponents()) {
                out.append(component.getName()).append('=');
                Method accessor = component.getAccessor();
                accessor.trySetAccessible(); // public, but maybe of a record that is not
                try {
                    describe(accessor.invoke(value), out, depth + 1);
                } catch (ReflectiveOperationException e) {
                    out.append("unreadable:").append(e);
                }
                out.append(' ');
            }
        } else if (value.getClass().isArray()) {
            array(value, out, depth);
        } else if (value instanceof Optional) {
            Optional<?> optional = (Optional<?>) value;
            out.append(optional.isPresent() ? "present " : "empty");
            optional.ifPresent(v -> describe(v, out, depth + 1));
        } else if (value instanceof BigDecimal) {
            BigDecimal decimal = (BigDecimal) value;
            out.append(decimal.toPlainString()).append(" scale=").append(decimal.scale()).append(" hash=")
                    .append(decimal.hashCode());
        } else if (value instanceof Pattern) {
            Pattern pattern = (Pattern) value;
            out.append(pattern.pattern()).append(" flags=").append(pattern.flags()).append(" matches(ABC)=")
                    .append(pattern.matcher("ABC").matches()).append(" matches(abc)=")
                    .append(pattern.matcher("abc").matches());
        } else if (value instanceof Calendar) {
            calendar((Calendar) value, out);
        } else if (value instanceof Double || value instanceof Float) {
            out.append(value).append(" bits=").append(bits(value));
        } else if (!writesItsOwnToString(value.getClass())) {
            fields(value, out, depth); // Object's toString shows the identity hash code, different in every copy
        } else {
            out.append(value).append(" hash=").append(valueHash(value));
        }
        out.append('}');
    }

    /** A lambda's class is made in each JVM, and again when one is rebuilt: it is named by the class that wrote it. */
    private static String typeName(Class<?> type) {
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        return lambda >= 0 ? name.substring(0, lambda + "$$Lambda".length()) : name;
    }

    private static boolean writesItsOwnToString(Class<?> type) {
        try {
            return type.getMethod("toString").getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** Hash codes of value types say something; identity hash codes differ in every JVM and say nothing. */
    private static String valueHash(Object value) {
        try {
            Class<?> declaring = value.getClass().getMethod("hashCode").getDeclaringClass();
            boolean ownsHashCode = declaring != Object.class && declaring != Enum.class;
            return ownsHashCode ? Integer.toString(value.hashCode()) : "identity";
        } catch (NoSuchMethodException e) {
            return "identity";
        }
    }

    /** What a calendar answers with: its toString also shows which of its fields it has computed so far. */
    private static void calendar(Calendar calendar, StringBuilder out) {
        out.append("time=").append(calendar.getTimeInMillis()).append(" zone=").append(calendar.getTimeZone().getID())
                .append(" firstDayOfWeek=").append(calendar.getFirstDayOfWeek()).append(" minimalDaysInFirstWeek=")
                .append(calendar.getMinimalDaysInFirstWeek()).append(" lenient=").append(calendar.isLenient());
    }

    /** The exact bits of a floating-point value: a NaN's payload, which its text and hash code leave out. */
    private static long bits(Object number) {
        return number instanceof Double ? Double.doubleToRawLongBits((Double) number)
                : Float.floatToRawIntBits((Float) number);
    }

    /**
     * The fields of a value's class and its superclasses up to the JDK's, but the transient ones; "unreadable" for
     * those of a module that does not open them to this one, such as the JDK's.
     */
    private void fields(Object value, StringBuilder out, int depth) {
        for (Class<?> c = value.getClass(); c != null && (c == value.getClass() || !FidelityPolicy.isJdk(c));
                c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || Modifier.isTransient(field.getModifiers())) {
                    continue; // transient: not part of the value by its own declaration, often a cache
                }
                out.append(field.getName()).append('=');
                if (field.trySetAccessible()) {
                    try {
                        describe(field.get(value), out, depth + 1);
                    } catch (IllegalAccessException e) {
                        out.append("unreadable");
                    }
                } else {
                    out.append("unreadable"); // a module that does not open it: the same on either side
                }
                out.append(' ');
            }
        }
    }

    private void array(Object array, StringBuilder out, int depth) {
        int length = Array.getLength(array);
        out.append("length=").append(length).append(" elements=[");
        if (array instanceof Object[]) {
            for (Object element : (Object[]) array) {
                describe(element, out, depth + 1);
                out.append(", ");
            }
            out.append(']');
            return;
        }
        long hash = 1;
        for (int i = 0; i < length; i++) {
            Object element = Array.get(array, i);
            long bits = element instanceof Double || element instanceof Float ? bits(element) : element.hashCode();
            hash = 31 * hash + bits;
            if (i < PRIMITIVES_SHOWN) {
                out.append(element).append(", ");
            }
        }
        out.append(length > PRIMITIVES_SHOWN ? "...]" : "]").append(" bitsHash=").append(hash);
    }

    @SuppressWarnings("unchecked")
    private void entry(Map.Entry<?, ?> entry, StringBuilder out, int depth) {
        describe(entry.getKey(), out, depth + 1);
        out.append('=');
        describe(entry.getValue(), out, depth + 1);
        out.append(" hash=").append(entry.hashCode());
        if (changes) {
            out.append(" setValue:").append(attempt(() -> ((Map.Entry<Object, Object>) entry).setValue(
                    entry.getValue())));
        }
    }

    @SuppressWarnings("unchecked")
    private void map(Map<?, ?> map, StringBuilder out, int depth) {
        out.append("size=").append(map.size()).append(" entries=");
        entries(map, out, depth);
        if (map instanceof SortedMap) {
            out.append(" comparator=").append(comparatorOf(((SortedMap<?, ?>) map).comparator()));
        }
        Object first = map.isEmpty() ? null : map.keySet().iterator().next();
        if (first != null) {
            out.append(" lookups=").append(lookups(first, map::containsKey));
            List<Object> order = consumes ? List.of() : new ArrayList<>(map.keySet());
            // An access-ordered map moves what was read to the end: read the first key, then look again.
            map.get(first);
            out.append(" afterGet=");
            entries(map, out, depth);
            for (Object key : order) {
                map.get(key); // reading every key in the original order puts an access order back as it was
            }
        }
        if (changes) {
            Map<Object, Object> writable = (Map<Object, Object>) map;
            Object key = first != null ? first : "k";
            out.append(" put:").append(attempt(() -> writable.put(key, writable.get(key))));
        }
    }

    private void entries(Map<?, ?> map, StringBuilder out, int depth) {
        out.append('[');
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            describe(entry.getKey(), out, depth + 1);
            out.append("->");
            describe(entry.getValue(), out, depth + 1);
            out.append(", ");
        }
        out.append(']');
    }

    @SuppressWarnings("unchecked")
    private void collection(Collection<?> collection, StringBuilder out, int depth) {
        out.append("size=").append(collection.size()).append(" elements=");
        elements(collection, out, depth);
        Comparator<?> comparator = null;
        boolean sorted = true;
        if (collection instanceof SortedSet) {
            comparator = ((SortedSet<?>) collection).comparator();
        } else if (collection instanceof PriorityQueue) {
            comparator = ((PriorityQueue<?>) collection).comparator();
        } else if (collection instanceof PriorityBlockingQueue) {
            comparator = ((PriorityBlockingQueue<?>) collection).comparator();
        } else {
            sorted = false;
        }
        if (sorted) {
            out.append(" comparator=").append(comparatorOf(comparator));
        }
        if (collection instanceof BlockingQueue) {
            out.append(" remainingCapacity=").append(((BlockingQueue<?>) collection).remainingCapacity());
        }
        if (collection instanceof Set && !collection.isEmpty()) {
            out.append(" lookups=").append(lookups(collection.iterator().next(), collection::contains));
        }
        if (collection instanceof List && !collection.isEmpty()) {
            List<Object> list = (List<Object>) collection;
            if (changes) {
                out.append(" set:").append(attempt(() -> list.set(0, list.get(0))));
            }
        }
        if (collection instanceof Queue) {
            Queue<Object> queue = (Queue<Object>) collection;
            if (consumes) {
                // Offering the head back tells a bounded or immutable queue from one that takes it.
                out.append(" offer:").append(attempt(() -> queue.offer(queue.peek())));
            }
            out.append(" pollOrder=");
            elements(consumes ? drain(queue) : pollOrder(queue, comparator, sorted), out, depth);
        } else if (changes) {
            Object first = collection.isEmpty() ? "x" : collection.iterator().next();
            out.append(" add:").append(attempt(() -> ((Collection<Object>) collection).add(first)));
            Iterator<?> it = collection.iterator();
            out.append(" remove:").append(attempt(() -> {
                if (it.hasNext()) {
                    it.next();
                    it.remove();
                }
                return null;
            }));
        }
    }

    private static List<Object> drain(Queue<Object> queue) {
        List<Object> drained = new ArrayList<>();
        for (Object next = queue.poll(); next != null; next = queue.poll()) {
            drained.add(next);
        }
        return drained;
    }

    /** The order a queue would be polled in, without polling it: a priority queue's comparator order, else its own. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Object> pollOrder(Collection<?> queue, Comparator comparator, boolean byComparator) {
        List<Object> order = new ArrayList<>(queue);
        if (byComparator) {
            try {
                order.sort(comparator); // null: natural order, as the queue's
            } catch (RuntimeException e) {
                return List.of(e.getClass().getSimpleName());
            }
        }
        return order;
    }

    private void elements(Collection<?> collection, StringBuilder out, int depth) {
        out.append('[');
        for (Object element : collection) {
            describe(element, out, depth + 1);
            out.append(", ");
        }
        out.append(']');
    }

    private void throwable(Throwable failure, StringBuilder out, int depth) {
        out.append("message=").append(failure.getMessage());
        // The top frame, not the depth: the same exception is made from stacks of different depths.
        StackTraceElement[] trace = failure.getStackTrace();
        if (trace.length > 0) {
            out.append(" top=").append(trace[0]);
        }
        out.append(" cause=");
        describe(failure.getCause() == failure ? null : failure.getCause(), out, depth + 1);
        out.append(" suppressed=[");
        for (Throwable suppressed : failure.getSuppressed()) {
            describe(suppressed, out, depth + 1);
        }
        out.append(']');
    }

    /** How a comparator orders a few probe values of the kinds the catalogue uses. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String comparatorOf(Comparator comparator) {
        if (comparator == null) {
            return "natural";
        }
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("a?B", attempt(() -> Integer.signum(comparator.compare("a", "B"))));
        answers.put("a?A", attempt(() -> Integer.signum(comparator.compare("a", "A"))));
        answers.put("1?2", attempt(() -> Integer.signum(comparator.compare(1, 2))));
        return answers.toString();
    }

    /** Looks up variants of a key: a case-insensitive set finds "a" where it holds "A". */
    private static String lookups(Object key, java.util.function.Predicate<Object> contains) {
        List<String> answers = new ArrayList<>();
        answers.add(attempt(() -> contains.test(key)));
        if (key instanceof String) {
            answers.add(attempt(() -> contains.test(((String) key).toLowerCase())));
            answers.add(attempt(() -> contains.test(((String) key).toUpperCase())));
        }
        return answers.toString();
    }

    private interface Attempt {
        Object run() throws Exception;
    }

    /** Runs one probe and says how it went, so that a refusal is part of the behaviour, not a test failure. */
    private static String attempt(Attempt attempt) {
        try {
            Object result = attempt.run();
            return result instanceof Boolean || result instanceof Integer ? result.toString() : "ok";
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }
}
