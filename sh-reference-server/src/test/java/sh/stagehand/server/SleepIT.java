package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.workspace.Labels;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.module;

/**
 * Idle builds sleep and wake on real builds (Docker, PostgreSQL, the Odoo test server) through
 * the platform's proxy: a development build without a request falls asleep by itself (no
 * container, its database kept) while production stays up; its first request wakes it and is
 * answered; a storm of requests starts it once; a slow wake gives a browser a page that reloads and
 * an API client a 503 with Retry-After; a build that cannot wake says why. (SleepTest decides the
 * same without Docker; the wake's time is measured by {@code bin/bench wake}.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SleepIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final Duration BUILDS = Duration.ofMinutes(5);
    private static final String PROJECT = "sleepy";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String admin;
    private static Build production;
    private static Build feature;
    private static Build slow;

    @BeforeAll
    static void startPlatformWithBuilds()
            throws Exception
    {
        Map<String, String> properties = TestingPlatform.properties("sleep-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        properties.put("sleep.idle-after", "8s");
        properties.put("sleep.check-interval", "1s");
        properties.put("sleep.wake-wait", "15s");
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        admin = TestingAccounts.adminToken(stagehand);

        TestingGitRepository repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        module(repository, "sleepy_shop", "17.0.1.0.0", "'base'", "");
        repository.commit("A shop");
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        production = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "main").get(0).id(), BUILDS);
        assertThat(production.state()).as(String.valueOf(production)).isEqualTo(BuildState.RUNNING);

        repository.createBranch("feature");
        repository.writeFile("FEATURE.md", "A feature\n");
        repository.commit("A feature");
        // A server that takes 20 s to start (not its install): longer than sleep.wake-wait.
        repository.switchTo("main").createBranch("slow");
        module(repository, "slow_start", "17.0.1.0.0", "'base'", """
                import sys
                import time
                if '--stop-after-init' not in sys.argv:
                    time.sleep(20)
                """);
        repository.commit("A server slow to start");
        stagehand.projects().poll(PROJECT);
        assertThat(stagehand.builds().awaitIdle(BUILDS)).isTrue();
        feature = stagehand.builds().builds(PROJECT, "feature").get(0);
        slow = stagehand.builds().builds(PROJECT, "slow").get(0);
        assertThat(feature.state()).as(feature.message().orElse("")).isIn(BuildState.RUNNING, BuildState.SLEEPING);
        assertThat(slow.state()).as(slow.message().orElse("")).isIn(BuildState.RUNNING, BuildState.SLEEPING);
    }

    @AfterAll
    static void stopPlatform()
    {
        TestingPlatform.stop(server, stagehand, PROJECT, postgres, METADATA_DATABASE);
    }

    @Test
    @Order(1)
    void testAnIdleDevelopmentBuildFallsAsleepByItselfKeepingItsDatabase()
            throws Exception
    {
        Build asleep = awaitState(feature, BuildState.SLEEPING, Duration.ofSeconds(60));

        assertThat(asleep.message().orElseThrow()).isEqualTo("asleep: no request for 8 s");
        assertThat(asleep.containerId()).isEmpty();
        assertThat(containers(feature)).as("no container, so no container memory").isEmpty();
        assertThat(postgres.queryForString(feature.databaseName(), "SELECT state FROM ir_module_module WHERE name = 'sleepy_shop'")).isEqualTo("installed");
        // Production, as idle, never sleeps.
        assertThat(stagehand.builds().build(production.id()).state()).isEqualTo(BuildState.RUNNING);
        assertThat(post("/api/builds/" + production.id() + "/sleep", 409).path("message").asText()).isEqualTo("Production never sleeps");
        JsonNode overview = get("/api/projects/" + PROJECT + "/overview");
        assertThat(overview.toString()).contains("\"state\":\"SLEEPING\"");
    }

    @Test
    @Order(2)
    void testTheFirstRequestWakesTheBuildAndIsAnswered()
            throws Exception
    {
        assertThat(stagehand.builds().build(feature.id()).state()).isEqualTo(BuildState.SLEEPING);

        HttpResponse<String> answer = HTTP.send(through(feature, "/web/login").header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("<form");
        Build woken = stagehand.builds().build(feature.id());
        assertThat(woken.state()).isEqualTo(BuildState.RUNNING);
        assertThat(woken.message().orElseThrow()).isEqualTo("woken by a request");
        assertThat(containers(feature)).hasSize(1);
    }

    @Test
    @Order(3)
    void testAStormOfRequestsAtASleepingBuildStartsItOnce()
            throws Exception
    {
        asleep(feature);
        assertThat(containers(feature)).isEmpty();

        List<CompletableFuture<HttpResponse<String>>> storm = IntStream.range(0, 20)
                .mapToObj(request -> HTTP.sendAsync(through(feature, "/web/health").build(), HttpResponse.BodyHandlers.ofString()))
                .toList();

        assertThat(storm.stream().map(CompletableFuture::join).map(HttpResponse::statusCode)).containsOnly(200);
        assertThat(containers(feature)).as("one server started").hasSize(1);
        assertThat(stagehand.builds().build(feature.id()).state()).isEqualTo(BuildState.RUNNING);
    }

    @Test
    @Order(4)
    void testASlowWakeGivesABrowserAPageThatReloadsAndAnApiClientA503WithRetryAfter()
            throws Exception
    {
        asleep(slow);

        // Both at once: its server takes 20 s to load, longer than sleep.wake-wait (15 s).
        CompletableFuture<HttpResponse<String>> fromBrowser = HTTP.sendAsync(through(slow, "/web/login").header("Accept", "text/html,application/xhtml+xml").build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> fromApi = HTTP.sendAsync(through(slow, "/web/webclient/version_info").header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> browser = fromBrowser.join();
        HttpResponse<String> api = fromApi.join();

        assertThat(browser.statusCode()).isEqualTo(503);
        assertThat(browser.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(browser.body()).contains("Waking up", "<meta http-equiv=\"refresh\" content=\"2\">", "was asleep, and is starting");
        assertThat(api.statusCode()).isEqualTo(503);
        assertThat(api.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(api.body()).isEqualTo("Build " + slow.id() + " is waking up: try again in a moment (Retry-After).\n");
        // Reloading, the browser gets the build once it answers.
        assertThat(awaitAnswer(slow, "/web/login", Duration.ofSeconds(90))).isEqualTo(200);
        assertThat(containers(slow)).hasSize(1);
    }

    @Test
    @Order(5)
    void testABuildThatCannotWakeAnswersWhy()
            throws Exception
    {
        asleep(feature);
        // Its image is gone (an operator pruned the engine's images): it cannot start again.
        assertThat(stagehand.runtime().removeImage("stagehand/build:" + feature.instanceName())).isTrue();

        HttpResponse<String> answer = HTTP.send(through(feature, "/web/login").header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).contains("Build " + feature.id() + " could not wake", "rebuild it, or try again in a minute");
        Build after = stagehand.builds().build(feature.id());
        assertThat(after.state()).isEqualTo(BuildState.SLEEPING);
        assertThat(after.message().orElseThrow()).startsWith("asleep; waking it failed");
        assertThat(containers(feature)).isEmpty();
        JsonNode refused = post("/api/builds/" + feature.id() + "/wake", 502);
        assertThat(refused.path("message").asText()).contains("could not wake");
    }

    // Put to sleep through the API, unless idle for sleep.idle-after it fell asleep already.
    private static void asleep(Build build)
            throws IOException, InterruptedException
    {
        if (stagehand.builds().build(build.id()).state() == BuildState.RUNNING) {
            assertThat(post("/api/builds/" + build.id() + "/sleep", 200).path("state").asText()).isEqualTo("SLEEPING");
        }
        assertThat(stagehand.builds().build(build.id()).state()).isEqualTo(BuildState.SLEEPING);
    }

    private static HttpRequest.Builder through(Build build, String path)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).header("Host", build.hostname()).timeout(Duration.ofSeconds(60));
    }

    private static int awaitAnswer(Build build, String path, Duration timeout)
            throws Exception
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        int status = 0;
        while (System.nanoTime() < deadline) {
            status = HTTP.send(through(build, path).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 503) {
                return status;
            }
            Thread.sleep(1000);
        }
        return status;
    }

    private static Build awaitState(Build build, BuildState state, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        Build now = stagehand.builds().build(build.id());
        while (now.state() != state && System.nanoTime() < deadline) {
            Thread.sleep(250);
            now = stagehand.builds().build(build.id());
        }
        assertThat(now.state()).as(now.message().orElse("")).isEqualTo(state);
        return now;
    }

    private static List<?> containers(Build build)
    {
        return stagehand.runtime().list(Map.of(Labels.BUILD, Long.toString(build.id())));
    }

    private static JsonNode get(String path)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(TestingAccounts.authorized(admin, URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static JsonNode post(String path, int status)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HTTP.send(TestingAccounts.authorized(admin, URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }
}
