package io.procpool.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.procpool.Pool;
import io.procpool.Task;
import io.procpool.ThreadPool;
import io.procpool.launcher.ProcessPool;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * The article's I/O-bound scenario: fetching URLs with blocking calls, sequentially, on a {@link ThreadPool} and on
 * a {@link ProcessPool}. The server is started here, on the loopback interface, and answers every request after a
 * fixed delay, so the example needs no network and its timings mean something.
 *
 * <p>A thread blocked on a socket costs no CPU, so threads overlap the waits as well as processes do, at a fraction
 * of the cost: in Java as in Python, threads are the tool for blocking I/O.
 *
 * <p>Usage: {@code [--workers N] [--quick]}.
 */
public final class IoBound {
    private static final String PROGRAM = "java -jar procpool-examples.jar io";
    private static final int DELAY_MILLIS = 100;
    private static final int RUNS = 3;

    private IoBound() {
    }

    /**
     * Starts the server, fetches the same URLs in each mode and prints the timings.
     */
    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args, PROGRAM);
        int workers = options.workers();
        int requests = options.quick() ? 8 : 16;
        List<String> paths = IntStream.range(0, requests).mapToObj(i -> "/item/" + i).toList();

        // The JDK's server writes headers and body separately; with Nagle's algorithm on, the client's delayed ACK
        // would add about 40 ms to every response and blur the 100 ms the example is about. Read once, at start.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        ExecutorService serverThreads = Executors.newCachedThreadPool();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", IoBound::answerLate);
        // The default executor serves one request at a time, which would serialise the waits this example overlaps.
        server.setExecutor(serverThreads);
        server.start();
        try {
            int port = server.getAddress().getPort();
            // A lambda that captures the port, an int: all that a worker needs to reach the server.
            Task<String, Integer> fetch = path -> get(port, path);

            System.out.printf("I/O-bound: %d GET requests to 127.0.0.1:%d, each answered after %d ms%n",
                    requests, port, DELAY_MILLIS);
            System.out.printf("wall time: median of %d runs after a warm-up; chunksize 1, one request per task;%n"
                    + "ideal = ceil(requests / pool size) x %d ms, the time if waiting were all there is%n%n",
                    RUNS, DELAY_MILLIS);
            System.out.printf("  %-18s %10s %10s%n", "mode", "wall ms", "ideal ms");

            List<List<Integer>> results = new ArrayList<>();
            // The ProcessPool starts first so that a JVM without the flags Chronicle needs fails at once.
            long startNanos = System.nanoTime();
            try (Pool processes = ProcessPool.create(workers)) {
                // A trivial first task, so that the start-up time leaves out the workers' first HTTP client.
                processes.apply((Integer x) -> x, 0);
                double startupMillis = Bench.millisSince(startNanos);

                get(port, paths.get(0)); // warms this JVM's client; a whole sequential warm-up run would add nothing
                Bench.Timed<List<Integer>> sequential = Bench.median(0, RUNS, () -> {
                    List<Integer> sizes = new ArrayList<>();
                    for (String path : paths) {
                        sizes.add(get(port, path));
                    }
                    return sizes;
                });
                printRow("sequential", sequential.millis(), requests, 1);
                results.add(sequential.value());
                try (Pool threads = ThreadPool.create(workers)) {
                    results.add(timePool("ThreadPool(" + workers + ")", threads, fetch, paths));
                }
                results.add(timePool("ProcessPool(" + workers + ")", processes, fetch, paths));
                System.out.printf("  %-18s %10.1f   (create -> first result, paid once)%n",
                        "ProcessPool start", startupMillis);
            }
            // Threads are cheap enough to have one per request; a JVM per request would not be.
            try (Pool manyThreads = ThreadPool.create(requests)) {
                results.add(timePool("ThreadPool(" + requests + ")", manyThreads, fetch, paths));
            }

            boolean same = results.stream().allMatch(results.get(0)::equals);
            System.out.printf("%n  responses: %s%n", same ? "identical in every mode" : "DIFFER: " + results);
            System.out.printf("  => The pools overlap the waits equally well at the same size; processes add only"
                    + " start-up and memory.%n     For blocking I/O use threads, and as many as there are"
                    + " requests in flight.%n");
            if (!same) {
                throw new IllegalStateException("the modes received different responses");
            }
        } finally {
            server.stop(0);
            serverThreads.shutdownNow();
        }
    }

    private static List<Integer> timePool(String mode, Pool pool, Task<String, Integer> fetch, List<String> paths) {
        // chunksize 1: a chunk runs its items one after another, so batching requests would serialise their waits.
        Bench.Timed<List<Integer>> timed = Bench.median(1, RUNS, () -> pool.map(fetch, paths, 1));
        printRow(mode, timed.millis(), paths.size(), pool.size());
        return timed.value();
    }

    private static void printRow(String mode, double millis, int requests, int concurrency) {
        double idealMillis = Math.ceil((double) requests / concurrency) * DELAY_MILLIS;
        System.out.printf("  %-18s %10.1f %10.0f%n", mode, millis, idealMillis);
    }

    /**
     * One blocking GET; returns the size of the body. Runs in this JVM or in a worker, wherever the pool puts it.
     */
    static int get(int port, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        try {
            HttpResponse<String> response = Client.INSTANCE.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + path + " answered " + response.statusCode());
            }
            return response.body().length();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + path, e);
        }
    }

    private static void answerLate(HttpExchange exchange) throws IOException {
        try {
            Thread.sleep(DELAY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = ("content of " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * One client per JVM, created on first use: each worker builds its own when its first task runs, and its
     * connections are reused by the tasks that follow.
     */
    private static final class Client {
        // HTTP/1.1 because the JDK's server does not speak HTTP/2; no proxy because the server is on loopback.
        static final HttpClient INSTANCE = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }
}
