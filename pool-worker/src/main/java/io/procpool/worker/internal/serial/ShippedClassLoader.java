package io.procpool.worker.internal.serial;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Defines, in a worker, the classes its parent sent by value (class files of classes that exist only in the parent's
 * memory), on first use; every other class
 * comes from its parent, the application's loader. One version of each class: a changed class needs a fresh loader.
 */
public final class ShippedClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> classes;

    /**
     * Makes a loader for {@code classes}, under {@code parent}.
     *
     * @param classes the class files by binary name; more may be added until a class of that name is first loaded
     * @param parent  where every other class comes from
     */
    public ShippedClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
        super("procpool-shipped-classes", parent);
        this.classes = new ConcurrentHashMap<>(classes);
    }

    /**
     * Adds a class this loader has not been given yet.
     *
     * @param name  the class's binary name
     * @param bytes its class file
     */
    public void add(String name, byte[] bytes) {
        classes.put(name, bytes);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }
}
