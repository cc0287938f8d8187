package sh.stagehand.server.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.workspace.Labels;
import sh.stagehand.server.Main;
import sh.stagehand.server.ReferenceServer;
import sh.stagehand.server.ServerConfig;
import sh.stagehand.server.TestingPlatform;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A benchmark, not a test: run by {@code bin/bench wake}, never by {@code bin/test}. On the test
 * server and on real Odoo 17, a development build is put to sleep and woken by a browser's request
 * through the platform's proxy, {@code bench.wakes} times (20): the time from that request to its
 * answer (the container started, Odoo's HTTP up, its registry loaded, the request relayed), p50 and
 * p99, against the same request to the build awake (the baseline); and the build's container
 * memory awake, and asleep (no container: measured by listing the build's containers). The figures
 * go to {@code target/bench/wake.md}.
 */
class WakeBenchmark
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final int WAKES = Integer.getInteger("bench.wakes", 20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> report = new ArrayList<>();
    private static final List<String> metadataDatabases = new ArrayList<>();

    @TempDir
    static Path temp;

    @AfterAll
    static void writeReport()
            throws Exception
    {
        metadataDatabases.forEach(database -> postgres.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)"));
        Path out = Path.of("target/bench/wake.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
        System.out.println(String.join("\n", report));
    }

    @Test
    void benchmarkWakes()
            throws Exception
    {
        report.add("## Waking a sleeping build, %s (%d cores)".formatted(LocalDate.now(), Runtime.getRuntime().availableProcessors()));
        report.add("");
        report.add("%d wakes each: a development build put to sleep, then `GET /web/login` through the proxy until its answer (200); the baseline is the same request to the build awake."
                .formatted(WAKES));
        report.add("");
        report.add("| image | wake p50 | wake p99 | wake max | awake p50 (baseline) | memory awake | memory asleep |");
        report.add("|---|---|---|---|---|---|---|");
        report.add(row("the test server", "wakebench", TestingEnvironment.get().require("docker.odoo-test-image")));
        report.add(row("real Odoo 17", "wakebenchodoo", TestingEnvironment.get().require("docker.odoo-image")));
        report.add("");
    }

    private static String row(String name, String project, String image)
            throws Exception
    {
        String metadata = "meta_" + UUID.randomUUID().toString().substring(0, 8);
        metadataDatabases.add(metadata);
        Map<String, String> properties = TestingPlatform.properties(project, temp.resolve(project), metadata, postgres, docker);
        properties.put("platform.odoo-image", image);
        properties.put("platform.container-memory-mb", "1024");
        properties.put("sleep.wake-wait", "2m");
        Stagehand stagehand = Main.platform(properties).build();
        ReferenceServer server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        try {
            TestingGitRepository repository = TestingGitRepository.init(temp.resolve(project + "-addons"), "main");
            repository.writeFile("wake_shop/__manifest__.py", "{'name': 'Wake shop', 'version': '17.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}\n");
            repository.writeFile("wake_shop/__init__.py", "");
            repository.commit("A shop");
            // Its default branch stays a development branch: no production to create first.
            stagehand.projects().createProject(project, repository.url(), Optional.empty(), Optional.empty());
            assertThat(stagehand.builds().awaitIdle(Duration.ofMinutes(10))).isTrue();
            Build build = stagehand.builds().builds(project, "main").get(0);
            assertThat(build.state()).as(build.message().orElse("")).isEqualTo(BuildState.RUNNING);

            List<Double> awake = new ArrayList<>();
            for (int i = 0; i < WAKES; i++) {
                awake.add(timedLogin(server, build));
            }
            long memoryAwake = stagehand.runtime().stats(stagehand.builds().build(build.id()).containerId().orElseThrow()).orElseThrow().memoryBytes();

            List<Double> wakes = new ArrayList<>();
            long containersAsleep = 0;
            for (int i = 0; i < WAKES; i++) {
                stagehand.sleep().sleep(build.id());
                containersAsleep = Math.max(containersAsleep, stagehand.runtime().list(Map.of(Labels.BUILD, Long.toString(build.id()))).size());
                double millis = timedLogin(server, build);
                wakes.add(millis);
                System.out.printf("wake %s %d: %.0f ms%n", name(image), i, millis);
            }
            return "| %s | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %d MiB | %s |".formatted(name, percentile(wakes, 50), percentile(wakes, 99), percentile(wakes, 100),
                    percentile(awake, 50), memoryAwake >> 20, containersAsleep == 0 ? "0 (no container)" : containersAsleep + " containers!");
        }
        finally {
            server.close();
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (Build build : stagehand.builds().builds(project, "main")) {
                stagehand.builds().discard(build.id());
            }
            stagehand.close();
        }
    }

    private static double timedLogin(ReferenceServer server, Build build)
            throws Exception
    {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/web/login"))
                .header("Host", build.hostname())
                .header("Accept", "text/html")
                .timeout(Duration.ofMinutes(3))
                .build();
        long started = System.nanoTime();
        HttpResponse<Void> response = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
        double millis = (System.nanoTime() - started) / 1e6;
        assertThat(response.statusCode()).isEqualTo(200);
        return millis;
    }

    private static String name(String image)
    {
        return image.substring(image.lastIndexOf('/') + 1);
    }

    private static double percentile(List<Double> values, int percentile)
    {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
