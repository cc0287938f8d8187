package sh.stagehand.testkit.memory;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerState;
import sh.stagehand.spi.runtime.ContainerStats;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.Mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

// One container of an InMemoryRuntimeProvider: its program's thread, output, ports and exit.
final class InMemoryContainer
        implements ContainerProgram.Process
{
    private static final int KILLED = 137;

    private record TimedLine(Instant at, LogLine line) {}

    private final String id;
    private final ContainerSpec spec;
    private final Path imageDirectory;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch exited = new CountDownLatch(1);
    private final List<TimedLine> lines = new ArrayList<>();
    private final List<LogListener> followers = new ArrayList<>();
    private final Map<Integer, HttpServer> servers = new ConcurrentHashMap<>();
    private final Map<Integer, HttpHandler> handlers = new ConcurrentHashMap<>();
    private volatile ContainerState state = ContainerState.CREATED;
    private volatile Optional<Integer> exitCode = Optional.empty();
    private Thread thread;

    InMemoryContainer(String id, ContainerSpec spec, Path imageDirectory)
    {
        this.id = requireNonNull(id, "id is null");
        this.spec = requireNonNull(spec, "spec is null");
        this.imageDirectory = requireNonNull(imageDirectory, "imageDirectory is null");
    }

    String id()
    {
        return id;
    }

    @Override
    public ContainerSpec spec()
    {
        return spec;
    }

    @Override
    public Path imageDirectory()
    {
        return imageDirectory;
    }

    @Override
    public Path hostPath(String containerPath)
    {
        for (Mount mount : spec.mounts()) {
            if (containerPath.equals(mount.target()) || containerPath.startsWith(mount.target() + "/")) {
                return mount.source().resolve(containerPath.substring(mount.target().length()).replaceFirst("^/", ""));
            }
        }
        throw new IllegalArgumentException("No mount of container " + spec.name() + " reaches " + containerPath + " (mounts: " + spec.mounts() + ")");
    }

    @Override
    public void println(String text)
    {
        print(new LogLine(LogLine.Stream.STDOUT, text));
    }

    @Override
    public void eprintln(String text)
    {
        print(new LogLine(LogLine.Stream.STDERR, text));
    }

    private void print(LogLine line)
    {
        List<LogListener> listeners;
        synchronized (this) {
            lines.add(new TimedLine(Instant.now(), line));
            listeners = List.copyOf(followers);
        }
        listeners.forEach(listener -> listener.onLine(line));
    }

    @Override
    public void serve(int containerPort, HttpHandler handler)
    {
        if (!servers.containsKey(containerPort)) {
            throw new IllegalArgumentException("Container " + spec.name() + " does not publish port " + containerPort);
        }
        handlers.put(containerPort, handler);
    }

    @Override
    public boolean awaitStop(Duration timeout)
            throws InterruptedException
    {
        return stopRequested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void start(ContainerProgram program)
    {
        // Published at once, as an engine does; until the program serves a port, a connection to it is closed unanswered.
        for (int port : spec.publishedPorts()) {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                server.createContext("/", exchange -> {
                    HttpHandler handler = handlers.get(port);
                    if (handler == null) {
                        exchange.close();
                        return;
                    }
                    handler.handle(exchange);
                });
                server.start();
                servers.put(port, server);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        state = ContainerState.RUNNING;
        thread = new Thread(() -> {
            int code;
            try {
                code = program.run(this);
            }
            catch (InterruptedException e) {
                code = KILLED;
            }
            catch (Exception | Error e) {
                println("Traceback (most recent call last): " + e);
                code = 1;
            }
            finish(code);
        }, "container-" + spec.name());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The CPU time of its program's thread, and as memory the bytes of the lines it printed: figures
     * that grow with what it does.
     */
    synchronized Optional<ContainerStats> stats(Instant now)
    {
        if (state != ContainerState.RUNNING || thread == null) {
            return Optional.empty();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.isThreadCpuTimeSupported() ? Math.max(0, threads.getThreadCpuTime(thread.getId())) : 0;
        long memory = (1 << 20) + lines.stream().mapToLong(line -> line.line().text().length()).sum();
        return Optional.of(new ContainerStats(now, cpu, memory, spec.memoryLimitBytes() > 0 ? spec.memoryLimitBytes() : Runtime.getRuntime().maxMemory()));
    }

    ContainerInfo info()
    {
        Map<Integer, Integer> published = new TreeMap<>();
        servers.forEach((port, server) -> published.put(port, server.getAddress().getPort()));
        return new ContainerInfo(id, spec.name(), spec.image(), state, spec.labels(), published, exitCode);
    }

    LogFollow follow(Instant since, LogListener listener)
    {
        synchronized (this) {
            lines.stream().filter(line -> !line.at().isBefore(since)).forEach(line -> listener.onLine(line.line()));
            followers.add(listener);
        }
        return new LogFollow()
        {
            @Override
            public boolean awaitCompletion(Duration timeout)
            {
                try {
                    return exited.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw StagehandException.interrupted("following container " + spec.name(), e);
                }
            }

            @Override
            public void close()
            {
                synchronized (InMemoryContainer.this) {
                    followers.remove(listener);
                }
            }
        };
    }

    int awaitExit(Duration timeout)
    {
        try {
            if (!exited.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StagehandException(StandardErrorCode.TIMEOUT, "Container " + spec.name() + " still runs after " + timeout);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted("waiting for container " + spec.name(), e);
        }
        return exitCode.orElseThrow();
    }

    void stop(Duration gracePeriod)
    {
        if (!state.isRunning()) {
            return;
        }
        stopRequested.countDown();
        try {
            if (!exited.await(gracePeriod.toMillis(), TimeUnit.MILLISECONDS)) {
                thread.interrupt();
                finish(KILLED);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted("stopping container " + spec.name(), e);
        }
    }

    private void finish(int code)
    {
        synchronized (this) {
            if (exited.getCount() == 0) {
                return;
            }
            exitCode = Optional.of(code);
            state = ContainerState.EXITED;
            followers.clear();
        }
        servers.values().forEach(server -> server.stop(0));
        exited.countDown();
    }
}
