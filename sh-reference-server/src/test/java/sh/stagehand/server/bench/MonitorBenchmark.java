package sh.stagehand.server.bench;

import com.sun.management.OperatingSystemMXBean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.server.Main;
import sh.stagehand.server.ReferenceServer;
import sh.stagehand.server.ServerConfig;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A benchmark, not a test: run by {@code bin/bench monitor}, never by {@code bin/test}. In one
 * run, with {@value #DEFAULT_BUILDS} running builds (the test server; {@code -Dbench.builds}):
 * <ul>
 * <li>the platform's CPU (its process's CPU time, and dockerd's, which answers the stats calls)
 *     over {@code bench.window} without sampling, the baseline, then with every build sampled
 *     every {@code bench.interval} (10 s), as the housekeeping does;</li>
 * <li>a round's time, and the heap after a full GC, with and without;</li>
 * <li>the metric store's size per build and day: the bytes of {@code build_samples} (table and
 *     indexes) per raw sample, times a day's samples at the interval, and the hours kept after.</li>
 * </ul>
 * The figures go to {@code target/bench/monitor.md}.
 */
class MonitorBenchmark
{
    private static final int DEFAULT_BUILDS = 20;

    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final int BUILDS = Integer.getInteger("bench.builds", DEFAULT_BUILDS);
    private static final Duration INTERVAL = Duration.ofSeconds(Long.getLong("bench.interval", 10));
    private static final Duration WINDOW = Duration.ofSeconds(Long.getLong("bench.window", 120));
    private static final String PROJECT = "monitorbench";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void startPlatformWithRunningBuilds()
            throws Exception
    {
        Map<String, String> properties = sh.stagehand.server.TestingPlatform.properties("monitor-bench", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        // The benchmark takes the rounds itself, on the interval: the housekeeping's first would come in a day.
        properties.put("monitor.sample-interval", "1d");
        properties.put("platform.container-memory-mb", "256");
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        TestingGitRepository repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        repository.writeFile("bench_monitor/__manifest__.py", "{'name': 'Bench', 'version': '17.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}\n");
        repository.writeFile("bench_monitor/__init__.py", "");
        repository.commit("Bench");
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty(), Optional.empty());
        // One branch a build, each kept running.
        for (int i = 1; i < BUILDS; i++) {
            repository.switchTo("main").createBranch("feature-" + i);
            repository.writeFile("NOTES.md", "Feature " + i + "\n");
            repository.commit("Feature " + i);
        }
        stagehand.projects().poll(PROJECT);
        assertThat(stagehand.builds().awaitIdle(Duration.ofMinutes(20))).isTrue();
        long running = stagehand.projects().branches(PROJECT).stream()
                .flatMap(branch -> stagehand.builds().builds(PROJECT, branch.name()).stream())
                .filter(build -> build.state() == BuildState.RUNNING)
                .count();
        assertThat(running).isEqualTo(BUILDS);
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
            for (var branch : stagehand.projects().branches(PROJECT)) {
                stagehand.builds().builds(PROJECT, branch.name()).forEach(build -> stagehand.builds().discard(build.id()));
            }
            stagehand.databases().drop(PROJECT + "-production");
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + PROJECT + "-production\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
        Path out = Path.of("target/bench/monitor.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
        System.out.println(String.join("\n", report));
    }

    @Test
    void benchmarkSamplingCostAndStoreSize()
            throws Exception
    {
        report.add("## Monitoring, %s (%d cores)".formatted(LocalDate.now(), Runtime.getRuntime().availableProcessors()));
        report.add("");
        report.add("%d running builds (the test server), %d s windows; sampling every %d s as the housekeeping does (CPU, memory, database and filestore sizes, traffic):"
                .formatted(BUILDS, WINDOW.toSeconds(), INTERVAL.toSeconds()));
        report.add("");
        report.add("| | platform CPU | dockerd CPU | heap after GC | a round p50 | a round max |");
        report.add("|---|---|---|---|---|---|");
        Window idle = window(false);
        report.add("| without sampling (baseline) | %.2f %% | %.2f %% | %d MiB | – | – |".formatted(idle.platformCpu(), idle.dockerdCpu(), idle.heapMib()));
        Window sampled = window(true);
        report.add("| every build every %d s | %.2f %% | %.2f %% | %d MiB | %d ms | %d ms |".formatted(INTERVAL.toSeconds(), sampled.platformCpu(), sampled.dockerdCpu(), sampled.heapMib(),
                sampled.roundP50Millis(), sampled.roundMaxMillis()));
        report.add("");
        report.add("(CPU in % of one core over the window.)");
        report.add("");

        long rows = metadata("SELECT count(*) FROM build_samples");
        long bytes = metadata("SELECT pg_total_relation_size('build_samples')");
        long perDay = Duration.ofDays(1).dividedBy(INTERVAL);
        double perSample = (double) bytes / rows;
        report.add("The metric store: %d samples in %d kB of `build_samples` (table and indexes), %.0f bytes a sample: a build sampled every %d s (%d samples a day) takes %.1f MB a day while its samples are raw (48 h by default), then 24 hourly rows (%.1f kB) a day for 90 days."
                .formatted(rows, bytes / 1024, perSample, INTERVAL.toSeconds(), perDay, perSample * perDay / 1e6, perSample * 24 / 1e3));
    }

    // As the metadata database's own role: the platform's has no CONNECT on it.
    private static long metadata(String sql)
            throws Exception
    {
        Properties login = new Properties();
        login.setProperty("user", postgres.metadataUser());
        login.setProperty("password", postgres.metadataPassword());
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(METADATA_DATABASE), login);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    private record Window(double platformCpu, double dockerdCpu, long heapMib, long roundP50Millis, long roundMaxMillis) {}

    private static Window window(boolean sampling)
            throws Exception
    {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long dockerd = dockerdPid();
        long cpuBefore = os.getProcessCpuTime();
        long dockerdBefore = cpuTicks(dockerd);
        long started = System.nanoTime();
        long end = started + WINDOW.toNanos();
        List<Long> rounds = new ArrayList<>();
        while (System.nanoTime() < end) {
            long roundStarted = System.nanoTime();
            if (sampling) {
                stagehand.sampler().sampleAll();
                rounds.add((System.nanoTime() - roundStarted) / 1_000_000);
            }
            long next = roundStarted + INTERVAL.toNanos();
            Thread.sleep(Math.max(0, Math.min(next, end) - System.nanoTime()) / 1_000_000);
        }
        double elapsed = System.nanoTime() - started;
        double platform = 100.0 * (os.getProcessCpuTime() - cpuBefore) / elapsed;
        double dockerdCpu = 100.0 * (cpuTicks(dockerd) - dockerdBefore) * (1e9 / 100) / elapsed;
        System.gc();
        Thread.sleep(500);
        long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        long[] sorted = rounds.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Window(platform, dockerdCpu, heap, sorted.length == 0 ? 0 : sorted[sorted.length / 2], sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
    }

    private static long dockerdPid()
    {
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().command().map(command -> command.endsWith("/dockerd")).orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);
    }

    // utime + stime of /proc/<pid>/stat, in clock ticks (100 a second).
    private static long cpuTicks(long pid)
            throws Exception
    {
        if (pid < 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
