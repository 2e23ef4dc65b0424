package io.procpool.launcher;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The class loader a pool rebuilds results through: the loader of the thread that built the pool, and then the
 * loaders whose classes exist only in memory that its functions came from (a single-file source program's on
 * Java 17, whose context class loader is the application's; a jshell session's), so that a result of a class the
 * script defined comes back as an instance of that very class. The latest loader is asked first: a jshell session
 * has one, a program may have several.
 */
final class ResultClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final List<ClassLoader> inMemory = new CopyOnWriteArrayList<>();

    /** @param parent the loader of the thread that built the pool */
    ResultClassLoader(ClassLoader parent) {
        super("procpool-results", parent != null ? parent : ClassLoader.getSystemClassLoader());
    }

    /**
     * Adds a loader whose classes workers get by value, once.
     *
     * @param loader the loader of a function's class
     */
    synchronized void add(ClassLoader loader) {
        if (!inMemory.contains(loader)) {
            inMemory.add(0, loader);
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        for (ClassLoader loader : inMemory) {
            try {
                return Class.forName(name, false, loader);
            } catch (ClassNotFoundException e) {
                // the next one may have it
            }
        }
        throw new ClassNotFoundException(name);
    }
}
