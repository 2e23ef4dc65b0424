package io.procpool.worker.internal.runtime;

import io.procpool.Serialization;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.protocol.ShippedClass;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;
import io.procpool.worker.internal.transport.QueueSizes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker's classes sent by value: new names join its loader, a changed class makes a fresh one. */
class ShippedClassesTest {
    @TempDir
    Path temp;

    @Test
    void shouldKeepOneLoaderForNewNamesAndMakeAFreshOneWhenAClassChanges() throws Exception {
        ShippedClass first = compile("v1", "script.Answer", "package script; public class Answer implements "
                + "java.util.function.Supplier<Object> { public Object get() { return 1; } }");
        ShippedClass other = compile("other", "script.Other", "package script; public class Other {}");
        ShippedClass changed = compile("v2", "script.Answer", "package script; public class Answer implements "
                + "java.util.function.Supplier<Object> { public Object get() { return 2; } }");
        List<ClassLoader> serializersMadeFor = new ArrayList<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        try {
            ShippedClasses classes = new ShippedClasses(serializer(null), loader -> {
                serializersMadeFor.add(loader);
                return serializer(loader);
            });

            assertTrue(classes.receive(List.of(first)), "the first classes come in a loader of their own");
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            assertEquals(1, answer(loader));
            assertFalse(classes.receive(List.of(other)), "a new name joins the same loader");
            assertSame(loader, Thread.currentThread().getContextClassLoader());
            assertEquals("script.Other", loader.loadClass("script.Other").getName());
            assertFalse(classes.receive(List.of(first)), "the same class again changes nothing");

            assertTrue(classes.receive(List.of(changed)), "a changed class comes in a fresh loader");
            ClassLoader fresh = Thread.currentThread().getContextClassLoader();
            assertNotSame(loader, fresh);
            assertEquals(2, answer(fresh));
            assertEquals("script.Other", fresh.loadClass("script.Other").getName(), "with what was sent before");
            assertEquals(List.of(loader, fresh), serializersMadeFor, "a serializer reading through each loader");
        } finally {
            Thread.currentThread().setContextClassLoader(context);
        }
    }

    private static Object answer(ClassLoader loader) throws Exception {
        return ((Supplier<?>) loader.loadClass("script.Answer").getConstructor().newInstance()).get();
    }

    private static ValueSerializer serializer(ClassLoader loader) {
        return ValueSerializers.create(Serialization.KRYO, ClassFilter.ALLOW_ALL, null, QueueSizes.DEFAULT, loader);
    }

    private ShippedClass compile(String version, String name, String source) throws Exception {
        Path dir = Files.createDirectories(temp.resolve(version));
        Path file = Files.writeString(dir.resolve(name.substring(name.lastIndexOf('.') + 1) + ".java"), source);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(),
                file.toString()), "the class should compile");
        return ShippedClass.of(name, Files.readAllBytes(dir.resolve(name.replace('.', '/') + ".class")));
    }
}
