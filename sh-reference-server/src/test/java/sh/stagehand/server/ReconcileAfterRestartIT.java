package sh.stagehand.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.workspace.Labels;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.store.postgres.PostgresPlatformStore;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A platform that stopped mid-build (a crash, a deploy) finds, when it starts again, builds
 * recorded as building or running whose containers are gone or half-done. Nothing may stay
 * "building" forever and no container may be orphaned.
 */
class ReconcileAfterRestartIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private final String metadataDatabase = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private final String instance = "reconcile-" + UUID.randomUUID().toString().substring(0, 6);

    @TempDir
    Path temp;

    @AfterEach
    void dropMetadata()
    {
        postgres.execute("DROP DATABASE IF EXISTS \"" + metadataDatabase + "\" WITH (FORCE)");
    }

    @Test
    void testBuildsCutOffByARestartAreSettledAndOrphansRemoved()
            throws InterruptedException
    {
        TestingGitRepository repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        String commit = repository.writeFile("README.md", "x\n").commit("Initial");
        repository.createBranch("feature");
        String featureCommit = repository.writeFile("README.md", "feature\n").commit("On feature");
        repository.switchTo("main");

        // The platform that "crashed": it recorded builds and started containers, then vanished.
        Build building;
        Build running;
        Build gone;
        Build cutOffFeature;
        try (Stagehand crashed = platform()) {
            crashed.projects().createProject("recon", repository.url(), Optional.empty(), Optional.empty());
            // The builds of the new project's heads run out (this platform has no Odoo image: they fail).
            assertThat(crashed.builds().awaitIdle(Duration.ofMinutes(1))).isTrue();
            BuildStore store = new PostgresPlatformStore(PostgresConfig.fromMap(postgresConfig()), sh.stagehand.store.postgres.SecretBox.fromConfig(crashed.config()));
            building = store.createBuild("recon", "main", commit, Stage.DEVELOPMENT, "stagehand.test", "x", Instant.now());
            store.updateBuild(building.withState(BuildState.TESTING, "installing"));
            running = store.createBuild("recon", "main", commit, Stage.DEVELOPMENT, "stagehand.test", "x", Instant.now());
            gone = store.createBuild("recon", "main", commit, Stage.DEVELOPMENT, "stagehand.test", "x", Instant.now());
            cutOffFeature = store.createBuild("recon", "feature", featureCommit, Stage.DEVELOPMENT, "stagehand.test", "x", Instant.now());
            store.updateBuild(cutOffFeature.withState(BuildState.BUILDING, "preparing the image"));

            ContainerInfo installer = startSleeping(crashed, building, "install");
            ContainerInfo server = crashed.runtime().start(ContainerSpec.builder(instance + "-" + running.id() + "-server", docker.baseImage())
                    .withLabels(Map.of(Labels.PROJECT, running.projectId(), Labels.BRANCH, running.branch(), Labels.BUILD, Long.toString(running.id()), Labels.ROLE, "server"))
                    .withCommand("sh", "-c", "while true; do echo tick; sleep 0.5; done")
                    .build());
            store.updateBuild(running.withState(BuildState.RUNNING, "serving").withContainer(Optional.of(server.id()), Optional.of(8069)));
            store.updateBuild(gone.withState(BuildState.RUNNING, "serving").withContainer(Optional.of("long-gone-container"), Optional.of(8069)));
            startSleeping(crashed, building, "orphan-of-unknown-build", "999999999");
            assertThat(crashed.runtime().inspect(installer.id())).isPresent();
            ((AutoCloseable) store).close();
        }
        catch (Exception e) {
            throw new AssertionError(e);
        }

        try (Stagehand restarted = platform()) {
            restarted.builds().reconcile();

            // Cut off, and not the newest of its branch: failed, not built again.
            assertThat(restarted.builds().build(building.id()))
                    .satisfies(build -> assertThat(build.state()).isEqualTo(BuildState.FAILED))
                    .satisfies(build -> assertThat(build.message()).hasValueSatisfying(message -> assertThat(message).contains("restarted").contains("newer build")));
            // Cut off, the newest of its branch: its commit is built again, as a new build.
            assertThat(restarted.builds().build(cutOffFeature.id()).message()).hasValueSatisfying(message -> assertThat(message).contains("restarted").contains("built again"));
            assertThat(restarted.builds().build(cutOffFeature.id()).verdict()).contains(BuildVerdict.FAILED);
            assertThat(restarted.builds().builds("recon", "feature")).first()
                    .satisfies(build -> assertThat(build.id()).isGreaterThan(cutOffFeature.id()))
                    .satisfies(build -> assertThat(build.commitId()).isEqualTo(featureCommit));
            assertThat(restarted.builds().awaitIdle(Duration.ofMinutes(1))).isTrue();
            assertThat(restarted.builds().build(running.id()).state()).isEqualTo(BuildState.RUNNING);
            assertThat(restarted.builds().build(gone.id()).state()).isEqualTo(BuildState.STOPPED);
            assertThat(restarted.runtime().list(Map.of())).extracting(container -> container.labels().get(Labels.BUILD))
                    .containsExactly(Long.toString(running.id()));

            // The surviving server's output reaches its odoo.log again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (restarted.builds().log(running.id(), LogName.ODOO).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(restarted.builds().log(running.id(), LogName.ODOO)).contains("tick");

            // A second reconciliation finds nothing more to do (the rebuild failed: no Odoo image here).
            assertThat(restarted.builds().reconcile()).isEmpty();
            restarted.builds().discard(running.id());
            assertThat(restarted.runtime().list(Map.of())).isEmpty();
        }
    }

    private ContainerInfo startSleeping(Stagehand stagehand, Build build, String role)
    {
        return startSleeping(stagehand, build, role, Long.toString(build.id()));
    }

    private ContainerInfo startSleeping(Stagehand stagehand, Build build, String role, String buildLabel)
    {
        return stagehand.runtime().start(ContainerSpec.builder(instance + "-" + build.id() + "-" + role, docker.baseImage())
                .withLabels(Map.of(Labels.PROJECT, build.projectId(), Labels.BRANCH, build.branch(), Labels.BUILD, buildLabel, Labels.ROLE, role))
                .withCommand("sleep", "600")
                .build());
    }

    private Stagehand platform()
    {
        Map<String, String> properties = new HashMap<>(postgresConfig());
        properties.putAll(Map.of(
                "instance.name", instance,
                "data.directory", temp.resolve("data").toString(),
                "docker.host", docker.host().toString(),
                "docker.network", docker.network()));
        return Main.platform(properties).build();
    }

    private Map<String, String> postgresConfig()
    {
        return Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.container-host", postgres.containerHost(),
                "postgres.metadata-database", metadataDatabase);
    }
}
