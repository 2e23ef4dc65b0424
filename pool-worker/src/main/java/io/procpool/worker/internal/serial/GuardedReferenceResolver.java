package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import io.procpool.SerializationException;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Kryo's reference tracking, with one guard: an object written by {@link JavaShapeSerializer} must not be referred
 * to from its own leaves, since the reader rebuilds the leaves before the object exists and Kryo would hand them
 * {@code null} for it. Such a cycle fails, naming the class, rather than crossing silently changed.
 */
final class GuardedReferenceResolver extends MapReferenceResolver {
    /** The shapes whose leaves are being written, usually none: the check costs one emptiness test. */
    private final Map<Object, Boolean> openShapes = new IdentityHashMap<>();

    static GuardedReferenceResolver of(Kryo kryo) {
        return (GuardedReferenceResolver) kryo.getReferenceResolver();
    }

    void enterShape(Object shape) {
        openShapes.put(shape, Boolean.TRUE);
    }

    void exitShape(Object shape) {
        openShapes.remove(shape);
    }

    @Override
    public int getWrittenId(Object object) {
        int id = super.getWrittenId(object);
        if (id != -1 && !openShapes.isEmpty() && openShapes.containsKey(object)) {
            throw new SerializationException("cannot serialise " + object.getClass().getName() + ": an object it "
                    + "holds refers back to it, and procpool writes this class with Java serialisation, whose "
                    + "contents are rebuilt before the object itself; break the cycle, or hold the object in a "
                    + "class of your own");
        }
        return id;
    }

    @Override
    public void reset() {
        super.reset();
        openShapes.clear();
    }
}
