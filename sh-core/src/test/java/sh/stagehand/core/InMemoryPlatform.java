package sh.stagehand.core;

import com.google.common.collect.Lists;
import com.google.inject.Module;
import com.google.inject.multibindings.OptionalBinder;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.core.store.ProjectStore;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A platform on sh-testkit's in-memory providers and {@link FakeOdoo}, with one project whose
 * repository a test commits to: what the production and staging tests share. The providers, the
 * records and the data directory outlive a platform, so a test can stop one dead and start
 * another on what it left, as a restarted host does.
 */
final class InMemoryPlatform
        implements AutoCloseable
{
    static final String REPOSITORY = "memory://acme/addons";
    static final String PROJECT = "acme";
    static final Duration BUILDS = Duration.ofSeconds(30);

    private final Path dataDirectory;
    private final InMemoryVcsProvider vcs = new InMemoryVcsProvider();
    private final InMemoryDatabaseProvider databases = new InMemoryDatabaseProvider(FakeOdoo::answer);
    private final InMemoryBackupStore backups = new InMemoryBackupStore(Clock.systemUTC());
    private final InMemoryPlatformStore store = new InMemoryPlatformStore();
    private final List<Stagehand> platforms = new ArrayList<>();

    InMemoryPlatform(Path dataDirectory)
    {
        this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory is null");
    }

    InMemoryDatabaseProvider databases()
    {
        return databases;
    }

    InMemoryBackupStore backups()
    {
        return backups;
    }

    /**
     * A host's engine: its images and containers outlive the platforms that use it.
     */
    InMemoryRuntimeProvider runtime()
    {
        return new InMemoryRuntimeProvider(dataDirectory.resolve("runtime"), Set.of("odoo:17.0"), new FakeOdoo(databases));
    }

    /**
     * A platform on {@code runtime}, closed with this fixture.
     */
    Stagehand platform(RuntimeProvider runtime)
    {
        return platform(runtime, Map.of());
    }

    /**
     * A platform on {@code runtime} with these properties besides the fixture's, closed with this
     * fixture.
     */
    Stagehand platform(RuntimeProvider runtime, Map<String, String> properties)
    {
        Stagehand platform = builder(runtime).withProperties(properties).build();
        platforms.add(platform);
        return platform;
    }

    /**
     * A platform on {@code runtime} whose project's production branch, main, serves: its first
     * build created production from acme_sale 1.0.
     */
    Stagehand platformWithProduction(RuntimeProvider runtime)
    {
        commit("main", "acme_sale", "1.0", Map.of());
        Stagehand platform = platform(runtime);
        platform.projects().createProject(PROJECT, REPOSITORY, Optional.empty(), Optional.of("main"));
        assertThat(awaitBuilds(platform, "main").state()).isEqualTo(BuildState.RUNNING);
        return platform;
    }

    /**
     * A platform that will be stopped dead ({@link DyingRuntime#die()}) and is closed by no one: the
     * engine and what runs on it stay, as they do when a platform's JVM is killed.
     */
    Stagehand platformThatDies(DyingRuntime runtime)
    {
        return platformThatDies(runtime, Map.of());
    }

    Stagehand platformThatDies(DyingRuntime runtime, Map<String, String> properties)
    {
        return builder(runtime).withProperties(properties).build();
    }

    private Stagehand.Builder builder(RuntimeProvider runtime)
    {
        Module sharedRecords = binder -> {
            OptionalBinder.newOptionalBinder(binder, ProjectStore.class).setBinding().toInstance(store);
            OptionalBinder.newOptionalBinder(binder, BuildStore.class).setBinding().toInstance(store);
            OptionalBinder.newOptionalBinder(binder, OutboundMailStore.class).setBinding().toInstance(store);
        };
        return Stagehand.builder()
                .withProperties(InMemoryProviders.properties())
                .withProperty("data.directory", dataDirectory.resolve("platform").toString())
                .withProperty("platform.start-timeout", "2s")
                .withPlugin(new InMemoryProviders(runtime, databases, vcs, backups))
                .withModule(sharedRecords);
    }

    /**
     * Adds an app to a branch's apps, as the Apps tab does.
     */
    void chooseApp(String branch, String app)
    {
        store.changeBranchApps(PROJECT, branch, List.of(app), List.of());
    }

    List<String> apps(String branch)
    {
        return store.findBranch(PROJECT, branch).orElseThrow().apps();
    }

    List<String> appsToRemove(String branch)
    {
        return store.findBranch(PROJECT, branch).orElseThrow().appsToRemove();
    }

    InMemoryPlatformStore store()
    {
        return store;
    }

    /**
     * Rebuilds a build, as its Rebuild button does.
     *
     * @return the branch's newest build, once every build ended
     */
    Build awaitRebuild(Stagehand platform, long buildId, String branch)
    {
        platform.projects().rebuild(buildId);
        return awaitBuilds(platform, branch);
    }

    /**
     * Commits a module at a version to a branch, with other files ({@code null} deletes one).
     */
    void commit(String branch, String module, String version, Map<String, String> files)
    {
        Map<String, String> changes = new TreeMap<>();
        changes.put(module + "/__init__.py", "");
        changes.put(module + "/__manifest__.py", "{'name': '" + module + "', 'version': '" + version + "', 'depends': ['base']}\n");
        changes.putAll(files);
        vcs.commit(REPOSITORY, branch, changes);
    }

    /**
     * The platform fetches the repository (as its poller would) and builds what moved.
     *
     * @return the branch's newest build, once every build ended
     */
    Build push(Stagehand platform, String branch)
    {
        platform.projects().poll(PROJECT);
        return awaitBuilds(platform, branch);
    }

    Build awaitBuilds(Stagehand platform, String branch)
    {
        assertThat(platform.builds().awaitIdle(BUILDS)).isTrue();
        return latest(platform, branch);
    }

    static Build latest(Stagehand platform, String branch)
    {
        return platform.builds().builds(PROJECT, branch).stream().max(Comparator.comparingLong(Build::id)).orElseThrow();
    }

    static String production()
    {
        return BuildNames.productionDatabaseName(PROJECT);
    }

    /**
     * @return the module's {@code latest_version} in the database, empty if it has none or there is no such database
     */
    String installedVersion(String database, String module)
    {
        if (!databases.exists(database)) {
            return "";
        }
        return databases.database(database).select("ir_module_module", row -> row.get("name").equals(module)).stream()
                .map(row -> String.valueOf(row.get("latest_version")))
                .findFirst()
                .orElse("");
    }

    /**
     * A database's filestore, each file by its path under it, with its content; empty if there is none.
     */
    Map<String, String> filestore(String database)
    {
        Map<String, String> files = new TreeMap<>();
        Optional<Path> root;
        try (Stream<Path> found = Files.find(dataDirectory.resolve("platform"), 10, (path, attributes) -> path.endsWith(Path.of("filestore", database)) && attributes.isDirectory())) {
            root = found.filter(path -> !path.toString().contains("snapshot")).findFirst();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root.isEmpty()) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(root.get())) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.get().relativize(file).toString(), Files.readString(file));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static void awaitUntil(BooleanSupplier condition)
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

    @Override
    public void close()
    {
        Lists.reverse(platforms).forEach(Stagehand::close);
    }
}
