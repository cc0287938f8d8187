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
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The platform as a hostile tenant tries it: each test performs an attack a customer with a
 * project on the platform can perform (its addons' code, its uploads, its database) and asserts it
 * fails. Real PostgreSQL, Docker engine, test server image and HTTP, as every end-to-end test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileTenantIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String PROJECT = "hostile";
    private static final String NEIGHBOUR = "neighbour";
    private static final String PRODUCTION_DATABASE = PROJECT + "-production";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static TestingGitRepository repository;

    @BeforeAll
    static void startPlatform()
            throws Exception
    {
        // What a run stopped half-way left.
        postgres.execute("DROP DATABASE IF EXISTS \"" + PRODUCTION_DATABASE + "\" WITH (FORCE)");
        Map<String, String> properties = TestingPlatform.properties("hostile-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        stagehand = Main.platform(properties)
                .build()
                .start();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);

        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        repository.writeFile("acme_sale/__manifest__.py", "{'name': 'Acme Sale', 'version': '17.0.1.0.0', 'depends': ['mail'], 'license': 'LGPL-3'}");
        repository.writeFile("acme_sale/__init__.py", "");
        repository.commit("Acme's addons");
        repository.createBranch("feature");
        repository.switchTo("main");
        stagehand.projects().createProject(PROJECT, repository.url(), java.util.Optional.empty());
        stagehand.projects().poll(PROJECT);
        // Another customer's project on the same platform, with no production (a development build).
        stagehand.projects().createProject(NEIGHBOUR, repository.url(), java.util.Optional.empty(), java.util.Optional.empty());
        stagehand.projects().poll(NEIGHBOUR);
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();
        assertThat(running("main").state()).isEqualTo(BuildState.RUNNING);
        assertThat(running("feature").state()).isEqualTo(BuildState.RUNNING);
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (String project : List.of(PROJECT, NEIGHBOUR)) {
                for (var branch : stagehand.projects().branches(project)) {
                    for (Build build : stagehand.builds().builds(project, branch.name())) {
                        stagehand.builds().discard(build.id());
                    }
                }
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + PRODUCTION_DATABASE + "\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    @Order(1)
    void testAnImportHoldingAPsqlCommandIsRefusedNamingItsLineAndRunsNothing()
            throws Exception
    {
        Build feature = running("feature");
        String partners = postgres.queryForString(feature.databaseName(), "SELECT count(*) FROM res_partner");
        Path marker = Path.of("/tmp/stagehand-hostile-" + UUID.randomUUID());
        String dump = new String(postgres.pgDump(feature.databaseName(), "--no-owner"), StandardCharsets.UTF_8);
        int line = (int) dump.substring(0, dump.indexOf("CREATE TABLE public.res_partner")).lines().count() + 1;
        String hostile = dump.replace("CREATE TABLE public.res_partner", "\\! id > " + marker + "\nCREATE TABLE public.res_partner");

        HttpResponse<String> plain = importInto("feature", "customer.sql", hostile.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> zipped = importInto("feature", "customer.zip", zip(hostile.replace("\\! id", "\\c stagehand\n\\! id")));

        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(400);
        assertThat(plain.body()).contains("customer.sql", "line " + line, "'\\\\!'", "nothing was imported");
        assertThat(zipped.statusCode()).as(zipped.body()).isEqualTo(400);
        assertThat(zipped.body()).contains("customer.zip", "line " + line, "'\\\\c'");
        assertThat(marker).doesNotExist();
        assertThat(postgres.queryForString(feature.databaseName(), "SELECT count(*) FROM res_partner")).isEqualTo(partners);
        assertThat(running("feature").id()).isEqualTo(feature.id());

        // One no check of the file sees: the dump itself turns standard_conforming_strings off, so
        // that psql reads the backslash ending a string as an escape and the \! as a command.
        // psql's restricted mode, under the platform's key, refuses it as it comes.
        String evasive = dump.replace("CREATE TABLE public.res_partner", "SELECT set_config('standard_conforming_strings', 'off', false);\n"
                + "SELECT 'x\\' ' \\! id > " + marker + "\n';\nCREATE TABLE public.res_partner");
        HttpResponse<String> restricted = importInto("feature", "evasive.sql", evasive.getBytes(StandardCharsets.UTF_8));
        assertThat(restricted.statusCode()).as(restricted.body()).isEqualTo(400);
        assertThat(restricted.body()).contains("does not restore", "backslash commands are restricted", "as it was");
        assertThat(postgres.queryForString(feature.databaseName(), "SELECT count(*) FROM res_partner")).isEqualTo(partners);
    }

    @Test
    @Order(2)
    void testAnImportThatUndoesItsRoleIsRefusedAndReachesNoOtherDatabase()
            throws Exception
    {
        Build feature = running("feature");
        String partners = postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM res_partner");
        String dump = new String(postgres.pgDump(feature.databaseName(), "--no-owner"), StandardCharsets.UTF_8);
        for (String attack : List.of(
                "RESET ROLE; GRANT \"" + PRODUCTION_DATABASE + "\" TO CURRENT_USER;",
                "RESET ROLE; GRANT \"" + PRODUCTION_DATABASE + "\" TO \"" + feature.databaseName() + "\";",
                "RESET ROLE; ALTER ROLE CURRENT_USER CREATEROLE;",
                "RESET ROLE; CREATE ROLE hostile_escaped LOGIN SUPERUSER PASSWORD 'x';")) {
            String hostile = dump.replace("CREATE TABLE public.res_partner", attack + "\nCREATE TABLE public.res_partner");
            for (String branch : List.of("feature", "main")) {
                HttpResponse<String> response = importInto(branch, "customer.sql", hostile.getBytes(StandardCharsets.UTF_8));
                assertThat(response.statusCode()).as(attack + " into " + branch + ": " + response.body()).isEqualTo(400);
                assertThat(response.body()).contains("does not restore", "as it was");
            }
        }

        assertThat(postgres.queryForString("postgres", """
                SELECT coalesce(string_agg(r.rolname, ','), '') FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
                WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = '%s') AND r.rolname <> '%s'
                """.formatted(PRODUCTION_DATABASE, postgres.user())))
                .as("members of production's role but the platform")
                .isEmpty();
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'hostile_escaped' OR (rolcreaterole AND rolname LIKE 'hostile-%')")).isEqualTo("0");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM res_partner")).isEqualTo(partners);
        assertThat(running("main").state()).isEqualTo(BuildState.RUNNING);
    }

    @Test
    @Order(3)
    void testWhatATenantLeavesForTheNightlyBackupRunsWithTheTenantsPrivilegesAlone()
            throws Exception
    {
        // As production's own code could: a schema named after the platform's role, first on
        // PostgreSQL's default search path for it, and Odoo's module table put behind a view,
        // each over a function that notes who reads it and tries to become more.
        String platformRole = postgres.user();
        postgres.execute(PRODUCTION_DATABASE, """
                SET ROLE "%1$s";
                CREATE TABLE public.hostile_readers (reader text, privileged boolean, escalated boolean);
                CREATE FUNCTION public.hostile_note() RETURNS text LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO public.hostile_readers SELECT session_user, rolsuper OR rolcreaterole OR rolcreatedb, false FROM pg_catalog.pg_roles WHERE rolname = session_user;
                    BEGIN
                        RESET ROLE;
                        CREATE ROLE hostile_escalated LOGIN SUPERUSER;
                        UPDATE public.hostile_readers SET escalated = true;
                    EXCEPTION WHEN insufficient_privilege THEN
                        NULL;
                    END;
                    RETURN '17.0.1.0.0';
                END $$;
                CREATE SCHEMA "%2$s";
                CREATE VIEW "%2$s".ir_module_module AS SELECT name, state, public.hostile_note() AS latest_version FROM public.ir_module_module;
                ALTER TABLE public.ir_module_module RENAME TO ir_module_module_data;
                CREATE VIEW public.ir_module_module AS SELECT *, public.hostile_note() AS noted FROM public.ir_module_module_data;
                """.formatted(PRODUCTION_DATABASE, platformRole));
        try {
            HttpResponse<String> backup = HTTP.send(TestingAccounts.authorized(token, api("/api/projects/" + PROJECT + "/backups")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(backup.statusCode()).as(backup.body()).isEqualTo(201);
            assertThat(backup.body()).contains("\"verification\":\"PASSED\"");
        }
        finally {
            postgres.execute(PRODUCTION_DATABASE, """
                    SET ROLE "%1$s";
                    DROP VIEW public.ir_module_module;
                    ALTER TABLE public.ir_module_module_data RENAME TO ir_module_module;
                    DROP SCHEMA "%2$s" CASCADE;
                    """.formatted(PRODUCTION_DATABASE, platformRole));
        }

        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM public.hostile_readers")).as("the platform read through the tenant's view").isNotEqualTo("0");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT string_agg(DISTINCT reader, ',') FROM public.hostile_readers WHERE privileged OR escalated"))
                .as("who read the tenant's view with a privilege beyond the tenant's")
                .isNull();
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'hostile_escalated'")).isEqualTo("0");
    }

    @Test
    @Order(4)
    void testABuildCannotLogInAsThePlatformNorIntoAnotherTenantsDatabase()
    {
        Build feature = running("feature");
        String container = feature.containerId().orElseThrow();
        String server = postgres.containerHost() + " -p " + postgres.port();
        // The attacker knows the platform's passwords (a leak, a guess): the network must still refuse.
        TestingDocker.Exec platform = psql(container, postgres.password(), "-h " + server + " -U " + postgres.user() + " -d postgres");
        TestingDocker.Exec metadata = psql(container, postgres.metadataPassword(), "-h " + server + " -U " + postgres.metadataUser() + " -d " + METADATA_DATABASE);
        TestingDocker.Exec superuser = psql(container, "postgres", "-h " + server + " -U postgres -d postgres");
        // With its own credentials, as its Odoo has them: its own database, and no other.
        String own = setting(container, "db_user");
        String ownPassword = setting(container, "db_password");
        TestingDocker.Exec ownDatabase = psql(container, ownPassword, "-h " + server + " -U " + own + " -d " + own);
        TestingDocker.Exec production = psql(container, ownPassword, "-h " + server + " -U " + own + " -d " + PRODUCTION_DATABASE);

        assertThat(platform.exitCode()).as(platform.output()).isNotZero();
        assertThat(platform.output()).contains("pg_hba.conf rejects connection");
        assertThat(metadata.exitCode()).as(metadata.output()).isNotZero();
        assertThat(metadata.output()).contains("pg_hba.conf rejects connection");
        assertThat(superuser.exitCode()).as(superuser.output()).isNotZero();
        assertThat(superuser.output()).contains("pg_hba.conf rejects connection");
        assertThat(ownDatabase.output()).as("a build reaches its own database").isEqualTo(own);
        assertThat(production.exitCode()).as(production.output()).isNotZero();
        assertThat(production.output()).contains("no pg_hba.conf entry");
    }

    @Test
    @Order(5)
    void testNoPasswordShowsInTheEnginesInspectNorInTheHostsProcessList()
            throws Exception
    {
        for (Build build : List.of(running("main"), running("feature"))) {
            String container = build.containerId().orElseThrow();
            List<String> secrets = List.of(setting(container, "db_password"), setting(container, "smtp_password"), setting(container, "admin_passwd"));
            assertThat(secrets).allSatisfy(secret -> assertThat(secret).hasSizeGreaterThan(8));
            Process inspect = new ProcessBuilder("docker", "inspect", container).redirectErrorStream(true).start();
            String inspected = new String(inspect.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(inspect.waitFor()).isZero();
            Process ps = new ProcessBuilder("ps", "-eww", "-o", "args").redirectErrorStream(true).start();
            String processes = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ps.waitFor()).isZero();

            assertThat(processes).as("the host's process list").contains("--db-filter").doesNotContain(secrets);
            assertThat(inspected).as("docker inspect of build " + build.id()).contains(build.databaseName()).doesNotContain(secrets);
            assertThat(docker.exec(container, "", "stat", "-c", "%a %u", "/run/stagehand/odoo.conf").output()).as("the configuration file, for the container's user alone").isEqualTo("600 " + TestingPlatform.containerUser().split(":")[0]);
        }
    }

    @Test
    @Order(6)
    void testABuildReachesNoOtherProjectsBuildAndOfTheHostOnlyTheDatabaseAndTheMailCatcher()
            throws Exception
    {
        String container = running("feature").containerId().orElseThrow();
        Build neighbour = stagehand.builds().builds(NEIGHBOUR, "main").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
        String neighbourAddress = inspect(neighbour.containerId().orElseThrow(), "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
        String ownGateway = inspect(container, "{{range .NetworkSettings.Networks}}{{.Gateway}}{{end}}");
        try (java.net.ServerSocket platformPort = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("0.0.0.0"))) {
            platformPort.setSoTimeout(1);
            // The neighbour's Odoo, a port of the host's listening on every address (as an operator's
            // own service could), reached by the database's address and by the network's gateway.
            List<String> refused = List.of(neighbourAddress + ":8069", postgres.containerHost() + ":" + platformPort.getLocalPort(),
                    ownGateway + ":" + platformPort.getLocalPort());
            for (String target : refused) {
                assertThat(connect(container, target)).as("a connection from a tenant's build to " + target).isEqualTo("unreachable");
            }
            assertThatThrownBy(platformPort::accept).as("no connection reached the host's port").isInstanceOf(java.net.SocketTimeoutException.class);
            // What a build needs of the host stays reachable.
            assertThat(connect(container, postgres.containerHost() + ":" + postgres.port())).isEqualTo("connected");
        }
        assertThat(connect(neighbour.containerId().orElseThrow(), neighbourAddress + ":8069")).as("a build's own server").isEqualTo("connected");
    }

    private static String connect(String container, String target)
    {
        String[] parts = target.split(":");
        return docker.exec(container, "", "python3", "-c", """
                import socket
                try:
                    socket.create_connection(('%s', %s), timeout=3).close()
                    print('connected')
                except OSError:
                    print('unreachable')
                """.formatted(parts[0], parts[1])).output();
    }

    private static String inspect(String container, String format)
            throws Exception
    {
        Process process = new ProcessBuilder("docker", "inspect", "-f", format, container).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    // What the build's code reads in its own configuration file.
    private static String setting(String container, String key)
    {
        TestingDocker.Exec read = docker.exec(container, "", "sed", "-n", "s/^" + key + " = //p", "/run/stagehand/odoo.conf");
        assertThat(read.exitCode()).as(read.output()).isZero();
        return read.output();
    }

    private static TestingDocker.Exec psql(String container, String password, String connection)
    {
        return docker.exec(container, password + "\n", "sh", "-c", "read -r PGPASSWORD; export PGPASSWORD; psql " + connection + " -tAc 'SELECT current_user'");
    }

    private static HttpResponse<String> importInto(String branch, String fileName, byte[] body)
            throws Exception
    {
        return HTTP.send(TestingAccounts.authorized(token, api("/api/projects/" + PROJECT + "/import/" + branch + "?filename=" + fileName))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] zip(String dump)
            throws Exception
    {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("dump.sql"));
            zip.write(dump.getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("manifest.json"));
            zip.write("{\"odoo_dump\": \"1\", \"db_name\": \"customer\", \"version\": \"17.0\", \"major_version\": \"17.0\", \"modules\": {}}".getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static URI api(String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static Build running(String branch)
    {
        return stagehand.builds().builds(PROJECT, branch).stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
    }
}
