package io.procpool.launcher;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.internal.PoolCounters;
import io.procpool.launcher.internal.core.ActiveCall;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.protocol.ShippedClass;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serialises a call's function and gives each distinct function an id, so that a function used by many calls (a
 * loop of {@code applyAsync} with the same lambda) is sent to each worker once, not once per call. Two functions
 * are the same when their bytes are: the same class with the same captured values. Bounded; the oldest ids are
 * forgotten, which only costs sending a function again.
 *
 * <p>A lambda that captures nothing has no state, so its bytes never change: those are remembered by class and
 * not serialised again. A lambda with captured values is serialised at every call, since the caller may have
 * changed what it captured.
 *
 * <p>A function whose class exists only in this JVM's memory (a single-file source program's, a compact source
 * file's, a jshell snippet's) takes the in-memory classes it needs along ({@link InMemoryClasses}); those are found
 * again at every call, since jshell may have redefined one since.
 */
final class FunctionTable {
    private final java.util.concurrent.ConcurrentHashMap<Class<?>, ActiveFunction> stateless =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final String workerClasspath;
    private final io.procpool.Serialization serialization;
    private final ClassFilter classFilter;
    private final ResultClassLoader resultLoader;
    /** The class loaders whose classes workers can load, checked once each. */
    private final java.util.Set<ClassLoader> coveredLoaders = java.util.concurrent.ConcurrentHashMap.newKeySet();

    FunctionTable(PoolConfig config) {
        this.workerClasspath = config.workerClasspath();
        this.serialization = config.serialization();
        this.classFilter = config.classFilter();
        this.resultLoader = config.resultLoader();
    }

    private record ActiveFunction(long id, byte[] bytes) {
    }

    ActiveCall activate(io.procpool.internal.Call call, PoolCounters counters) {
        Class<?> type = call.fn().getClass();
        ActiveFunction known = stateless.get(type);
        if (known != null) {
            return new ActiveCall(call, known.id(), known.bytes());
        }
        long start = System.nanoTime();
        List<ShippedClass> classes = inMemoryClasses(type);
        byte[] bytes = io.procpool.worker.internal.serial.ValueSerializers.toBytes(serialization, call.fn(), "the function");
        counters.parentSerializeNanos.add(System.nanoTime() - start);
        long id = idOf(bytes);
        if (classes.isEmpty() && hasNoInstanceFields(type) && stateless.size() < MAX_ENTRIES) {
            stateless.put(type, new ActiveFunction(id, bytes));
        }
        return new ActiveCall(call, id, bytes, classes);
    }

    /**
     * A task whose class comes from a loader the workers' classpath does not cover would fail in the worker with a
     * bare {@code ClassNotFoundException}: its in-memory classes go with it, and its results are rebuilt through
     * its loader. Where that cannot be, the error says which class and why.
     */
    private List<ShippedClass> inMemoryClasses(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        if (loader == null) {
            return List.of();
        }
        List<ShippedClass> classes = InMemoryClasses.needed(type, this::covered);
        if (classes.isEmpty()) {
            return classes;
        }
        if (classFilter != ClassFilter.ALLOW_ALL) {
            for (ShippedClass shipped : classes) {
                checkAllowed(shipped.name(), loader);
            }
        }
        resultLoader.add(loader);
        return classes;
    }

    private boolean covered(ClassLoader loader) {
        if (coveredLoaders.contains(loader)) {
            return true;
        }
        if (Classpath.covers(workerClasspath, loader)) {
            coveredLoaders.add(loader);
            return true;
        }
        return false;
    }

    /** A class the allow-list would refuse in the worker is refused here, where the fix is plain. */
    private void checkAllowed(String name, ClassLoader loader) {
        try {
            if (!classFilter.allows(Class.forName(name, false, loader))) {
                throw new io.procpool.SerializationException("cannot send the class " + name + " to workers: it "
                        + "exists only in this JVM's memory and would cross by value, but the pool's allow-list does "
                        + "not allow it; add it with the pool builder's allowClasses(...)");
            }
        } catch (ClassNotFoundException e) {
            throw new io.procpool.SerializationException("cannot send the class " + name + " to workers: " + e, e);
        }
    }

    private static final int MAX_ENTRIES = 1024;
    private static final int MAX_REMEMBERED_BYTES = 16 * 1024;

    @GuardedBy("this")
    private final Map<Key, Long> ids = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    @GuardedBy("this")
    private long nextId = 1;

    private static boolean hasNoInstanceFields(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Field field : c.getDeclaredFields()) {
                if (!java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                    return false;
                }
            }
        }
        return true;
    }

    synchronized long idOf(byte[] functionBytes) {
        if (functionBytes.length > MAX_REMEMBERED_BYTES) {
            // A function that captured a lot is not kept to be recognised: that would hold its bytes for ever.
            return nextId++;
        }
        return ids.computeIfAbsent(new Key(functionBytes), key -> nextId++);
    }

    private static final class Key {
        private final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key && Arrays.equals(bytes, ((Key) other).bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
