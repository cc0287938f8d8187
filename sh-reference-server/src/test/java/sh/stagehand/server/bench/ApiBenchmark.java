package sh.stagehand.server.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.docker.DockerRuntimeProvider;
import sh.stagehand.github.GitVcsProvider;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.postgres.PostgresDatabaseProvider;
import sh.stagehand.server.ReferenceServer;
import sh.stagehand.server.ServerConfig;
import sh.stagehand.server.TestingBuilds;
import sh.stagehand.store.postgres.PostgresPlatformStore;
import sh.stagehand.store.postgres.PostgresStoreModule;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A benchmark, not a test: run by {@code bin/bench}, never by {@code bin/test}. In one run:
 * <ul>
 * <li>the latency of the project page's data ({@code GET /api/projects/{p}/overview}) while builds
 *     run, against the server's cheapest answer ({@code GET /health}) as the baseline, one client
 *     and four at once;</li>
 * <li>the same page for a project of 1,000 branches with 10,000 builds in the PostgreSQL store;</li>
 * <li>the heap those 1,000 branches and 10,000 builds take in the in-memory store, and the
 *     server's heap after it served that page.</li>
 * </ul>
 * The figures go to {@code target/bench/api.md}.
 */
class ApiBenchmark
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final int REQUESTS = Integer.getInteger("bench.requests", 2000);
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path temp;

    private static Map<String, String> properties;
    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void startPlatform()
    {
        properties = sh.stagehand.server.TestingPlatform.properties("api-bench", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        stagehand = Stagehand.builder()
                .withProperties(properties)
                .withConfigKeys(ServerConfig.KEYS)
                .withProvider(DockerRuntimeProvider.FACTORY)
                .withProvider(PostgresDatabaseProvider.FACTORY)
                .withProvider(GitVcsProvider.FACTORY)
                .withModule(new PostgresStoreModule())
                .build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = sh.stagehand.server.TestingAccounts.adminToken(stagehand);
    }

    @AfterAll
    static void stopPlatform()
            throws Exception
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (var branch : stagehand.projects().projects().isEmpty() ? List.<Branch>of() : stagehand.projects().branches("apibench")) {
                for (Build build : stagehand.builds().builds("apibench", branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"apibench-production\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
        Path out = Path.of("target/bench/api.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
        System.out.println(String.join("\n", report));
    }

    @Test
    void benchmarkTheProjectPagesDataAndTheHeapOfABigProject()
            throws Exception
    {
        report.add("## The project page's API, %s (%d cores)".formatted(java.time.LocalDate.now(), Runtime.getRuntime().availableProcessors()));
        report.add("");

        // A project with two development builds running beside its production.
        TestingGitRepository repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        repository.writeFile("bench_sale/__manifest__.py", "{'name': 'Bench', 'version': '17.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}\n");
        repository.writeFile("bench_sale/__init__.py", "");
        repository.commit("Bench sale");
        repository.createBranch("feature-a").commit("Feature a");
        repository.switchTo("main").createBranch("feature-b").commit("Feature b");
        stagehand.projects().createProject("apibench", repository.url(), Optional.empty());
        for (var branch : stagehand.projects().branches("apibench")) {
            Build build = TestingBuilds.await(stagehand, stagehand.builds().builds("apibench", branch.name()).get(0).id(), Duration.ofMinutes(5));
            assertThat(build.state()).as(build.message().orElse("")).isEqualTo(BuildState.RUNNING);
        }
        String base = "http://127.0.0.1:" + server.port();
        report.add("%d requests after 200 to warm up, over kept-alive connections as a browser's, while 3 builds run:".formatted(REQUESTS));
        report.add("");
        report.add("| request | clients | p50 | p90 | p99 | max |");
        report.add("|---|---|---|---|---|---|");
        for (int clients : new int[] {1, 4}) {
            report.add(row("`GET /health` (baseline)", clients, latencies(base + "/health", clients)));
            report.add(row("`GET /api/projects/apibench/overview` (3 branches)", clients, latencies(base + "/api/projects/apibench/overview", clients)));
        }

        // 1,000 branches with 10,000 builds, in the platform's own store.
        long heapBefore = usedHeap();
        try (PostgresPlatformStore store = new PostgresPlatformStore(PostgresConfig.fromMap(postgresKeys()), sh.stagehand.store.postgres.SecretBox.fromConfig(stagehand.config()))) {
            Instant started = Instant.now();
            fill(store, "big");
            report.add(row("`GET /api/projects/big/overview` (1,000 branches, 10,000 builds)", 1, latencies(base + "/api/projects/big/overview", 1, REQUESTS / 10)));
            report.add("");
            report.add("Made in %.0f s.".formatted(Duration.between(started, Instant.now()).toMillis() / 1000.0));
        }
        long heapAfter = usedHeap();

        InMemoryPlatformStore memory = new InMemoryPlatformStore();
        long memoryBefore = usedHeap();
        fill(memory, "big");
        long memoryAfter = usedHeap();
        assertThat(memory.listBranches("big")).hasSize(1000);
        report.add("");
        report.add("| heap (after a full GC) | MB |");
        report.add("|---|---|");
        report.add("| 1,000 branches and 10,000 builds held by the in-memory store | %.1f |".formatted((memoryAfter - memoryBefore) / 1048576.0));
        report.add("| the server's heap grown by serving the big project's page %d times (PostgreSQL store) | %.1f |".formatted(REQUESTS / 10 + 200, (heapAfter - heapBefore) / 1048576.0));
        report.add("| the server's heap in all, then | %.1f |".formatted(heapAfter / 1048576.0));
    }

    private static Map<String, String> postgresKeys()
    {
        Map<String, String> keys = new HashMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith("postgres.")) {
                keys.put(key, value);
            }
        });
        return keys;
    }

    private static <S extends sh.stagehand.core.store.ProjectStore & sh.stagehand.core.store.BuildStore> void fill(S store, String projectId)
    {
        store.createProject(new Project(projectId, "/nowhere/" + projectId, Optional.empty(), "secret", Instant.now()));
        for (int branch = 0; branch < 1000; branch++) {
            String name = "feature/" + branch;
            store.saveBranch(Branch.development(projectId, name));
            for (int build = 0; build < 10; build++) {
                Build created = store.createBuild(projectId, name, UUID.randomUUID().toString().replace("-", "") + "00000000", Stage.DEVELOPMENT, "stagehand.localhost", "secret", Instant.now());
                store.updateBuild(created.withState(build == 9 ? BuildState.RUNNING : BuildState.STOPPED, "built").withVerdict(BuildVerdict.SUCCESS).withFinishedAt(Instant.now()));
            }
        }
    }

    private static long[] latencies(String url, int clients)
            throws Exception
    {
        return latencies(url, clients, REQUESTS);
    }

    private static long[] latencies(String url, int clients, int requests)
            throws Exception
    {
        for (int warm = 0; warm < 200; warm++) {
            get(url);
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Callable<long[]>> work = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                work.add(() -> {
                    long[] times = new long[requests / clients];
                    for (int i = 0; i < times.length; i++) {
                        long start = System.nanoTime();
                        get(url);
                        times[i] = System.nanoTime() - start;
                    }
                    return times;
                });
            }
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> result : pool.invokeAll(work)) {
                all.add(result.get());
            }
            long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            return merged;
        }
        finally {
            pool.shutdown();
        }
    }

    private static void get(String url)
            throws Exception
    {
        HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    private static String row(String what, int clients, long[] sorted)
    {
        return "| %s | %d | %s | %s | %s | %s |".formatted(what, clients, millis(sorted, 0.50), millis(sorted, 0.90), millis(sorted, 0.99), "%.1f ms".formatted(sorted[sorted.length - 1] / 1e6));
    }

    private static String millis(long[] sorted, double quantile)
    {
        return "%.1f ms".formatted(sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6);
    }

    private static long usedHeap()
            throws InterruptedException
    {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
