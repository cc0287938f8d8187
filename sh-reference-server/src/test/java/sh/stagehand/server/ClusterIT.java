package sh.stagehand.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;
import sh.stagehand.testkit.TestingSwarm;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.module;

/**
 * The platform on a real Docker Swarm of three engines ({@link TestingSwarm}: a drained manager, two
 * workers), its runtime {@code swarm}: production created on a worker and served through the
 * proxy at the node's address, a development build and a staging copy beside it, production's
 * backup restored, and a worker drained, then one lost: the builds it ran start on the other
 * worker from their data, the platform records where, the history says so, and the proxy reaches
 * them there.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();
    @RegisterExtension
    static final TestingSwarm swarm = new TestingSwarm(TestingEnvironment.get().require("docker.odoo-test-image"));

    private static final Duration BUILDS = Duration.ofMinutes(5);
    private static final String PROJECT = "clustered";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static TestingGitRepository repository;

    @BeforeAll
    static void startPlatformOnTheCluster()
    {
        Map<String, String> properties = TestingPlatform.properties("cluster-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        properties.put("runtime.type", "swarm");
        swarm.keys().forEach((key, value) -> {
            if (!key.equals("swarm.platform-address")) {
                properties.put(key, value);
            }
        });
        // The nodes reach the host's PostgreSQL and mail catcher at its address on the cluster's network.
        properties.put("postgres.container-host", swarm.platformAddress());
        properties.put("platform.smtp-host", swarm.platformAddress());
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        module(repository, "cluster_shop", "17.0.1.0.0", "'base'", "");
        repository.commit("A shop");
    }

    @AfterAll
    static void stopPlatform()
    {
        TestingPlatform.stop(server, stagehand, PROJECT, postgres, METADATA_DATABASE);
    }

    @Test
    @Order(1)
    void testProductionIsCreatedOnAWorkerAndServedThroughTheProxy()
            throws Exception
    {
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        Build production = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "main").get(0).id(), BUILDS);

        assertThat(production.state()).as(production.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(production.hostAddress()).hasValueSatisfying(address -> assertThat(address).startsWith(swarm.platformAddress().substring(0, swarm.platformAddress().lastIndexOf('.') + 1))
                .isNotEqualTo(swarm.platformAddress()));
        assertThat(postgres.queryForString(production.databaseName(), "SELECT state FROM ir_module_module WHERE name = 'cluster_shop'")).isEqualTo("installed");
        assertThat(get(production.hostname(), "/web/login")).isEqualTo(200);
    }

    @Test
    @Order(2)
    void testADevelopmentBuildAndAStagingCopyRunBesideIt()
            throws Exception
    {
        repository.createBranch("feature");
        repository.writeFile("FEATURE.md", "A feature\n");
        repository.commit("A feature");
        repository.switchTo("main").createBranch("staging");
        repository.writeFile("STAGING.md", "Staging\n");
        repository.commit("Staging");
        stagehand.projects().poll(PROJECT);
        assertThat(stagehand.builds().awaitIdle(BUILDS)).isTrue();
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "staging").movedTo(Stage.STAGING));
        stagehand.projects().rebuildBranch(PROJECT, "staging");
        assertThat(stagehand.builds().awaitIdle(BUILDS)).isTrue();

        Build feature = stagehand.builds().builds(PROJECT, "feature").get(0);
        Build staging = stagehand.builds().builds(PROJECT, "staging").get(0);
        assertThat(feature.state()).as(feature.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(staging.state()).as(staging.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(staging.stage()).isEqualTo(Stage.STAGING);
        assertThat(postgres.queryForString(staging.databaseName(), "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        assertThat(get(feature.hostname(), "/web/login")).isEqualTo(200);
        assertThat(get(staging.hostname(), "/web/login")).isEqualTo(200);
    }

    @Test
    @Order(3)
    void testProductionsBackupIsRestored()
            throws Exception
    {
        Backup backup = stagehand.productionBackups().create(PROJECT, BackupKind.MANUAL);
        postgres.execute(PROJECT + "-production", "UPDATE res_partner SET name = 'Changed after the backup' WHERE id = (SELECT min(id) FROM res_partner)");

        stagehand.productionRestores().restore(PROJECT, backup.id());

        assertThat(postgres.queryForString(PROJECT + "-production", "SELECT count(*) FROM res_partner WHERE name = 'Changed after the backup'")).isEqualTo("0");
        Build serving = stagehand.builds().builds(PROJECT, "main").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
        assertThat(get(serving.hostname(), "/web/login")).isEqualTo(200);
    }

    @Test
    @Order(4)
    void testABuildOfADrainedWorkerStartsOnTheOtherFromItsDataAndTheHistorySaysSo()
            throws Exception
    {
        Build feature = stagehand.builds().builds(PROJECT, "feature").get(0);
        String drained = feature.hostAddress().orElseThrow();
        swarm.drain(drained, true);
        try {
            Build moved = awaitMoved(feature, drained);

            assertThat(moved.hostAddress()).isPresent().get().isNotEqualTo(drained);
            assertThat(moved.containerId()).isEqualTo(feature.containerId());
            assertThat(stagehand.builds().history(PROJECT, Optional.empty(), 50)).anySatisfy(event -> {
                assertThat(event.kind()).isEqualTo(EventKind.BUILD_MOVED);
                assertThat(event.message()).contains("Build " + feature.id() + "'s server moved from " + drained + ":");
            });
            // Its server starts there: it answers once Odoo is up again.
            assertThat(awaitAnswer(moved.hostname(), "/web/login", Duration.ofSeconds(60))).isEqualTo(200);
        }
        finally {
            swarm.drain(drained, false);
        }
    }

    @Test
    @Order(5)
    void testProductionOfALostWorkerStartsAgainOnTheOtherFromItsData()
            throws Exception
    {
        // Where production runs now, settled: the drain before may have moved it too.
        Build serving = stagehand.builds().builds(PROJECT, "main").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
        Instant settle = Instant.now().plus(Duration.ofSeconds(60));
        while (stagehand.serverMoves().follow(stagehand.builds().build(serving.id())).isPresent() || get(serving.hostname(), "/web/login") != 200) {
            assertThat(Instant.now()).as("production settled").isBefore(settle);
            Thread.sleep(500);
        }
        Build production = stagehand.builds().build(serving.id());
        String lost = production.hostAddress().orElseThrow();
        String partners = postgres.queryForString(PROJECT + "-production", "SELECT count(*) FROM res_partner");
        Instant cut = Instant.now();
        swarm.cutOff(lost, true);
        try {
            // Swarm counts the node down after its heartbeats fail (about 20 s here), then starts the task elsewhere.
            Build moved = awaitMoved(production, lost);

            assertThat(moved.hostAddress()).isPresent().get().isNotEqualTo(lost);
            assertThat(awaitAnswer(moved.hostname(), "/web/login", Duration.ofSeconds(60))).isEqualTo(200);
            assertThat(postgres.queryForString(PROJECT + "-production", "SELECT count(*) FROM res_partner")).isEqualTo(partners);
            assertThat(stagehand.builds().history(PROJECT, Optional.empty(), 50)).anySatisfy(event -> {
                assertThat(event.kind()).isEqualTo(EventKind.BUILD_MOVED);
                assertThat(event.at()).isAfter(cut);
                assertThat(event.message()).contains("Build " + production.id() + "'s server moved from " + lost + ":");
            });
        }
        finally {
            swarm.cutOff(lost, false);
        }
    }

    private static Build awaitMoved(Build build, String from)
            throws InterruptedException
    {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            // As the housekeeping does every 15 s, and the proxy when a request finds no server.
            stagehand.serverMoves().followAll();
            Build now = stagehand.builds().build(build.id());
            if (now.hostAddress().filter(address -> !address.equals(from)).isPresent()) {
                return now;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Build " + build.id() + " did not move off " + from + ": " + stagehand.builds().build(build.id()));
    }


    private static int awaitAnswer(String hostname, String path, Duration timeout)
            throws Exception
    {
        Instant deadline = Instant.now().plus(timeout);
        int status = get(hostname, path);
        while (status != 200 && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            status = get(hostname, path);
        }
        return status;
    }

    private static int get(String hostname, String path)
            throws Exception
    {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).header("Host", hostname).timeout(Duration.ofSeconds(30)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
