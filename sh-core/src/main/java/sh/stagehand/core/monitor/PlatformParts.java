package sh.stagehand.core.monitor;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Whether the platform's own parts answer, each asked something cheap at once, in parallel, within
 * {@code monitor.probe-timeout}: the container runtime (its containers listed by a label no
 * container has), the database server (databases listed by a prefix none has), the metadata
 * store (its projects), the backup store (its objects under a key no backup has). The mail relay
 * is told as configured or not: it is tried by each mail it sends (production's Mails tab says how
 * each went). Thread-safe.
 */
public final class PlatformParts
        implements AutoCloseable
{
    private final RuntimeProvider runtime;
    private final DatabaseProvider databases;
    private final ProjectStore projects;
    private final BackupStore backups;
    private final String relay;
    private final Duration timeout;
    private final Clock clock;
    // A part still asked from an earlier check is not asked again: a hung part costs one thread.
    private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final ExecutorService checks = Executors.newFixedThreadPool(4, new ThreadFactoryBuilder().setNameFormat("stagehand-health-%d").setDaemon(true).build());

    /**
     * A part, and how it answered.
     *
     * @param healthy whether it answered in time without an error
     * @param detail what it said, or how long it took
     */
    public record Part(String name, boolean healthy, String detail)
    {
        public Part
        {
            requireNonNull(name, "name is null");
            requireNonNull(detail, "detail is null");
        }
    }

    /**
     * @param relay the mail relay's provider name ({@code none} without one)
     */
    public PlatformParts(RuntimeProvider runtime, DatabaseProvider databases, ProjectStore projects, BackupStore backups, String relay, Duration timeout, Clock clock)
    {
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.backups = requireNonNull(backups, "backups is null");
        this.relay = requireNonNull(relay, "relay is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @return each part, in a fixed order
     */
    public List<Part> check()
    {
        Map<String, CompletableFuture<String>> asked = new LinkedHashMap<>();
        asked.put("runtime", ask("runtime", () -> runtime.list(Map.of("sh.stagehand.health", "probe"))));
        asked.put("database", ask("database", () -> databases.list("stagehand-health-probe-")));
        asked.put("metadata", ask("metadata", projects::listProjects));
        asked.put("backups", ask("backups", () -> backups.list("health-probe/")));
        List<Part> parts = new ArrayList<>();
        asked.forEach((name, answer) -> parts.add(part(name, answer)));
        parts.add(new Part("mail relay", true, relay.equals("none") ? "none configured: production's mail waits in its queue" : relay + " (tried by each mail)"));
        return parts;
    }

    private CompletableFuture<String> ask(String part, Supplier<?> question)
    {
        return pending.compute(part, (name, earlier) -> earlier != null && !earlier.isDone() ? earlier : CompletableFuture.supplyAsync(() -> {
            Instant started = clock.instant();
            question.get();
            return "answered in " + Duration.between(started, clock.instant()).toMillis() + " ms";
        }, checks));
    }

    private Part part(String name, CompletableFuture<String> answer)
    {
        try {
            return new Part(name, true, answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        catch (TimeoutException e) {
            return new Part(name, false, "no answer within " + timeout.toSeconds() + " s");
        }
        catch (ExecutionException e) {
            return new Part(name, false, String.valueOf(e.getCause().getMessage()));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Part(name, false, "interrupted");
        }
    }

    @Override
    public void close()
    {
        checks.shutdownNow();
    }
}
