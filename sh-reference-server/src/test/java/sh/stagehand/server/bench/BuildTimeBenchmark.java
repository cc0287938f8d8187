package sh.stagehand.server.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.docker.DockerRuntimeProvider;
import sh.stagehand.github.GitVcsProvider;
import sh.stagehand.postgres.PostgresDatabaseProvider;
import sh.stagehand.server.ServerConfig;
import sh.stagehand.server.TestingPlatform;
import sh.stagehand.store.postgres.PostgresStoreModule;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A benchmark, not a test: run by {@code bin/bench builds}. In one run, on real Odoo 17
 * ({@code docker.odoo-image}) and on the Odoo-compatible test server:
 * <ul>
 *     <li>development builds, push to running (checkout, image, database, install with demo data
 *     and tests, server start), split into Odoo's time and the platform's, over
 *     {@code bench.builds} (12; {@code bench.real-builds}, 4, on real Odoo) pushes to one branch
 *     after one to warm up;</li>
 *     <li>production updates of a bumped module with a migration (on real Odoo,
 *     {@code bench.updates}, 3): production's downtime against Odoo's own time in it (the
 *     {@code -u} run and the new server's start).</li>
 * </ul>
 */
class BuildTimeBenchmark
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final Pattern SUMMARY = Pattern.compile("in ([0-9.]+) s \\(Odoo ([0-9.]+) s, platform ([0-9.]+) s\\)");
    private static final Pattern DOWN = Pattern.compile("down ([0-9.]+) s");
    // What each platform of the run leaves: its metadata database and its production's.
    private static final List<String> METADATA_DATABASES = new ArrayList<>();
    private static final List<String> PRODUCTION_DATABASES = new ArrayList<>();

    @TempDir
    static Path temp;

    @AfterAll
    static void dropMetadata()
    {
        METADATA_DATABASES.forEach(database -> postgres.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)"));
        PRODUCTION_DATABASES.forEach(database -> postgres.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)"));
    }

    @Test
    void developmentBuilds()
            throws Exception
    {
        String testServer = TestingEnvironment.get().require("docker.odoo-test-image");
        String realOdoo = TestingEnvironment.get().require("docker.odoo-image");
        String report = "### Development builds, push to running (after one to warm up)\n\n"
                + "| image | builds | whole build: median, min, max | Odoo (install with demo and tests, server start) | platform (checkout, image, database, containers) |\n"
                + "|---|---|---|---|---|\n"
                + developmentRow("real Odoo 17 (" + realOdoo + ")", realOdoo, Integer.getInteger("bench.real-builds", 4))
                + developmentRow("test server (" + testServer + ")", testServer, Integer.getInteger("bench.builds", 12));
        write("build-time.md", report);
    }

    @Test
    void productionUpdates()
            throws Exception
    {
        String realOdoo = TestingEnvironment.get().require("docker.odoo-image");
        int count = Integer.getInteger("bench.updates", 3);
        List<double[]> runs = new ArrayList<>();
        withPlatform("updatebench", realOdoo, true, repository -> {
            module(repository, "17.0.1.0.0");
            repository.commit("Acme's addons");
        }, (stagehand, repository) -> {
            Build production = await(stagehand, "updatebench", "main");
            assertThat(production.state()).as(production.toString()).isEqualTo(BuildState.RUNNING);
            for (int update = 1; update <= count; update++) {
                String version = "17.0.1." + update + ".0";
                module(repository, version);
                repository.writeFile("acme_sale/migrations/" + version + "/post-touch.py", """
                        def migrate(cr, version):
                            cr.execute("UPDATE res_partner SET comment = 'migrated to %s' WHERE id = 1")
                        """.formatted(version));
                repository.commit("Acme " + version);
                stagehand.projects().poll("updatebench");
                Build updated = await(stagehand, "updatebench", "main");
                String summary = updated.message().orElse("");
                assertThat(updated.state()).as(summary).isEqualTo(BuildState.RUNNING);
                Matcher down = DOWN.matcher(summary);
                Matcher split = SUMMARY.matcher(summary);
                assertThat(down.find() && split.find()).as(summary).isTrue();
                runs.add(new double[] {Double.parseDouble(down.group(1)), Double.parseDouble(split.group(2))});
            }
        });
        String report = """
                ### Production updates on real Odoo 17 (a bumped module with a migration, %d updates)

                | | median | min | max |
                |---|---|---|---|
                | production down (old server stopped → new one serving) | %s |
                | Odoo's own time in it (`-u` run, new server's start) | %s |
                """.formatted(count, stats(runs, 0), stats(runs, 1));
        write("production-update.md", report);
    }

    private static String developmentRow(String name, String image, int count)
            throws Exception
    {
        List<double[]> runs = new ArrayList<>();
        String project = "buildbench" + (METADATA_DATABASES.size() + 1);
        withPlatform(project, image, false, repository -> {
            module(repository, "17.0.1.0.0");
            repository.commit("Acme's addons");
            repository.createBranch("feature");
        }, (stagehand, repository) -> {
            for (int push = 0; push <= count; push++) {
                repository.writeFile("acme_sale/notes.txt", "push " + push);
                repository.commit("Push " + push);
                stagehand.projects().poll(project);
                Build build = await(stagehand, project, "feature");
                assertThat(build.state()).as(build.toString()).isEqualTo(BuildState.RUNNING);
                Matcher matcher = SUMMARY.matcher(build.message().orElse(""));
                assertThat(matcher.find()).as(build.message().orElse("")).isTrue();
                if (push > 0) {
                    // The whole to the millisecond, from the build's own times; the split as its summary gives it (tenths).
                    double whole = Duration.between(build.startedAt().orElseThrow(), build.finishedAt().orElseThrow()).toMillis() / 1000.0;
                    runs.add(new double[] {whole, Double.parseDouble(matcher.group(2)), Double.parseDouble(matcher.group(3))});
                    System.out.printf("build-time %s whole=%.3f odoo=%.1f platform=%.1f%n", name, whole, Double.parseDouble(matcher.group(2)), Double.parseDouble(matcher.group(3)));
                }
            }
        });
        return "| %s | %d | %s | %s | %s |\n".formatted(name, count, stats(runs, 0).replace(" | ", ", "), stats(runs, 1).replace(" | ", ", "), stats(runs, 2).replace(" | ", ", "));
    }

    private interface Body
    {
        void run(Stagehand stagehand, TestingGitRepository repository)
                throws Exception;
    }

    // A platform of its own on the image, with a project whose default branch is production, or
    // stays a development branch.
    private static void withPlatform(String project, String image, boolean production, Consumer<TestingGitRepository> setUp, Body body)
            throws Exception
    {
        String metadata = "meta_" + UUID.randomUUID().toString().substring(0, 8);
        METADATA_DATABASES.add(metadata);
        PRODUCTION_DATABASES.add(project + "-production");
        Map<String, String> properties = TestingPlatform.properties(project, temp.resolve(project), metadata, postgres, docker);
        properties.put("platform.odoo-image", image);
        properties.put("platform.container-memory-mb", "1024");
        Stagehand stagehand = Stagehand.builder()
                .withProperties(properties)
                .withConfigKeys(ServerConfig.KEYS)
                .withProvider(DockerRuntimeProvider.FACTORY)
                .withProvider(PostgresDatabaseProvider.FACTORY)
                .withProvider(GitVcsProvider.FACTORY)
                .withModule(new PostgresStoreModule())
                .build()
                .start();
        try {
            TestingGitRepository repository = TestingGitRepository.init(temp.resolve(project + "-addons"), "main");
            setUp.accept(repository);
            if (production) {
                stagehand.projects().createProject(project, repository.url(), Optional.empty());
            }
            else {
                stagehand.projects().createProject(project, repository.url(), Optional.empty(), Optional.empty());
            }
            body.run(stagehand, repository);
        }
        finally {
            stagehand.builds().awaitIdle(Duration.ofMinutes(2));
            for (var branch : stagehand.projects().branches(project)) {
                for (Build build : stagehand.builds().builds(project, branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            stagehand.close();
        }
    }

    private static void module(TestingGitRepository repository, String version)
    {
        repository.writeFile("acme_sale/__manifest__.py", "{'name': 'Acme Sale', 'version': '" + version + "', 'depends': ['mail'], 'license': 'LGPL-3'}");
        repository.writeFile("acme_sale/__init__.py", "");
    }

    private static Build await(Stagehand stagehand, String project, String branch)
    {
        assertThat(stagehand.builds().awaitIdle(Duration.ofMinutes(10))).isTrue();
        return stagehand.builds().builds(project, branch).stream().max(Comparator.comparingLong(Build::id)).orElseThrow();
    }

    private static void write(String name, String report)
            throws IOException
    {
        Path reports = Path.of("target", "bench");
        Files.createDirectories(reports);
        Files.writeString(reports.resolve(name), report);
        System.out.println(report);
    }

    private static String stats(List<double[]> runs, int column)
    {
        List<Double> values = runs.stream().map(run -> run[column]).sorted().toList();
        double median = values.size() % 2 == 1 ? values.get(values.size() / 2) : (values.get(values.size() / 2 - 1) + values.get(values.size() / 2)) / 2;
        return "%.3f s | %.3f s | %.3f s".formatted(median, values.get(0), values.get(values.size() - 1));
    }
}
