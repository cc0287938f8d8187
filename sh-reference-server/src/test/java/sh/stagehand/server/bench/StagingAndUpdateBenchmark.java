package sh.stagehand.server.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.files.ContainerDirectory;
import sh.stagehand.core.files.ContainerUser;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.pipeline.BuildSteps;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.docker.DockerRuntimeProvider;
import sh.stagehand.github.GitVcsProvider;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.postgres.PostgresDatabaseProvider;
import sh.stagehand.server.ServerConfig;
import sh.stagehand.server.TestingBuilds;
import sh.stagehand.store.postgres.PostgresStoreModule;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A benchmark, not a test: run by {@code bin/bench}, never by {@code bin/test}; it times nothing it
 * asserts. On real Odoo 17 ({@code docker.odoo-image}): a production running {@code sale_management}
 * and {@code stock}, grown by Odoo's own {@code odoo populate} (rounds of {@code --size medium}, run
 * in production's container as production's database role) to at least 500 MB of database, and
 * 10,000 more filestore files with their attachments; then, in one run:
 * <ul>
 * <li>the staging copy as Stagehand makes it (pg_dump | pg_restore without compression, owned by
 *     the copy's role; filestore as hard links) against the obvious way, plain
 *     {@code pg_dump -Fc | pg_restore} plus {@code cp -r}, and the other database copies one could
 *     pick (parallel directory format; a template copy, which needs production stopped);</li>
 * <li>a whole staging build (copy, neutralize, update, start) through the platform;</li>
 * <li>production updates: the downtime (old server down → new server healthy) against the
 *     update's total time, with a module update (snapshot taken) and with nothing to update.</li>
 * </ul>
 * The figures go to {@code target/bench/staging-and-update.md}.
 */
class StagingAndUpdateBenchmark
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String PROJECT = "bench";
    private static final String PRODUCTION = PROJECT + "-production";
    private static final long DATABASE_BYTES = Long.getLong("bench.database-mb", 520) * 1024 * 1024;
    private static final int FILES = Integer.getInteger("bench.files", 10_000);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    // The business of a shop: partners, products, sales and stock moves (with what they depend on).
    private static final String POPULATED_MODELS = System.getProperty("bench.populate-models", "res.partner,product.*,sale.order,sale.order.line,stock.picking,stock.move");
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static TestingGitRepository repository;
    private static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void startPlatform()
    {
        // A run cut short leaves its databases: start from none, or production would be adopted.
        for (String database : List.of("bench-template", "bench-baseline", "bench-parallel", "bench-streamed", PRODUCTION, PROJECT + "-staging-3", PROJECT + "-staging-2")) {
            postgres.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
        }
        Map<String, String> properties = new HashMap<>(Map.of(
                "instance.name", "bench",
                "data.directory", temp.resolve("data").toString(),
                "platform.poll-interval", "0",
                "platform.gc-interval", "0",
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.container-host", postgres.containerHost(),
                "postgres.metadata-database", METADATA_DATABASE));
        properties.putAll(Map.of(
                "docker.host", docker.host().toString(),
                "docker.network", docker.network(),
                "platform.odoo-image", TestingEnvironment.get().require("docker.odoo-image"),
                "platform.smtp-host", docker.networkGateway(),
                "platform.start-timeout", "300s",
                "platform.container-memory-mb", "2048",
                "backup.daily-time", "off"));
        stagehand = Stagehand.builder()
                .withProperties(properties)
                .withConfigKeys(ServerConfig.KEYS)
                .withProvider(DockerRuntimeProvider.FACTORY)
                .withProvider(PostgresDatabaseProvider.FACTORY)
                .withProvider(GitVcsProvider.FACTORY)
                .withModule(new PostgresStoreModule())
                .build()
                .start();
        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        module("bench_sale", "17.0.1.0.0", "'sale_management', 'stock'");
        repository.commit("Production's customizations");
    }

    @AfterAll
    static void stopPlatform()
            throws IOException
    {
        Path out = Path.of("target/bench/staging-and-update.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
        System.out.println(String.join("\n", report));
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (var branch : stagehand.projects().branches(PROJECT)) {
                for (Build build : stagehand.builds().builds(PROJECT, branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            postgres.execute("DROP DATABASE IF EXISTS \"bench-template\" WITH (FORCE)");
            for (String database : List.of("bench-baseline", "bench-parallel", "bench-streamed", PRODUCTION)) {
                stagehand.databases().drop(database);
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void benchmark()
            throws Exception
    {
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        Build first = await(stagehand.builds().builds(PROJECT, "main").get(0).id());
        assertThat(first.state()).as(first.message().orElse("")).isEqualTo(BuildState.RUNNING);

        long started = System.nanoTime();
        int rounds = populate(first);
        double populated = seconds(System.nanoTime() - started);
        Path filestore = temp.resolve("data/workspaces/production/" + PROJECT + "/data/filestore/" + PRODUCTION);
        long filestoreBytes = fillFilestore(filestore);
        long databaseBytes = productionBytes();
        report.add("## Staging copy and production update, %s".formatted(java.time.LocalDate.now()));
        report.add("");
        report.add(("Production, real Odoo 17 with `sale_management` and `stock`: database %d MB (`pg_database_size`) after %d rounds of `odoo populate --size medium` (%.0f s), "
                + "%s; filestore %d files, %d MB. Machine: %d cores.")
                .formatted(databaseBytes >> 20, rounds, populated, largestTables(), FILES, filestoreBytes >> 20, Runtime.getRuntime().availableProcessors()));
        report.add("");
        report.add("Each database copy made %d times, in turns; the median, then every time in order.".formatted(ROUNDS));
        report.add("");
        report.add("| copy of production | database | filestore | total |");
        report.add("|---|---|---|---|");
        int jobs = Math.min(4, Runtime.getRuntime().availableProcessors());
        List<Double> baseline = new ArrayList<>();
        List<Double> parallel = new ArrayList<>();
        List<Double> streamed = new ArrayList<>();
        List<Double> template = new ArrayList<>();
        try (PostgresDatabaseProvider parallelCopies = provider(jobs); PostgresDatabaseProvider streamingCopies = provider(1)) {
            for (int round = 0; round < ROUNDS; round++) {
                // The obvious way: pg_dump | pg_restore (custom format, default compression).
                stagehand.databases().create("bench-baseline");
                baseline.add(time(() -> shell("pg_dump -Fc --no-owner --no-acl -d '" + PRODUCTION + "' | pg_restore --no-owner --no-acl --role=bench-baseline -d bench-baseline")));
                // Stagehand's DatabaseProvider.copy, both ways.
                parallel.add(time(() -> parallelCopies.copy(PRODUCTION, "bench-parallel")));
                streamed.add(time(() -> streamingCopies.copy(PRODUCTION, "bench-streamed")));
                // A template copy is a file copy, but PostgreSQL refuses it while anyone is connected: production would have to stop.
                template.add(time(() -> postgres.execute("CREATE DATABASE \"bench-template\" TEMPLATE \"bench-baseline\" STRATEGY FILE_COPY")));
                postgres.execute("DROP DATABASE \"bench-template\"");
                for (String database : List.of("bench-baseline", "bench-parallel", "bench-streamed")) {
                    stagehand.databases().drop(database);
                }
            }
        }
        double copied = time(() -> shell("cp -r '" + filestore + "' '" + temp.resolve("baseline-filestore") + "'"));
        ContainerDirectory productionData = new ContainerDirectory(filestore.getParent().getParent(), ContainerUser.ofThisProcess());
        double linked = time(() -> Filestores.linkCopy(productionData, Filestores.of(PRODUCTION), temp.resolve("stagehand-filestore")));
        row("baseline: `pg_dump -Fc \\| pg_restore`, `cp -r`", baseline, copied);
        row("**Stagehand**, `postgres.copy-jobs=%d` (the default here): `pg_dump -Fd -j %d -Z0`, then `pg_restore -j %d`; hard links".formatted(jobs, jobs, jobs), parallel, linked);
        row("Stagehand, `postgres.copy-jobs=1`: `pg_dump -Fc -Z0 \\| pg_restore` (no scratch disk); hard links", streamed, linked);
        row("`CREATE DATABASE … TEMPLATE` (needs production stopped: not for staging; production's snapshot)", template, Double.NaN);
        report.add("");

        // A whole staging build through the platform.
        repository.createBranch("staging");
        module("bench_staging", "17.0.1.0.0", "'bench_sale'");
        repository.commit("Tried on staging");
        repository.switchTo("main");
        stagehand.projects().poll(PROJECT);
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "staging").withStage(Stage.STAGING));
        repository.switchTo("staging");
        module("bench_staging", "17.0.1.1.0", "'bench_sale'");
        repository.commit("Staging again");
        repository.switchTo("main");
        Build staging = await(stagehand.projects().poll(PROJECT).get(0).id());
        assertThat(staging.state()).as(staging.message().orElse("")).isEqualTo(BuildState.RUNNING);
        report.add("Staging build through the platform: %.1f s in all; %s.".formatted(buildSeconds(staging), event(staging, EventKind.STAGING_COPIED).orElse("?")));
        report.add("");

        // Production updates.
        report.add("| production push | downtime (old server down → new server healthy) | whole build |");
        report.add("|---|---|---|");
        module("bench_sale", "17.0.1.1.0", "'sale_management', 'stock'");
        Build updated = push("A module update");
        report.add("| one module updated (snapshot of database and filestore taken) | %s | %.1f s |".formatted(downtime(updated), buildSeconds(updated)));
        repository.writeFile("README.md", "Nothing to update\n");
        Build restarted = push("No version change");
        report.add("| nothing to update (restart on the new code) | %s | %.1f s |".formatted(downtime(restarted), buildSeconds(restarted)));
        report.add("");

        benchmarkBackups(filestore);
    }

    /**
     * One backup against plain pg_dump + a zip of it and the filestore (Odoo's database manager's
     * way), then 14 simulated days of changes: each, about 1 % of the rows changed (the newest
     * records, where business data changes) and 1 % more rows and files, and a backup; the bytes
     * stored for the 14 against 14 full zips.
     */
    private static void benchmarkBackups(Path filestore)
            throws Exception
    {
        Path baseline = temp.resolve("baseline-backup");
        Files.createDirectories(baseline);
        Path fullZip = baseline.resolve("full.zip");
        double plain = time(() -> {
            shell("pg_dump --no-owner -f '" + baseline.resolve("dump.sql") + "' -d '" + PRODUCTION + "'");
            zip(baseline.resolve("dump.sql"), filestore, fullZip);
        });
        long zipBytes = Files.size(fullZip);
        Files.delete(baseline.resolve("dump.sql"));

        double first = time(() -> stagehand.productionBackups().create(PROJECT, BackupKind.UPDATE));
        double verified = time(() -> stagehand.productionBackups().create(PROJECT, BackupKind.DAILY));
        List<Double> daily = new ArrayList<>();
        for (int day = 1; day <= 12; day++) {
            change(filestore, day);
            daily.add(time(() -> stagehand.productionBackups().create(PROJECT, BackupKind.UPDATE)));
        }
        int backups = stagehand.productionBackups().list(PROJECT).size();
        long stored = directorySize(temp.resolve("data/backups"));
        report.add("| backup of production (%d MB database, %d files) | time |".formatted(productionBytes() >> 20, FILES));
        report.add("|---|---|");
        report.add("| baseline: `pg_dump --no-owner`, then a zip of it and the filestore (Odoo's zip: %d MB) | %.1f s |".formatted(zipBytes >> 20, plain));
        report.add("| **Stagehand**, the first backup (every chunk and file new) | %.1f s |".formatted(first));
        report.add("| Stagehand, the same again, verified (restored into a scratch database and checked) | %.1f s |".formatted(verified));
        report.add("| Stagehand, a day's backup after 1 %% of rows changed and 1 %% added (median of 12) | %.1f s |".formatted(daily.stream().sorted().toList().get(daily.size() / 2)));
        report.add("");
        report.add("Stored for %d backups (2 of the first day, then 12 days of changes): %d MB, against %d MB for %d full zips: %.2f× one full zip."
                .formatted(backups, stored >> 20, (zipBytes * backups) >> 20, backups, (double) stored / zipBytes));
    }

    // A day of business: the newest 1 % of partners and messages edited, 1 % more of each (copies
    // of the newest, every column but the id), 1 % more files.
    private static void change(Path filestore, int day)
            throws Exception
    {
        for (String table : List.of("res_partner", "mail_message")) {
            postgres.execute(PRODUCTION, "UPDATE " + table + " SET write_date = now() + interval '" + day + " days' WHERE id > (SELECT max(id) - max(id) / 100 FROM " + table + ")");
            String columns = postgres.queryForString(PRODUCTION, "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns "
                    + "WHERE table_schema = 'public' AND table_name = '" + table + "' AND column_name <> 'id'");
            postgres.execute(PRODUCTION, "INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + table
                    + " WHERE id > (SELECT max(id) - (SELECT count(*) / 100 FROM " + table + ") FROM " + table + ")");
        }
        Random random = new Random(day);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        for (int index = 0; index < FILES / 100; index++) {
            byte[] content = new byte[4096 + random.nextInt(28 * 1024)];
            random.nextBytes(content);
            String checksum = HexFormat.of().formatHex(sha1.digest(content));
            Path file = filestore.resolve(checksum.substring(0, 2)).resolve(checksum);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        }
    }

    private static void zip(Path dump, Path filestore, Path target)
            throws IOException
    {
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(target))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("dump.sql"));
            Files.copy(dump, zip);
            try (Stream<Path> files = Files.walk(filestore)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    zip.putNextEntry(new java.util.zip.ZipEntry("filestore/" + filestore.relativize(file)));
                    Files.copy(file, zip);
                }
            }
        }
    }

    private static long directorySize(Path directory)
            throws IOException
    {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }

    /**
     * Grows production with Odoo's own {@code odoo populate}, in production's container as its
     * database role, a round of {@code --size medium} at a time, until its database holds
     * {@code bench.database-mb}.
     *
     * @return the rounds it took
     */
    private static int populate(Build production)
            throws Exception
    {
        String container = stagehand.builds().build(production.id()).containerId().orElseThrow();
        int rounds = 0;
        while (productionBytes() < DATABASE_BYTES) {
            rounds++;
            // As the platform runs production's server: its configuration file, addons and data directory.
            String output = dockerExec(container, "odoo", "populate", "--config=" + OdooCommandLine.CONFIG_FILE, "--addons-path=" + BuildSteps.ADDONS_DIRECTORY,
                    "--data-dir=" + BuildSteps.DATA_DIRECTORY, "--database=" + PRODUCTION, "--size=medium", "--models=" + POPULATED_MODELS, "--log-level=warn");
            // odoo populate logs its failure and exits 0 (odoo/cli/populate.py).
            assertThat(output).as("odoo populate, round " + rounds).doesNotContain("Something went wrong populating database");
            System.out.printf("populate round %d: %d MB%n%s%n", rounds, productionBytes() >> 20, output.lines().limit(20).collect(java.util.stream.Collectors.joining("\n")));
        }
        postgres.execute(PRODUCTION, "VACUUM ANALYZE");
        return rounds;
    }

    // The tables that hold most of production, as "name N MB" for the report.
    private static String largestTables()
    {
        return "largest tables " + postgres.queryForString(PRODUCTION, """
                SELECT string_agg(format('`%s` %s MB', relname, pg_total_relation_size(relid) >> 20), ', ' ORDER BY pg_total_relation_size(relid) DESC)
                FROM (SELECT * FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 5) largest""");
    }

    private static String dockerExec(String container, String... command)
            throws Exception
    {
        List<String> arguments = new ArrayList<>(List.of("docker", "exec", container));
        arguments.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(arguments).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", docker.host().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", arguments) + ": " + output).isZero();
        return output;
    }

    private static long fillFilestore(Path filestore)
            throws Exception
    {
        Random random = new Random(42);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        long bytes = 0;
        StringBuilder rows = new StringBuilder();
        for (int index = 0; index < FILES; index++) {
            byte[] content = new byte[4096 + random.nextInt(28 * 1024)];
            random.nextBytes(content);
            String checksum = HexFormat.of().formatHex(sha1.digest(content));
            Path file = filestore.resolve(checksum.substring(0, 2)).resolve(checksum);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            bytes += content.length;
            rows.append(rows.isEmpty() ? "" : ",").append("('scan-%d.pdf', 'binary', '%s/%s', %d, '%s', 'application/pdf', 'res.partner', %d)"
                    .formatted(index, checksum.substring(0, 2), checksum, content.length, checksum, index + 1));
            if ((index + 1) % 1000 == 0) {
                postgres.execute(PRODUCTION, "INSERT INTO ir_attachment (name, type, store_fname, file_size, checksum, mimetype, res_model, res_id) VALUES " + rows);
                rows.setLength(0);
            }
        }
        return bytes;
    }

    private static Build push(String message)
            throws Exception
    {
        repository.commit(message);
        List<Build> queued = stagehand.projects().poll(PROJECT);
        Build build = await(queued.get(0).id());
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
        assertThat(build.state()).as(build.message().orElse("")).isEqualTo(BuildState.RUNNING);
        return stagehand.builds().build(build.id());
    }

    private static String downtime(Build build)
    {
        Matcher matcher = Pattern.compile("down ([0-9.]+ s)").matcher(event(build, EventKind.PRODUCTION_UPDATED).orElse(""));
        return matcher.find() ? matcher.group(1) : "?";
    }

    private static Optional<String> event(Build build, EventKind kind)
    {
        return stagehand.builds().history(PROJECT, Optional.of(build.branch()), 200).stream()
                .filter(event -> event.buildId().equals(Optional.of(build.id())) && event.kind() == kind)
                .map(Event::message)
                .findFirst();
    }

    private static double buildSeconds(Build build)
    {
        return Duration.between(build.startedAt().orElseThrow(), build.finishedAt().orElseThrow()).toMillis() / 1000.0;
    }

    private static void row(String what, List<Double> database, double files)
    {
        double median = database.stream().sorted().toList().get(database.size() / 2);
        String all = database.stream().map(time -> "%.1f".formatted(time)).collect(java.util.stream.Collectors.joining(", "));
        report.add("| %s | %.1f s (%s) | %s | %s |".formatted(what, median, all, Double.isNaN(files) ? "—" : "%.2f s".formatted(files),
                Double.isNaN(files) ? "—" : "%.1f s".formatted(median + files)));
    }

    private static long productionBytes()
    {
        return ((Number) stagehand.databases().query(PRODUCTION, "SELECT pg_database_size(current_database()) AS bytes", List.of()).get(0).get("bytes")).longValue();
    }

    private static PostgresDatabaseProvider provider(int copyJobs)
    {
        return new PostgresDatabaseProvider(PostgresConfig.fromMap(Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.copy-jobs", Integer.toString(copyJobs))));
    }

    private interface Step
    {
        void run()
                throws Exception;
    }

    private static double time(Step step)
            throws Exception
    {
        long started = System.nanoTime();
        step.run();
        return seconds(System.nanoTime() - started);
    }

    private static double seconds(long nanos)
    {
        return nanos / 1e9;
    }

    private static void shell(String command)
            throws Exception
    {
        String bin;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = versions.map(version -> version.resolve("bin")).filter(path -> Files.isExecutable(path.resolve("pg_dump"))).sorted().reduce((a, b) -> b).orElseThrow().toString();
        }
        ProcessBuilder builder = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("PGHOST", postgres.host());
        builder.environment().put("PGPORT", Integer.toString(postgres.port()));
        builder.environment().put("PGUSER", postgres.user());
        builder.environment().put("PGPASSWORD", postgres.password());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(command + ": " + output).isZero();
    }

    private static Build await(long buildId)
            throws InterruptedException
    {
        return TestingBuilds.await(stagehand, buildId, BUILD_TIMEOUT);
    }

    private static void module(String name, String version, String depends)
    {
        repository.writeFile(name + "/__manifest__.py", "{'name': '%s', 'version': '%s', 'depends': [%s], 'license': 'LGPL-3'}\n".formatted(name, version, depends));
        repository.writeFile(name + "/__init__.py", "");
    }
}
