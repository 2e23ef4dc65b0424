package io.procpool.cluster;

import io.procpool.launcher.ChildJvms;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A member JVM a test starts by hand, as a user would on another machine: {@code java -cp ... ClusterMember ...}
 * (or another main class), not through a pool. Its output is read until the ready line; closing it kills it.
 */
final class HandStartedMember implements AutoCloseable {
    private final Process process;
    private final int port;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final List<String> output = new ArrayList<>();

    private HandStartedMember(Process process, int port) {
        this.process = process;
        this.port = port;
        Thread reader = new Thread(this::read, "hand-started-member-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} with the test's classpath, or with it less the test classes. */
    static HandStartedMember start(String mainClass, boolean withTestClasses, String... arguments) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(ChildJvms.javaExecutable().toString());
        command.add("-cp");
        command.add(withTestClasses ? ChildJvms.classpath() : withoutTestClasses(ChildJvms.classpath()));
        command.addAll(ChildJvms.commonOptions());
        command.addAll(LocalMembers.HAZELCAST_FLAGS);
        command.add(mainClass);
        for (String argument : arguments) {
            command.add(argument.replace("{port}", Integer.toString(port)));
        }
        try {
            return new HandStartedMember(new ProcessBuilder(command).redirectErrorStream(true).start(), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutTestClasses(String classpath) {
        List<String> kept = new ArrayList<>();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (!entry.replace('\\', '/').matches(".*/test-classes/?")) {
                kept.add(entry);
            }
        }
        if (kept.size() == classpath.split(java.io.File.pathSeparator).length) {
            throw new IllegalStateException("the test classes are not on the classpath as a directory: " + classpath);
        }
        return String.join(java.io.File.pathSeparator, kept);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                if (line.startsWith(ClusterMember.READY)) {
                    ready.complete(line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        ready.completeExceptionally(new IllegalStateException("the member exited before it was ready: " + output()));
    }

    /** Waits for its ready line. */
    HandStartedMember awaitReady() throws Exception {
        ready.get(60, TimeUnit.SECONDS);
        return this;
    }

    /** {@return its ready line, once {@link #awaitReady()} has returned} */
    String readyLine() {
        return ready.getNow("");
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    List<String> output() {
        synchronized (output) {
            return new ArrayList<>(output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
