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
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.store.BuildSample;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.UptimeHour;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPorts;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.addon;
import static sh.stagehand.server.TestingAddons.passingTest;

/**
 * Monitoring on a real build (Docker, PostgreSQL, the Odoo test server): a load generator's
 * requests through the platform's proxy are the requests the build's samples count, one for one;
 * the Monitor tab draws them in real Chromium; and a real Prometheus server (Debian's) scrapes the
 * platform's {@code /metrics} with the scrape token and answers a query for a build's figures.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();
    @RegisterExtension
    static final TestingBrowser browser = new TestingBrowser();

    private static final String PROJECT = "monitored";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final int LOAD_REQUESTS = 400;
    private static final int LOAD_CLIENTS = 8;

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String admin;
    private static Build production;
    private static TestingSmtpRelay relay;

    @BeforeAll
    static void startPlatformWithARunningProduction()
            throws IOException, InterruptedException
    {
        Map<String, String> properties = TestingPlatform.properties("monitoring-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        // Sampled when the test says (the first round on its own would be in an hour), so that it knows what each sample holds.
        properties.put("monitor.sample-interval", "1h");
        properties.put("monitor.probe-timeout", "3s");
        properties.put("monitor.down-alert-after", "0s");
        relay = TestingSmtpRelay.start();
        properties.putAll(relay.properties());
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        admin = TestingAccounts.adminToken(stagehand);

        TestingGitRepository repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        addon(repository, "shop_notes", "'base'", "", passingTest("TestShopNotes"));
        repository.commit("An addon");
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        production = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "main").get(0).id(), Duration.ofMinutes(5));
        assertThat(production.state()).as(String.valueOf(production)).isEqualTo(BuildState.RUNNING);
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (Build build : stagehand.builds().builds(PROJECT, "main")) {
                stagehand.builds().discard(build.id());
            }
            stagehand.databases().drop(PROJECT + "-production");
            stagehand.close();
        }
        if (relay != null) {
            relay.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + PROJECT + "-production\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    @Order(1)
    void testTheSamplesCountEveryRequestTheLoadGeneratorSentThroughTheProxy()
            throws Exception
    {
        // A first round: what the build used before the load (and a reading for the CPU's difference).
        stagehand.sampler().sampleAll();
        int answered = generateLoad(production.hostname(), LOAD_REQUESTS, LOAD_CLIENTS);
        assertThat(answered).isEqualTo(LOAD_REQUESTS);
        List<BuildSample> round = stagehand.sampler().sampleAll();

        BuildSample sample = round.stream().filter(one -> one.buildId() == production.id()).findFirst().orElseThrow();
        assertThat(sample.successes()).isEqualTo(LOAD_REQUESTS);
        assertThat(sample.errors()).isZero();
        assertThat(sample.concurrent()).isBetween(1, LOAD_CLIENTS);
        assertThat(sample.p50Millis()).isPresent();
        assertThat(sample.p95Millis().getAsDouble()).isGreaterThanOrEqualTo(sample.p50Millis().getAsDouble());
        assertThat(sample.memoryBytes().orElseThrow()).isPositive().isLessThanOrEqualTo(512L << 20);
        assertThat(sample.cpus().orElseThrow()).isGreaterThan(0.0);
        assertThat(sample.databaseBytes().orElseThrow()).isGreaterThan(1 << 20);
        assertThat(sample.filestoreBytes()).isPresent();

        // The API's series, as the Monitor tab reads it: the same count, from the metadata database.
        JsonNode series = get("/api/builds/" + production.id() + "/monitor?range=1h", admin, 200);
        long requests = 0;
        for (JsonNode one : series.path("samples")) {
            requests += one.path("successes").asLong() + one.path("errors").asLong() + one.path("limited").asLong();
        }
        assertThat(requests).isEqualTo(LOAD_REQUESTS);
        assertThat(series.path("samples")).hasSize(2);
        assertThat(series.path("stage").asText()).isEqualTo("PRODUCTION");
        assertThat(series.path("hourly").asBoolean()).isFalse();
    }

    @Test
    @Order(2)
    void testTheMonitorTabDrawsTheLoad()
    {
        TestingAccounts.collaborator(stagehand, "ops", PROJECT, Role.ADMIN);
        WebDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + server.port() + "/");
        WebElement form = waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        form.findElement(By.id("login-name")).sendKeys("ops");
        form.findElement(By.id("login-password")).sendKeys(TestingAccounts.PASSWORD);
        form.findElement(By.id("log-in")).click();
        waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(By.id("log-out")));
        driver.get("http://127.0.0.1:" + server.port() + "/#/projects/" + PROJECT + "?branch=main&tab=monitor");
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("monitor-summary"), LOAD_REQUESTS + " requests in the range"));
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".chart[data-chart='Requests per second'] canvas")));
        // Production's also has its availability.
        assertThat(driver.findElements(By.cssSelector("#monitor-charts .chart canvas"))).hasSize(8);
        browser.screenshot(SCREENSHOTS.resolve("monitor.png"));

        // A developer has no production's Monitor: neither the tab nor the API.
        String developer = TestingAccounts.token(stagehand, TestingAccounts.collaborator(stagehand, "dev", PROJECT, Role.DEVELOPER));
        JsonNode refused = get("/api/builds/" + production.id() + "/monitor", developer, 403);
        assertThat(refused.path("message").asText()).contains("has no monitor on production branches");
        JsonNode wrongRange = get("/api/builds/" + production.id() + "/monitor?range=forever", admin, 400);
        assertThat(wrongRange.path("message").asText()).contains("e.g. 1h, 24h, 7d or 30d");
    }

    @Test
    @Order(3)
    void testPrometheusScrapesTheMetricsWithTheScrapeToken()
            throws Exception
    {
        String base = "http://127.0.0.1:" + server.port();
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> withAnApiToken = HTTP.send(TestingAccounts.authorized(admin, URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withAnApiToken.statusCode()).isEqualTo(401);
        assertThat(Files.getPosixFilePermissions(server.metricsTokenFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(server.metricsTokenFile())).startsWith("shm_");

        // Methods a client makes up, as a method or in Javalin's X-HTTP-Method-Override, are one
        // series, not one each: the platform's memory is not anyone's to fill.
        for (int i = 0; i < 50; i++) {
            HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).header("X-HTTP-Method-Override", "made-up-" + i).build(), HttpResponse.BodyHandlers.discarding());
            HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).method("MADEUP" + i, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        }
        assertThat(stagehand.meters().find("stagehand.http.requests").timers())
                .extracting(timer -> timer.getId().getTag("method"))
                .allSatisfy(method -> assertThat(method).isIn("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"));

        Path prometheus = Path.of(TestingEnvironment.get().get("prometheus.binary", "/usr/bin/prometheus"));
        if (!Files.isExecutable(prometheus)) {
            throw TestingEnvironment.unavailable("No Prometheus at " + prometheus + "; bin/env-up installs it (apt-get install prometheus)");
        }
        int port = TestingPorts.freeStablePort();
        Path config = temp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: stagehand
                    metrics_path: /metrics
                    authorization:
                      type: Bearer
                      credentials_file: %s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(server.metricsTokenFile(), server.port()));
        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + config, "--storage.tsdb.path=" + temp.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("prometheus.log").toFile())
                .start();
        try {
            String build = "build=\"" + production.id() + "\"";
            String requests = query(port, "stagehand_build_requests_total{" + build + ",outcome=\"success\"}", Duration.ofSeconds(60));
            assertThat(Double.parseDouble(requests)).isEqualTo(LOAD_REQUESTS);
            assertThat(Double.parseDouble(query(port, "stagehand_build_memory_bytes{" + build + ",stage=\"production\"}", Duration.ofSeconds(10)))).isPositive();
            assertThat(Double.parseDouble(query(port, "sum(stagehand_http_requests_seconds_count{route=\"/api/builds/{build}/monitor\"})", Duration.ofSeconds(10)))).isGreaterThanOrEqualTo(3);
            assertThat(Double.parseDouble(query(port, "stagehand_builds_queued", Duration.ofSeconds(10)))).isZero();
        }
        catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nPrometheus said:\n" + Files.readString(temp.resolve("prometheus.log")), e);
        }
        finally {
            process.destroy();
            process.waitFor();
        }
    }

    @Test
    @Order(4)
    void testAProductionThatStopsAnsweringIsAnEventAndAMailToItsAdminsAndTheUptimeSaysSo()
            throws Exception
    {
        // Where the platform writes to the admin: a session's to set, not a token's.
        HttpResponse<String> byToken = HTTP.send(TestingAccounts.authorized(admin, URI.create("http://127.0.0.1:" + server.port() + "/api/account/email"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"email\": \"attacker@example.com\"}")).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(byToken.statusCode()).as(byToken.body()).isEqualTo(403);
        stagehand.accounts().setEmail(stagehand.accounts().account("ops"), Optional.of("ops@example.com"));

        awaitProbe(UptimeHour.Probe.UP);
        JsonNode up = get("/api/projects/" + PROJECT + "/production/status", admin, 200);
        assertThat(up.path("now").asText()).isEqualTo("UP");
        assertThat(up.path("uptime").path("24h").asDouble()).isEqualTo(1.0);

        // Production stops answering (its container frozen), then answers again.
        String container = production.containerId().orElseThrow();
        docker("pause", container);
        try {
            assertThat(stagehand.productionWatch().probeAll()).containsEntry(PROJECT, UptimeHour.Probe.DOWN);
            assertThat(relay.awaitReceived(1, Duration.ofSeconds(30))).singleElement()
                    .satisfies(mail -> assertThat(mail).contains("RCPT ops@example.com", "Subject: Production of " + PROJECT + " is down", "has not answered the platform's probes since"));
            JsonNode down = get("/api/projects/" + PROJECT + "/production/status", admin, 200);
            assertThat(down.path("now").asText()).isEqualTo("DOWN");
            assertThat(down.path("uptime").path("24h").asDouble()).isLessThan(1.0).isGreaterThan(0.0);
        }
        finally {
            docker("unpause", container);
        }
        awaitProbe(UptimeHour.Probe.UP);
        assertThat(relay.awaitReceived(2, Duration.ofSeconds(30))).last().satisfies(mail -> assertThat(mail).contains("Subject: Production of " + PROJECT + " answers again"));
        assertThat(stagehand.builds().history(PROJECT, Optional.of("main"), 20)).extracting(event -> event.kind())
                .contains(EventKind.PRODUCTION_DOWN, EventKind.PRODUCTION_UP);

        // The platform's own parts, for its administrators.
        JsonNode parts = get("/api/platform/status", admin, 200);
        assertThat(parts).extracting(part -> part.path("name").asText()).containsExactly("runtime", "database", "metadata", "backups", "mail relay");
        assertThat(parts).allSatisfy(part -> assertThat(part.path("healthy").asBoolean()).as(part.toString()).isTrue());
        String developer = TestingAccounts.token(stagehand, stagehand.accounts().account("dev"));
        assertThat(get("/api/platform/status", developer, 403).path("message").asText()).contains("platform's administrators");
        assertThat(get("/api/projects/" + PROJECT + "/production/status", developer, 403).path("message").asText()).contains("has no monitor on production branches");
    }

    // Probes until one finds production so (a frozen container takes a moment to answer again).
    private static void awaitProbe(UptimeHour.Probe expected)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        UptimeHour.Probe found = stagehand.productionWatch().probeAll().get(PROJECT);
        while (found != expected && System.nanoTime() < deadline) {
            Thread.sleep(500);
            found = stagehand.productionWatch().probeAll().get(PROJECT);
        }
        assertThat(found).isEqualTo(expected);
    }

    private static void docker(String... arguments)
            throws Exception
    {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", docker.host().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
    }

    // The first value of the query's answer, once Prometheus has one.
    private static String query(int port, String promql, Duration timeout)
            throws IOException, InterruptedException
    {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                last = response.body();
                JsonNode result = JSON.readTree(response.body()).path("data").path("result");
                if (response.statusCode() == 200 && result.size() > 0) {
                    return result.get(0).path("value").get(1).asText();
                }
            }
            catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus had no answer to " + promql + " within " + timeout + ": " + last);
    }

    // Requests from several clients at once, through the platform's proxy (the build's host name on
    // the platform's port), as a browser's would come.
    private static int generateLoad(String hostname, int requests, int clients)
            throws Exception
    {
        HttpClient client = HttpClient.newBuilder().build();
        AtomicInteger left = new AtomicInteger(requests);
        AtomicInteger answered = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                running.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/web/health")).header("Host", hostname).build();
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                        answered.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> one : running) {
                one.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
        return answered.get();
    }

    private static JsonNode get(String path, String token, int status)
    {
        try {
            HttpResponse<String> response = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static WebDriverWait waitFor(Duration timeout)
    {
        WebDriverWait wait = new WebDriverWait(browser.driver(), timeout, Duration.ofMillis(200));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }
}
