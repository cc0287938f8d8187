package sh.stagehand.core;

import com.google.common.collect.Lists;
import com.google.inject.Module;
import com.google.inject.multibindings.OptionalBinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.testkit.memory.InMemoryBackupStore;
import sh.stagehand.testkit.memory.InMemoryDatabaseProvider;
import sh.stagehand.testkit.memory.InMemoryProviders;
import sh.stagehand.testkit.memory.InMemoryRuntimeProvider;
import sh.stagehand.testkit.memory.InMemoryVcsProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Production's safety, decided by the pipelines and proven here without Docker or PostgreSQL: the
 * platform runs on the in-memory providers of sh-testkit and {@link FakeOdoo}, so every rollback
 * decision and every state a platform stopped dead leaves is checked in milliseconds. A failed
 * update, a new server that does not answer, and a platform stopped in the middle of an update or
 * of production's creation each end with production's database and filestore exactly as they were,
 * served by the build that served them. (RealOdooIT checks the same lifecycles on real Odoo.)
 */
class ProductionSafetyTest
{
    private static final String REPOSITORY = "memory://acme/addons";
    private static final String PROJECT = "acme";
    private static final Duration BUILDS = Duration.ofSeconds(30);

    @TempDir
    Path dataDirectory;

    private final InMemoryVcsProvider vcs = new InMemoryVcsProvider();
    private final InMemoryDatabaseProvider databases = new InMemoryDatabaseProvider(FakeOdoo::answer);
    private final InMemoryBackupStore backups = new InMemoryBackupStore(Clock.systemUTC());
    private final InMemoryPlatformStore store = new InMemoryPlatformStore();
    private final List<Stagehand> platforms = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        commit("acme_sale", "1.0", Map.of());
    }

    @AfterEach
    void tearDown()
    {
        Lists.reverse(platforms).forEach(Stagehand::close);
    }

    @Test
    void testAnUpdateThatChangesAModuleIsBackedUpAndReplacesTheServingBuild()
    {
        Stagehand platform = platform(runtime());
        Build first = createProduction(platform);

        commit("acme_sale", "1.1", Map.of());
        Build second = push(platform);

        assertThat(second.state()).as(second.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(platform.builds().build(first.id()).state()).isEqualTo(BuildState.STOPPED);
        assertThat(installedVersion("acme_sale")).isEqualTo("17.0.1.1");
        assertThat(filestore()).containsKeys("acme_sale/17.0.1.0", "acme_sale/17.0.1.1");
        assertThat(backups.list("").stream().filter(object -> object.key().contains("update"))).isNotEmpty();
        assertThat(databases.list(BuildNames.snapshotDatabasePrefix(PROJECT))).isEmpty();
    }

    @Test
    void testAFailedUpdatePutsTheDatabaseAndFilestoreBackAndServesThePreviousBuild()
    {
        InMemoryRuntimeProvider runtime = runtime();
        Stagehand platform = platform(runtime);
        Build first = createProduction(platform);
        Production before = production();

        commit("acme_sale", "1.1", Map.of("acme_sale/FAIL_UPDATE", ""));
        Build failed = push(platform);

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElseThrow()).contains("Build " + first.id()).contains("serves production again, on the database as it was before the update");
        assertServedAsBefore(platform, runtime, first, before);
    }

    @Test
    void testANewServerThatDoesNotAnswerPutsProductionBack()
    {
        InMemoryRuntimeProvider runtime = runtime();
        Stagehand platform = platform(runtime);
        Build first = createProduction(platform);
        Production before = production();

        commit("acme_sale", "1.1", Map.of("acme_sale/UNHEALTHY", ""));
        Build failed = push(platform);

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElseThrow()).contains("did not answer /web/login").contains("serves production again");
        assertServedAsBefore(platform, runtime, first, before);
    }

    @Test
    void testARestartOnNewCodeWithoutModuleChangesTakesNoSnapshotAndFallsBackWhenTheServerDoesNotAnswer()
    {
        InMemoryRuntimeProvider runtime = runtime();
        Stagehand platform = platform(runtime);
        Build first = createProduction(platform);
        Production before = production();

        // Same version: nothing to update, only a restart on the new code, which does not answer.
        commit("acme_sale", "1.0", Map.of("acme_sale/UNHEALTHY", "", "acme_sale/models.py", "raise ImportError"));
        Build failed = push(platform);

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElseThrow()).contains("serves production again, on the database unchanged");
        assertThat(platform.builds().history(PROJECT, Optional.empty(), 50).stream().map(event -> event.message()))
                .noneMatch(message -> message.startsWith("Backup ") && message.contains("(update)"));
        assertServedAsBefore(platform, runtime, first, before);
    }

    @Test
    void testAPlatformStoppedDeadMidUpdatePutsProductionBackAtItsNextStart()
    {
        InMemoryRuntimeProvider host = runtime();
        DyingRuntime dying = new DyingRuntime(host);
        Stagehand dead = platformThatDies(dying);
        Build first = createProduction(dead);
        Production before = production();

        commit("acme_sale", "1.1", Map.of("acme_sale/HANG_UPDATE", ""));
        dead.projects().poll(PROJECT);
        // The update wrote its module's row and file, and hangs there: the platform is stopped dead.
        awaitUntil(() -> installedVersion("acme_sale").equals("17.0.1.1"));
        dying.die();
        Build interrupted = latest(dead);
        assertThat(interrupted.state()).isEqualTo(BuildState.UPDATING);

        Stagehand restarted = platform(host).start();

        assertThat(restarted.builds().build(interrupted.id()).state()).isEqualTo(BuildState.FAILED);
        assertThat(restarted.builds().build(interrupted.id()).message().orElseThrow()).contains("the database and filestore were put back as they were before its update");
        assertServedAsBefore(restarted, host, first, before);
    }

    @Test
    void testAPlatformStoppedDeadWhileCreatingProductionDiscardsItAndTheNextPushCreatesItAgain()
    {
        commit("acme_sale", "1.0", Map.of("acme_sale/HANG_UPDATE", ""));
        InMemoryRuntimeProvider host = runtime();
        DyingRuntime dying = new DyingRuntime(host);
        Stagehand dead = platformThatDies(dying);
        dead.projects().createProject(PROJECT, REPOSITORY, Optional.empty(), Optional.of("main"));
        awaitUntil(() -> databases.exists(database()) && !databases.database(database()).select("ir_module_module", row -> row.get("name").equals("acme_sale")).isEmpty());
        dying.die();
        Build interrupted = latest(dead);

        Stagehand restarted = platform(host).start();

        assertThat(restarted.builds().build(interrupted.id()).state()).isEqualTo(BuildState.FAILED);
        assertThat(databases.exists(database())).isFalse();
        assertThat(filestore()).isEmpty();

        Map<String, String> fixed = new HashMap<>();
        fixed.put("acme_sale/HANG_UPDATE", null);
        commit("acme_sale", "1.0", fixed);
        Build created = push(restarted);
        assertThat(created.state()).as(created.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(installedVersion("acme_sale")).isEqualTo("17.0.1.0");
    }

    private record Production(Map<String, List<Map<String, Object>>> tables, Map<String, String> filestore) {}

    private Production production()
    {
        return new Production(databases.database(database()).tables(), filestore());
    }

    private void assertServedAsBefore(Stagehand platform, InMemoryRuntimeProvider runtime, Build previous, Production before)
    {
        Build serving = platform.builds().build(previous.id());
        assertThat(serving.state()).isEqualTo(BuildState.RUNNING);
        assertThat(runtime.inspect(serving.containerId().orElseThrow())).hasValueSatisfying(container -> assertThat(container.state().isRunning()).isTrue());
        assertThat(databases.database(database()).tables()).isEqualTo(before.tables());
        assertThat(filestore()).isEqualTo(before.filestore());
        assertThat(databases.list(BuildNames.snapshotDatabasePrefix(PROJECT))).isEmpty();
    }

    private Build createProduction(Stagehand platform)
    {
        platform.projects().createProject(PROJECT, REPOSITORY, Optional.empty(), Optional.of("main"));
        Build first = awaitBuilds(platform);
        assertThat(first.state()).as(first.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(installedVersion("acme_sale")).isEqualTo("17.0.1.0");
        return first;
    }

    private Build push(Stagehand platform)
    {
        platform.projects().poll(PROJECT);
        return awaitBuilds(platform);
    }

    private Build awaitBuilds(Stagehand platform)
    {
        assertThat(platform.builds().awaitIdle(BUILDS)).isTrue();
        return latest(platform);
    }

    private static Build latest(Stagehand platform)
    {
        return platform.builds().builds(PROJECT, "main").stream().max(Comparator.comparingLong(Build::id)).orElseThrow();
    }

    private String installedVersion(String module)
    {
        if (!databases.exists(database())) {
            return "";
        }
        return databases.database(database()).select("ir_module_module", row -> row.get("name").equals(module)).stream()
                .map(row -> String.valueOf(row.get("latest_version")))
                .findFirst()
                .orElse("");
    }

    // Production's filestore, each file by its path under it, with its content.
    private Map<String, String> filestore()
    {
        Map<String, String> files = new TreeMap<>();
        Path root;
        try (Stream<Path> found = Files.find(dataDirectory, 8, (path, attributes) -> path.endsWith(Path.of("filestore", database())) && attributes.isDirectory())) {
            Optional<Path> first = found.filter(path -> !path.toString().contains("snapshot")).findFirst();
            if (first.isEmpty()) {
                return files;
            }
            root = first.get();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(), Files.readString(file));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static String database()
    {
        return BuildNames.productionDatabaseName(PROJECT);
    }

    private void commit(String module, String version, Map<String, String> files)
    {
        Map<String, String> changes = new TreeMap<>();
        changes.put(module + "/__init__.py", "");
        changes.put(module + "/__manifest__.py", "{'name': '" + module + "', 'version': '" + version + "', 'depends': ['base']}\n");
        changes.putAll(files);
        vcs.commit(REPOSITORY, "main", changes);
    }

    private InMemoryRuntimeProvider runtime()
    {
        return new InMemoryRuntimeProvider(dataDirectory.resolve("runtime"), Set.of("odoo:17.0"), new FakeOdoo(databases));
    }

    // Stopped dead (closed by no one): the engine and what runs on it stay, as they do when a platform's JVM is killed.
    private Stagehand platformThatDies(DyingRuntime runtime)
    {
        return Stagehand.builder()
                .withProperties(InMemoryProviders.properties())
                .withProperty("data.directory", dataDirectory.resolve("platform").toString())
                .withProperty("platform.start-timeout", "2s")
                .withPlugin(new InMemoryProviders(runtime, databases, vcs, backups))
                .withModule(sharedRecords())
                .build();
    }

    private Module sharedRecords()
    {
        return binder -> {
            OptionalBinder.newOptionalBinder(binder, ProjectStore.class).setBinding().toInstance(store);
            OptionalBinder.newOptionalBinder(binder, BuildStore.class).setBinding().toInstance(store);
            OptionalBinder.newOptionalBinder(binder, OutboundMailStore.class).setBinding().toInstance(store);
        };
    }

    private Stagehand platform(RuntimeProvider runtime)
    {
        Stagehand platform = Stagehand.builder()
                .withProperties(InMemoryProviders.properties())
                .withProperty("data.directory", dataDirectory.resolve("platform").toString())
                .withProperty("platform.start-timeout", "2s")
                .withPlugin(new InMemoryProviders(runtime, databases, vcs, backups))
                .withModule(sharedRecords())
                .build();
        platforms.add(platform);
        return platform;
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition)
    {
        Instant deadline = Instant.now().plus(BUILDS);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waited %s", BUILDS).isBefore(deadline);
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * The runtime as a platform's JVM reaches it until it dies: from {@link #die()} on, every call it
     * makes, and every wait it is in, parks for good, as if its process were gone; the engine
     * behind it and the containers on it go on.
     */
    private static final class DyingRuntime
            implements RuntimeProvider
    {
        private final RuntimeProvider engine;
        private volatile boolean dead;

        DyingRuntime(RuntimeProvider engine)
        {
            this.engine = engine;
        }

        void die()
        {
            dead = true;
        }

        private <T> T call(Supplier<T> call)
        {
            while (dead) {
                LockSupport.park(this);
            }
            return call.get();
        }

        @Override
        public PreparedImage prepareImage(ImageSpec spec, LogListener pipLog)
        {
            return call(() -> engine.prepareImage(spec, pipLog));
        }

        @Override
        public boolean removeImage(String tag)
        {
            return call(() -> engine.removeImage(tag));
        }

        @Override
        public ContainerInfo start(ContainerSpec spec)
        {
            return call(() -> engine.start(spec));
        }

        @Override
        public Optional<ContainerInfo> inspect(String containerId)
        {
            return call(() -> engine.inspect(containerId));
        }

        @Override
        public List<ContainerInfo> list(Map<String, String> labels)
        {
            return call(() -> engine.list(labels));
        }

        @Override
        public LogFollow followLogs(String containerId, LogListener listener)
        {
            return call(() -> engine.followLogs(containerId, line -> call(() -> {
                listener.onLine(line);
                return null;
            })));
        }

        @Override
        public LogFollow followLogs(String containerId, Instant since, LogListener listener)
        {
            return call(() -> engine.followLogs(containerId, since, listener));
        }

        @Override
        public int awaitExit(String containerId, Duration timeout)
        {
            Instant deadline = Instant.now().plus(timeout);
            while (true) {
                Duration left = Duration.between(Instant.now(), deadline);
                try {
                    return call(() -> engine.awaitExit(containerId, left.compareTo(Duration.ofMillis(50)) < 0 ? left : Duration.ofMillis(50)));
                }
                catch (StagehandException e) {
                    if (!e.errorCode().equals(StandardErrorCode.TIMEOUT.toErrorCode()) || left.compareTo(Duration.ofMillis(50)) < 0) {
                        throw e;
                    }
                }
            }
        }

        @Override
        public void stop(String containerId, Duration gracePeriod)
        {
            call(() -> {
                engine.stop(containerId, gracePeriod);
                return null;
            });
        }

        @Override
        public boolean remove(String containerId)
        {
            return call(() -> engine.remove(containerId));
        }

        @Override
        public void close()
        {
        }
    }
}
