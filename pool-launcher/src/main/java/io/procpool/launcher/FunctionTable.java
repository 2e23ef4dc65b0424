package io.procpool.launcher;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.internal.PoolCounters;
import io.procpool.launcher.internal.core.ActiveCall;

import java.util.Arrays;
import java.util.LinkedHashMap;
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
 */
final class FunctionTable {
    private final java.util.concurrent.ConcurrentHashMap<Class<?>, ActiveFunction> stateless =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final String workerClasspath;
    private final io.procpool.Serialization serialization;
    /** The class loaders whose classes workers can load, checked once each. */
    private final java.util.Set<ClassLoader> coveredLoaders = java.util.concurrent.ConcurrentHashMap.newKeySet();

    FunctionTable(String workerClasspath, io.procpool.Serialization serialization) {
        this.workerClasspath = workerClasspath;
        this.serialization = serialization;
    }

    private record ActiveFunction(long id, byte[] bytes) {
    }

    ActiveCall activate(io.procpool.internal.Call call, PoolCounters counters) {
        Class<?> type = call.fn().getClass();
        ActiveFunction known = stateless.get(type);
        if (known != null) {
            return new ActiveCall(call, known.id(), known.bytes());
        }
        checkWorkersCanLoad(type);
        long start = System.nanoTime();
        byte[] bytes = io.procpool.worker.internal.serial.ValueSerializers.toBytes(serialization, call.fn(), "the function");
        counters.parentSerializeNanos.add(System.nanoTime() - start);
        long id = idOf(bytes);
        if (hasNoInstanceFields(type) && stateless.size() < MAX_ENTRIES) {
            stateless.put(type, new ActiveFunction(id, bytes));
        }
        return new ActiveCall(call, id, bytes);
    }

    /**
     * A task whose class comes from a loader the workers' classpath does not cover would fail in the worker with a
     * bare {@code ClassNotFoundException}: say here which loader, and what to do.
     */
    private void checkWorkersCanLoad(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        if (loader == null || coveredLoaders.contains(loader)) {
            return;
        }
        if (!Classpath.covers(workerClasspath, loader)) {
            throw new io.procpool.SerializationException("cannot send the function " + type.getName()
                    + " to workers: its class was loaded by " + describe(loader) + ", whose classes are not on the workers' "
                    + "classpath; create the pool on a thread whose context class loader is that loader (or a "
                    + "URLClassLoader child of it), so that procpool can give workers its classpath");
        }
        coveredLoaders.add(loader);
    }

    private static String describe(ClassLoader loader) {
        return loader.getName() == null ? loader.toString() : "'" + loader.getName() + "' (" + loader + ")";
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
