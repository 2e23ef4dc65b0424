package io.procpool.examples;

import io.procpool.launcher.SerializationReport;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * Which serialisation suits a class of yours: prints the {@link SerializationReport} of a sample value of it, each
 * serialisation's bytes, serialise and rebuild times, and whether the rebuilt value is faithful.
 *
 * <p>Usage: {@code report <fully.qualified.ClassName> [--class-path PATH]}, where PATH lists the directories and
 * jars that hold the class and what it uses, separated as the platform separates a class path. The sample value is
 * what the class's public static no-argument {@code sample()} method returns, if it has one (write one that returns
 * a typical value: sizes and times depend on what it holds), else a new instance from its public no-argument
 * constructor. A class with neither, or one that cannot be found, is reported with what to do, and exit status 2.
 */
public final class Report {
    private static final String USAGE = "usage: java -jar procpool-examples.jar report <fully.qualified.ClassName>"
            + " [--class-path DIRECTORIES_AND_JARS]";

    private Report() {
    }

    /**
     * Prints the report for the class the arguments name.
     *
     * @param args the class name, then optionally {@code --class-path PATH}
     */
    public static void main(String[] args) {
        String className = null;
        String classPath = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                case "--class-path", "-cp" -> {
                    if (i + 1 == args.length) {
                        fail("--class-path needs a path");
                    }
                    classPath = args[++i];
                }
                default -> {
                    if (args[i].startsWith("-") || className != null) {
                        fail("unknown argument: " + args[i]);
                    }
                    className = args[i];
                }
            }
        }
        if (className == null) {
            fail("name the class to report on");
        }
        ClassLoader loader = classPath == null ? Report.class.getClassLoader() : loader(classPath);
        // The serialisations read classes through the context class loader, as in a pool's worker.
        Thread.currentThread().setContextClassLoader(loader);
        Object sample = sample(load(className, classPath, loader));
        System.out.print(SerializationReport.of(sample));
    }

    private static ClassLoader loader(String classPath) {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            File file = new File(entry);
            if (!file.exists()) {
                fail("--class-path: no such file or directory: " + entry);
            }
            try {
                urls.add(file.toURI().toURL());
            } catch (MalformedURLException e) {
                fail("--class-path: cannot read " + entry + ": " + e.getMessage());
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), Report.class.getClassLoader());
    }

    private static Class<?> load(String className, String classPath, ClassLoader loader) {
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            fail("no class " + className + " on the class path" + (classPath == null
                    ? ": give the directories or jars that hold it with --class-path" : " " + classPath));
        } catch (LinkageError e) {
            fail("could not load " + className + ": " + e);
        }
        throw new AssertionError("not reached: fail exits");
    }

    /** {@return the class's sample(), or a new instance from its no-argument constructor} */
    private static Object sample(Class<?> type) {
        Method factory = null;
        try {
            factory = type.getMethod("sample");
        } catch (NoSuchMethodException e) {
            // none: the no-argument constructor, below
        }
        String made;
        Object sample;
        try {
            if (factory != null && Modifier.isStatic(factory.getModifiers())) {
                made = type.getName() + ".sample()";
                factory.trySetAccessible(); // a public method of a class that is not public itself
                sample = factory.invoke(null);
            } else {
                Constructor<?> constructor = noArgumentConstructor(type);
                made = "new " + type.getName() + "()";
                constructor.trySetAccessible();
                sample = constructor.newInstance();
            }
        } catch (InvocationTargetException e) {
            fail("the sample could not be made: " + e.getCause());
            return null;
        } catch (ReflectiveOperationException e) {
            fail("the sample could not be made: " + e);
            return null;
        }
        if (sample == null) {
            fail(made + " returned null: a report needs a typical value");
        }
        System.out.println("sample: " + made);
        return sample;
    }

    private static Constructor<?> noArgumentConstructor(Class<?> type) {
        if (!Modifier.isAbstract(type.getModifiers())) {
            try {
                return type.getConstructor();
            } catch (NoSuchMethodException e) {
                // falls through to the advice
            }
        }
        fail(type.getName() + " has neither a public static sample() method nor a public no-argument constructor:"
                + " add a method `public static " + type.getSimpleName() + " sample()` that returns a typical value");
        throw new AssertionError("not reached: fail exits");
    }

    private static void fail(String message) {
        System.err.println(message);
        System.err.println(USAGE);
        System.exit(2);
    }
}
