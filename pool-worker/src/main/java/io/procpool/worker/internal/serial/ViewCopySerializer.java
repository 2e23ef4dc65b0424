package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JDK's views that are not {@code Serializable} ({@code list.subList(...)}, {@code map.keySet()},
 * {@code Map.entry(...)}, {@code List.of(...).subList(...)}) cross as their nearest faithful equivalent: a copy with
 * the same elements in the same order, the same comparator, and the same mutability where the view's class says it
 * (an immutable list's sub-list stays immutable). Threads share the view itself; a process can only have a copy,
 * which no longer writes through to the collection it came from.
 */
final class ViewCopySerializer extends Serializer<Object> {
    private static final String IMMUTABLE_COLLECTIONS = "java.util.ImmutableCollections$";
    private static final String IMMUTABLE_ENTRY = "java.util.KeyValueHolder";

    /** {@return whether objects of {@code type}, a JDK class that is not Serializable, have an equivalent here} */
    static boolean canCopy(Class<?> type) {
        return Map.Entry.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)
                || Map.class.isAssignableFrom(type);
    }

    @Override
    public void write(Kryo kryo, Output output, Object view) {
        kryo.writeClassAndObject(output, equivalent(view));
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        return kryo.readClassAndObject(input);
    }

    /** {@return a copy of {@code view} of a Serializable JDK class, with its order, comparator and mutability} */
    static Object equivalent(Object view) {
        String name = view.getClass().getName();
        if (view instanceof Map.Entry) {
            Map.Entry<?, ?> entry = (Map.Entry<?, ?>) view;
            return name.equals(IMMUTABLE_ENTRY) ? new AbstractMap.SimpleImmutableEntry<>(entry)
                    : new AbstractMap.SimpleEntry<>(entry);
        }
        if (view instanceof SortedMap) {
            SortedMap<Object, Object> copy = new TreeMap<>(castComparator(((SortedMap<?, ?>) view).comparator()));
            copy.putAll((SortedMap<?, ?>) view);
            return copy;
        }
        if (view instanceof Map) {
            return new LinkedHashMap<>((Map<?, ?>) view);
        }
        if (view instanceof SortedSet) {
            SortedSet<Object> copy = new TreeSet<>(castComparator(((SortedSet<?>) view).comparator()));
            copy.addAll((SortedSet<?>) view);
            return copy;
        }
        boolean immutable = name.startsWith(IMMUTABLE_COLLECTIONS);
        if (view instanceof List) {
            return immutable ? List.copyOf((List<?>) view) : new ArrayList<>((List<?>) view);
        }
        if (view instanceof Set) {
            return immutable ? Set.copyOf((Set<?>) view) : new LinkedHashSet<>((Set<?>) view);
        }
        return immutable ? List.copyOf((Collection<?>) view) : new ArrayList<>((Collection<?>) view);
    }

    @SuppressWarnings("unchecked")
    private static java.util.Comparator<Object> castComparator(java.util.Comparator<?> comparator) {
        return (java.util.Comparator<Object>) comparator;
    }
}
