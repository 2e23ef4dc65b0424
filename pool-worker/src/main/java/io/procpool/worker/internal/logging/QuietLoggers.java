package io.procpool.worker.internal.logging;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Properties;

/**
 * Sets a library's loggers (Chronicle's {@value #CHRONICLE}, Hazelcast's {@code com.hazelcast}) to WARN under
 * whichever SLF4J provider the application has, so that a pool's JVMs do not print the library's start-up DEBUG and
 * INFO lines: Logback's default configuration logs DEBUG to the console, and JUL's and slf4j-simple's log INFO. A
 * configuration of the application's own that gives that logger (or one below it) a level keeps it: that is asking
 * for the library's lines.
 *
 * <p>The providers are reached by reflection (their classes are the application's, not procpool's), and each step
 * is best effort: a provider this class does not know, or an API that changed, leaves logging as it was.
 */
public final class QuietLoggers {
    /** The parent of every Chronicle logger. */
    public static final String CHRONICLE = "net.openhft";
    private static final String SIMPLE_PREFIX = "org.slf4j.simpleLogger.log.";

    /**
     * JUL holds its loggers weakly: a level set on a logger that nobody references is lost once it is collected,
     * before the library's loggers (its children) are made.
     */
    private static final java.util.List<java.util.logging.Logger> JUL_PARENTS =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private QuietLoggers() {
    }

    /**
     * Sets {@code name}'s level to WARN, once SLF4J has chosen its provider, unless the application's configuration
     * gives it one. Must run before the library's first class that logs initialises (Chronicle logs as its core
     * class loads).
     *
     * @param name the parent logger of the library, e.g. {@code net.openhft}
     */
    public static void warnOnly(String name) {
        Object factory;
        try {
            factory = org.slf4j.LoggerFactory.getILoggerFactory();
        } catch (LinkageError e) {
            return; // no usable SLF4J: Chronicle cannot log either
        }
        String provider = factory.getClass().getName();
        try {
            if (provider.equals("ch.qos.logback.classic.LoggerContext")) {
                logback(factory, name);
            } else if (provider.equals("org.apache.logging.slf4j.Log4jLoggerFactory")) {
                log4j2(factory.getClass().getClassLoader(), name);
            } else if (provider.endsWith(".JDK14LoggerFactory")) {
                jul(name);
            } else if (provider.endsWith(".SimpleLoggerFactory")) {
                simple(name);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Another version of the provider than the one this was written for: its own configuration rules.
        }
    }

    /** Logback: the level a logger was given, if any, is its own; only configured loggers have one. */
    private static void logback(Object context, String name) throws ReflectiveOperationException {
        Object logger = context.getClass().getMethod("getLogger", String.class).invoke(context, name);
        Class<?> loggerClass = logger.getClass();
        if (loggerClass.getMethod("getLevel").invoke(logger) == null) {
            Class<?> level = Class.forName("ch.qos.logback.classic.Level", true, loggerClass.getClassLoader());
            loggerClass.getMethod("setLevel", level).invoke(logger, level.getField("WARN").get(null));
        }
    }

    /**
     * Log4j 2 (through log4j-slf4j2-impl): only with log4j-core, whose configuration lists the loggers it names.
     * Its default configuration logs errors only, but an application's may log INFO from the root.
     */
    private static void log4j2(ClassLoader loader, String name) throws ReflectiveOperationException {
        Class<?> logManager = Class.forName("org.apache.logging.log4j.LogManager", true, loader);
        Object context = logManager.getMethod("getContext", boolean.class).invoke(null, false);
        if (!context.getClass().getName().equals("org.apache.logging.log4j.core.LoggerContext")) {
            return;
        }
        Object configuration = context.getClass().getMethod("getConfiguration").invoke(context);
        Map<?, ?> loggers = (Map<?, ?>) configuration.getClass().getMethod("getLoggers").invoke(configuration);
        if (!loggers.containsKey(name)) {
            Class<?> level = Class.forName("org.apache.logging.log4j.Level", true, loader);
            Class<?> configurator = Class.forName("org.apache.logging.log4j.core.config.Configurator", true,
                    loader);
            Method setLevel = configurator.getMethod("setLevel", String.class, level);
            setLevel.invoke(null, name, level.getField("WARN").get(null));
        }
    }

    /** JUL (slf4j-jdk14): a {@code <name>.level} in the logging configuration is the application's. */
    private static void jul(String name) {
        if (java.util.logging.LogManager.getLogManager().getProperty(name + ".level") == null) {
            java.util.logging.Logger parent = java.util.logging.Logger.getLogger(name);
            parent.setLevel(java.util.logging.Level.WARNING);
            JUL_PARENTS.add(parent);
        }
    }

    /**
     * slf4j-simple reads a logger's level as the logger is made, from a system property or else from
     * {@code simplelogger.properties}; the property wins, so it is set only where neither names the logger.
     */
    private static void simple(String name) {
        String property = SIMPLE_PREFIX + name;
        if (System.getProperty(property) != null || simpleLoggerFileNames(property)) {
            return;
        }
        System.setProperty(property, "warn");
    }

    private static boolean simpleLoggerFileNames(String property) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try (InputStream in = loader != null ? loader.getResourceAsStream("simplelogger.properties")
                : ClassLoader.getSystemResourceAsStream("simplelogger.properties")) {
            if (in == null) {
                return false;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty(property) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
