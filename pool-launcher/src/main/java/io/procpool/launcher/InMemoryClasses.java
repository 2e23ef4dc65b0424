package io.procpool.launcher;

import io.procpool.SerializationException;
import io.procpool.worker.internal.protocol.ShippedClass;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the classes a function needs that exist only in this JVM's memory, the way cloudpickle sends a notebook's
 * classes by value: a class whose loader's classes are not on the workers' class path (the JDK source launcher's
 * memory loader, jshell's, a class a program defined itself), and every such class its class file names, followed
 * from class file to class file (records it builds, the snippets it imports, nest members). A lambda's own class
 * exists nowhere as a file: it is rebuilt in the worker through its capturing class, which is where the search
 * starts. The bytes come from the class's loader as a resource, which the source launcher's and jshell's loaders
 * serve.
 */
final class InMemoryClasses {
    /** More than a script defines; a search that finds more is following something it should not. */
    private static final int MAX_CLASSES = 2000;
    /** Class names inside descriptors and signatures: {@code Lpkg/Name;} or {@code Lpkg/Name<}. */
    private static final Pattern DESCRIBED = Pattern.compile("L([\\w$/]+)[;<]");

    private InMemoryClasses() {
    }

    /**
     * Returns the in-memory classes that crossing with {@code type} takes.
     *
     * @param type    the function's class
     * @param covered whether workers load a loader's classes from their class path
     * @return the classes to send, {@code type}'s (or its capturing class's) first; empty if {@code type}'s loader is
     * covered
     * @throws SerializationException naming the class whose bytes cannot be had, and why
     */
    static List<ShippedClass> needed(Class<?> type, Predicate<ClassLoader> covered) {
        // A lambda's class has its capturing class's loader and protection domain: judged as that class would be.
        if (!isInMemory(type, covered)) {
            return List.of();
        }
        Class<?> root = capturingClass(type);
        List<ShippedClass> found = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        Deque<Class<?>> pending = new ArrayDeque<>();
        seen.add(root.getName());
        pending.add(root);
        while (!pending.isEmpty()) {
            Class<?> next = pending.poll();
            byte[] bytes = bytesOf(next, type);
            found.add(ShippedClass.of(next.getName(), bytes));
            for (String name : namesIn(bytes, next.getName())) {
                if (seen.add(name)) {
                    Class<?> named = inMemory(name, next.getClassLoader(), covered);
                    if (named != null) {
                        if (found.size() + pending.size() >= MAX_CLASSES) {
                            throw new SerializationException("cannot send the function " + type.getName()
                                    + " to workers: it needs more than " + MAX_CLASSES + " classes that exist only "
                                    + "in this JVM's memory; put them on the class path");
                        }
                        pending.add(named);
                    }
                }
            }
        }
        return found;
    }

    /** A lambda's class is hidden; the class that made it is named before {@code $$Lambda}. */
    private static Class<?> capturingClass(Class<?> type) {
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda < 0 || !type.isSynthetic()) {
            return type;
        }
        try {
            return Class.forName(name.substring(0, lambda), false, type.getClassLoader());
        } catch (ClassNotFoundException e) {
            return type;
        }
    }

    /**
     * Whether workers cannot load a class from their class path: its loader's classes are not on it, or its loader
     * (on it) defined the class from bytes of no file (jshell's loader is a URLClassLoader of the session's class
     * path, and defines the snippets' classes with no code source).
     */
    static boolean isInMemory(Class<?> type, Predicate<ClassLoader> covered) {
        ClassLoader loader = type.getClassLoader();
        if (loader == null || loader == ClassLoader.getSystemClassLoader()
                || loader == ClassLoader.getPlatformClassLoader()) {
            return false;
        }
        if (!covered.test(loader)) {
            return true;
        }
        java.security.CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null;
    }

    /** {@return the class {@code name} if it is one of {@code loader}'s that workers cannot load, else null} */
    private static Class<?> inMemory(String name, ClassLoader loader, Predicate<ClassLoader> covered) {
        if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("io.procpool.")) {
            return null;
        }
        try {
            Class<?> named = Class.forName(name, false, loader);
            return named.isHidden() || !isInMemory(named, covered) ? null : named;
        } catch (ClassNotFoundException | LinkageError e) {
            return null; // not a class after all, or one that cannot load here either: nothing to send
        }
    }

    private static byte[] bytesOf(Class<?> type, Class<?> function) {
        ClassLoader loader = type.getClassLoader();
        String resource = type.getName().replace('.', '/') + ".class";
        String why;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in != null) {
                return in.readAllBytes();
            }
            why = "its loader " + describe(loader) + " does not serve its class file as a resource (" + resource
                    + ")";
        } catch (IOException e) {
            why = "reading its class file from its loader " + describe(loader) + " failed: " + e;
        }
        if (type.isHidden()) {
            why = "it is a hidden class, which exists only in this JVM";
        }
        throw new SerializationException("cannot send the function " + function.getName() + " to workers: it needs "
                + "the class " + type.getName() + ", which exists only in this JVM's memory and cannot be sent: "
                + why + "; put it on the workers' class path, or create the pool on a thread whose context class "
                + "loader is a URLClassLoader holding it");
    }

    static String describe(ClassLoader loader) {
        return loader.getName() == null ? loader.toString() : "'" + loader.getName() + "' (" + loader + ")";
    }

    /**
     * Reads the class names a class file mentions: its constant pool's classes, and the classes in its descriptors
     * and signatures (a record used only as a parameter's type).
     */
    static Set<String> namesIn(byte[] classFile, String className) {
        Set<String> names = new LinkedHashSet<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            in.readInt(); // magic
            in.readUnsignedShort(); // minor version
            in.readUnsignedShort(); // major version
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            List<Integer> classIndexes = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1: utf8[i] = in.readUTF(); break;
                    case 7: classIndexes.add(in.readUnsignedShort()); break;
                    case 8: case 16: case 19: case 20: in.skipBytes(2); break;
                    case 15: in.skipBytes(3); break;
                    case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: in.skipBytes(4); break;
                    case 5: case 6: in.skipBytes(8); i++; break;
                    default:
                        throw new IOException("constant pool tag " + tag);
                }
            }
            for (int index : classIndexes) {
                String name = utf8[index];
                if (name != null && !name.startsWith("[")) {
                    names.add(name.replace('/', '.'));
                }
            }
            for (String text : utf8) {
                if (text != null && (text.indexOf(';') > 0 || text.indexOf('<') > 0)) {
                    Matcher described = DESCRIBED.matcher(text);
                    while (described.find()) {
                        names.add(described.group(1).replace('/', '.'));
                    }
                }
            }
        } catch (IOException e) {
            throw new SerializationException("cannot read the class file of " + className + ", which exists only in "
                    + "this JVM's memory, to find the classes it needs: " + e, e);
        }
        names.remove(className);
        return names;
    }
}
