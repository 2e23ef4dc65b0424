package io.procpool.worker.internal.serial;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
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
import java.util.concurrent.PriorityBlockingQueue;
import java.util.regex.Pattern;

/**
 * Describes how a value behaves, as text that two values can be compared by: its class, what it holds in iteration
 * order, what its lookups and comparator answer, and whether it can be changed. Runs on either side of a process
 * boundary, so that "what a worker received" and "what came back" are compared with the original the same way.
 * Probing may change the value (an access-ordered map's order, a queue drained): describe a fresh copy.
 */
public final class Behaviour {
    
    /**
     * @param value anything
     * @return its behaviour, as text
     */
    public static String describe(Object value) {
        StringBuilder out = new StringBuilder();
        new Behaviour(true).describe(value, out, 0);
        return out.toString();
    }

    /**
     * @param value anything
     * @return what it holds, in order, with its comparator and lookups, but not its class nor whether it can be
     * changed: for a view that crosses as its nearest equivalent, of another class
     */
    public static String describeContents(Object value) {
        StringBuilder out = new StringBuilder();
        new Behaviour(false).describe(value, out, 0);
        return out.toString();
    }

    private final boolean mutations;

    private Behaviour(boolean mutations) {
        this.mutations = mutations;
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
        if (mutations || !container) {
            // A view crosses as a copy of another class: in contents mode only its contents are compared.
            out.append(value.getClass().getName());
        }
        out.append('{');
        if (value instanceof Map) {
            map((Map<?, ?>) value, out, depth);
        } else if (value instanceof Collection) {
            collection((Collection<?>) value, out, depth);
        } else if (value instanceof Map.Entry) {
            Map.Entry<?, ?> entry = (Map.Entry<?, ?>) value;
            out.append(entry.getKey()).append('=').append(entry.getValue());
            out.append(" hash=").append(entry.hashCode());
            if (mutations) {
                out.append(" setValue:").append(attempt(() -> ((Map.Entry<Object, Object>) entry).setValue(
                        entry.getValue())));
            }
        } else if (value instanceof Throwable) {
            throwable((Throwable) value, out, depth);
        } else if (value.getClass().isRecord()) {
            for (RecordComponent component : value.getClass().getRecordComponents()) {
                out.append(component.getName()).append('=');
                try {
                    describe(component.getAccessor().invoke(value), out, depth + 1);
                } catch (ReflectiveOperationException e) {
                    out.append("unreadable:").append(e);
                }
                out.append(' ');
            }
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
        } else {
            out.append(value).append(" hash=").append(valueHash(value));
        }
        out.append('}');
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
            // An access-ordered map moves what was read to the end: read the first key, then look again.
            map.get(first);
            out.append(" afterGet=");
            entries(map, out, depth);
        }
        if (mutations) {
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
        if (collection instanceof SortedSet) {
            out.append(" comparator=").append(comparatorOf(((SortedSet<?>) collection).comparator()));
        }
        if (collection instanceof PriorityQueue) {
            out.append(" comparator=").append(comparatorOf(((PriorityQueue<?>) collection).comparator()));
        }
        if (collection instanceof PriorityBlockingQueue) {
            out.append(" comparator=").append(comparatorOf(((PriorityBlockingQueue<?>) collection).comparator()));
        }
        if (collection instanceof Set && !collection.isEmpty()) {
            out.append(" lookups=").append(lookups(collection.iterator().next(), collection::contains));
        }
        if (collection instanceof List && !collection.isEmpty()) {
            List<Object> list = (List<Object>) collection;
            if (mutations) {
                out.append(" set:").append(attempt(() -> list.set(0, list.get(0))));
            }
        }
        if (collection instanceof Queue) {
            Queue<?> queue = (Queue<?>) collection;
            List<Object> drained = new ArrayList<>();
            out.append(" offer:").append(attempt(() -> ((Queue<Object>) queue).offer(queue.peek())));
            for (Object next = queue.poll(); next != null; next = queue.poll()) {
                drained.add(next);
            }
            out.append(" pollOrder=").append(drained);
        } else if (mutations) {
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
    private static String comparatorOf(java.util.Comparator comparator) {
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
