package sh.stagehand.server.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.docker.DockerModule;
import sh.stagehand.github.GitHubModule;
import sh.stagehand.postgres.PostgresModule;
import sh.stagehand.server.TestingPlatform;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A benchmark, not a test: run by {@code bin/bench builds}. The time of a development build, push
 * to running (checkout, image, database, install with tests, server start), split into Odoo's
 * time and the platform's, over {@code bench.builds} (12) pushes to one branch, after one to warm
 * up: what the platform's containment and its care with tenant SQL cost each build.
 */
class BuildTimeBenchmark
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String PROJECT = "buildbench";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final Pattern SUMMARY = Pattern.compile("in ([0-9.]+) s \\(Odoo ([0-9.]+) s, platform ([0-9.]+) s\\)");

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static TestingGitRepository repository;

    @BeforeAll
    static void start()
    {
        Map<String, String> properties = TestingPlatform.properties("build-bench", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        stagehand = Stagehand.builder()
                .withProperties(properties)
                .withModule(new DockerModule())
                .withModule(new PostgresModule())
                .withModule(new GitHubModule())
                .build()
                .start();
        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        repository.writeFile("acme_sale/__manifest__.py", "{'name': 'Acme Sale', 'version': '17.0.1.0.0', 'depends': ['mail'], 'license': 'LGPL-3'}");
        repository.writeFile("acme_sale/__init__.py", "");
        repository.commit("Acme's addons");
        repository.createBranch("feature");
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty(), Optional.empty());
    }

    @AfterAll
    static void stop()
    {
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (var branch : stagehand.projects().branches(PROJECT)) {
                for (Build build : stagehand.builds().builds(PROJECT, branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void developmentBuilds()
            throws Exception
    {
        int count = Integer.getInteger("bench.builds", 12);
        List<double[]> runs = new ArrayList<>();
        for (int push = 0; push <= count; push++) {
            repository.writeFile("acme_sale/notes.txt", "push " + push);
            repository.commit("Push " + push);
            stagehand.projects().poll(PROJECT);
            assertThat(stagehand.builds().awaitIdle(Duration.ofMinutes(5))).isTrue();
            Build build = stagehand.builds().builds(PROJECT, "feature").stream().max(Comparator.comparingLong(Build::id)).orElseThrow();
            assertThat(build.state()).as(build.toString()).isEqualTo(BuildState.RUNNING);
            String summary = build.message().orElse("");
            Matcher matcher = SUMMARY.matcher(summary);
            assertThat(matcher.find()).as(summary).isTrue();
            if (push > 0) {
                // The whole to the millisecond, from the build's own times; the split as its summary gives it (tenths).
                double whole = Duration.between(build.startedAt().orElseThrow(), build.finishedAt().orElseThrow()).toMillis() / 1000.0;
                runs.add(new double[] {whole, Double.parseDouble(matcher.group(2)), Double.parseDouble(matcher.group(3))});
            }
        }
        String report = """
                ### Development builds, push to running (%d builds, after one to warm up)

                | | median | min | max |
                |---|---|---|---|
                | whole build | %s |
                | Odoo (install with tests, server start) | %s |
                | platform (checkout, image, database, containers) | %s |
                """.formatted(count, stats(runs, 0), stats(runs, 1), stats(runs, 2));
        Path reports = Path.of("target", "bench");
        Files.createDirectories(reports);
        Files.writeString(reports.resolve("build-time.md"), report);
        System.out.println(report);
        // Each build's figures, for comparing runs.
        runs.forEach(run -> System.out.printf("build-time whole=%.3f odoo=%.1f platform=%.1f%n", run[0], run[1], run[2]));
    }

    private static String stats(List<double[]> runs, int column)
    {
        List<Double> values = runs.stream().map(run -> run[column]).sorted().toList();
        double median = values.size() % 2 == 1 ? values.get(values.size() / 2) : (values.get(values.size() / 2 - 1) + values.get(values.size() / 2)) / 2;
        return "%.3f s | %.3f s | %.3f s".formatted(median, values.get(0), values.get(values.size() - 1));
    }
}
