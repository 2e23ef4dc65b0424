package io.procpool.cluster;

import io.procpool.SerializationException;
import io.procpool.Task;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster refuses, naming the class, a function that members could not load: one that exists only in memory. */
class InMemoryFunctionsTest {
    /** A task as a script would define it. */
    public static final class Doubler implements Task<Integer, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer apply(Integer value) {
            return value * 2;
        }
    }

    @Test
    void shouldRefuseAFunctionWhoseClassWasDefinedFromBytesOfNoFile() throws Exception {
        Object function = new MemoryLoader().loadClass(Doubler.class.getName()).getConstructor().newInstance();
        SerializationException e = assertThrows(SerializationException.class,
                () -> InMemoryFunctions.refuse(function));
        assertTrue(e.getMessage().contains(Doubler.class.getName())
                && e.getMessage().contains("members' class path"), e.getMessage());
    }

    @Test
    void shouldLetAFunctionOfTheClassPathGo() {
        Task<Integer, Integer> lambda = value -> value + 1;
        assertDoesNotThrow(() -> InMemoryFunctions.refuse(new Doubler()));
        assertDoesNotThrow(() -> InMemoryFunctions.refuse(lambda));
    }

    /** Defines {@link Doubler} itself, as jshell's loader defines a snippet's class: with no code source. */
    private static final class MemoryLoader extends ClassLoader {
        MemoryLoader() {
            super("memory", InMemoryFunctionsTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(Doubler.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }
}
