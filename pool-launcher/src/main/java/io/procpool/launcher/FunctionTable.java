package io.procpool.launcher;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gives each distinct serialised function an id, so that a function used by many calls (a loop of
 * {@code applyAsync} with the same lambda) is sent to each worker once, not once per call. Two functions are the
 * same when their bytes are: the same class with the same captured values. Bounded; the oldest ids are forgotten,
 * which only costs sending a function again.
 */
final class FunctionTable {
    private static final int MAX_ENTRIES = 1024;

    private final Map<Key, Long> ids = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private long nextId = 1;

    synchronized long idOf(byte[] functionBytes) {
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
