package sh.stagehand.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.ProjectService;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.backup.FilesystemBackupStore;
import sh.stagehand.core.backup.ReplicatedBackupStore;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.vcs.MergeResult;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingOdooServer;
import sh.stagehand.testkit.TestingPorts;
import sh.stagehand.testkit.TestingPostgres;
import sh.stagehand.testkit.TestingWebSocket;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static sh.stagehand.server.TestingAddons.module;

/**
 * Production and staging end to end, through the real Docker engine, PostgreSQL and the
 * Odoo-compatible test server: production created, updated module by module, put back to the
 * byte when an update fails or its server is not healthy; staging as a neutralized copy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionAndStagingIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String PROJECT = "prodit";
    private static final String PRODUCTION_DATABASE = PROJECT + "-production";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final String ATTACHMENT = "The signed contract of Azure Interior, scanned";

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static TestingGitRepository repository;
    private static Path productionFilestore;
    private static int smtpPort;
    private static Map<String, String> properties;
    private static TestingSmtpRelay relay;

    @BeforeAll
    static void startPlatform()
            throws IOException
    {
        smtpPort = TestingPorts.freeStablePort();
        properties = new HashMap<>(Map.of(
                "instance.name", "prod-it",
                "data.directory", temp.resolve("data").toString(),
                "http.port", "0",
                "smtp.port", Integer.toString(smtpPort),
                "platform.poll-interval", "0",
                "platform.gc-interval", "0",
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.container-host", postgres.containerHost()));
        properties.put("ssh.port", "0");
        relay = TestingSmtpRelay.start();
        // Three directories standing for three servers.
        properties.putAll(Map.of(
                "backup.replicas", "eu, us, asia",
                "backup.daily-time", "off",
                "backup.replica.eu.directory", temp.resolve("backups/eu").toString(),
                "backup.replica.us.directory", temp.resolve("backups/us").toString(),
                "backup.replica.asia.directory", temp.resolve("backups/asia").toString()));
        properties.putAll(relay.properties());
        properties.putAll(Map.of(
                "postgres.metadata-database", METADATA_DATABASE,
                "mail.type", "postgres",
                "docker.host", docker.host().toString(),
                "docker.network", docker.network(),
                "platform.odoo-image", TestingEnvironment.get().require("docker.odoo-test-image"),
                "platform.smtp-host", docker.networkGateway(),
                "platform.smtp-port", Integer.toString(smtpPort),
                "platform.start-timeout", "20s",
                "platform.container-memory-mb", "512"));
        launch(properties);
        productionFilestore = temp.resolve("data/workspaces/production/" + PROJECT + "/data/filestore/" + PRODUCTION_DATABASE);

        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        module(repository, "acme_sale", "17.0.1.0.0", "'mail', 'payment'", """
                def post_init(env):
                    env.cr.execute("INSERT INTO res_partner (name, email) VALUES ('Azure Interior', 'azure@example.com') RETURNING id")
                    partner = env.cr.fetchone()[0]
                    env['ir.attachment'].create({'name': 'contract.txt', 'raw': b'%s', 'res_model': 'res.partner', 'res_id': partner})
                    env['mail.mail'].create({'subject': 'Welcome to Acme', 'email_to': 'azure@example.com', 'body_html': '<p>Welcome</p>'}).send()
                """.formatted(ATTACHMENT));
        module(repository, "acme_stock", "17.0.1.0.0", "'acme_sale'", "");
        repository.commit("Sale and stock customizations");
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (var branch : stagehand.projects().branches(PROJECT)) {
                for (Build build : stagehand.builds().builds(PROJECT, branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            stagehand.close();
        }
        if (relay != null) {
            relay.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + PRODUCTION_DATABASE + "\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
        String snapshots = postgres.queryForString("postgres", "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE '" + PROJECT + "\\_snapshot\\_%'");
        for (String snapshot : snapshots == null ? new String[0] : snapshots.split(",")) {
            postgres.execute("DROP DATABASE IF EXISTS \"" + snapshot + "\" WITH (FORCE)");
        }
    }

    @Test
    @Order(1)
    void testTheDefaultBranchBecomesProductionCreatedWithoutDemoData()
            throws Exception
    {
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        assertThat(stagehand.projects().branch(PROJECT, "main").stage()).isEqualTo(Stage.PRODUCTION);
        Build first = awaitBuild(stagehand.builds().builds(PROJECT, "main").get(0).id());

        assertThat(first.state()).as(first.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(first.databaseName()).isEqualTo(PRODUCTION_DATABASE);
        assertThat(first.hostname()).isEqualTo(PROJECT + ".stagehand.localhost");
        assertThat(modules()).isEqualTo("acme_sale:installed:17.0.1.0.0:false,acme_stock:installed:17.0.1.0.0:false");
        assertThat(stagehand.builds().log(first.id(), LogName.INSTALL)).anySatisfy(line -> assertThat(line).contains("Modules loaded."));
        assertThat(stagehand.builds().log(first.id(), LogName.INSTALL)).noneSatisfy(line -> assertThat(line).contains("odoo.tests"));
        assertThat(attachmentContent()).isEqualTo(ATTACHMENT);
        assertThat(health(first)).isEqualTo(200);
        // Production's mail really goes out, through the relay, from the platform's queue; none is caught.
        assertThat(relay.awaitReceived(1, Duration.ofSeconds(20))).singleElement().satisfies(mail -> assertThat(mail).contains("RCPT azure@example.com", "Subject: Welcome to Acme"));
        assertThat(stagehand.mail().mails(first.id())).singleElement().satisfies(mail -> {
            assertThat(mail.message().subject()).isEqualTo("Welcome to Acme");
            assertThat(mail.outbound().orElseThrow().state()).isEqualTo(sh.stagehand.core.mail.OutboundMail.State.SENT);
        });

        // What the customer's users do on production from now on: data the platform must never lose.
        postgres.execute(PRODUCTION_DATABASE, "INSERT INTO res_partner (name, email) VALUES ('Deco Addict', 'deco@example.com')");

        // A project has exactly one production branch.
        repository.createBranch("other").switchTo("main");
        stagehand.projects().poll(PROJECT);
        assertThatThrownBy(() -> stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "other").withStage(Stage.PRODUCTION)))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("has a production branch already, main");
    }

    @Test
    @Order(2)
    void testAPushBumpingOneModuleUpdatesOnlyThatModuleAndKeepsTheData()
            throws Exception
    {
        Build previous = serving();
        module(repository, "acme_stock", "17.0.1.1.0", "'acme_sale'", "");
        repository.writeFile("acme_stock/migrations/17.0.1.1.0/post-warehouse.py", """
                def migrate(cr, version):
                    cr.execute("UPDATE res_partner SET city = 'stock 1.1 was here' WHERE name = 'Deco Addict'")
                """);
        // Production's name, asked all through the update: the old server, then the maintenance
        // page for the whole window, then the new server; never an error of a server going away.
        List<String> answers = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean updating = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread probe = new Thread(() -> {
            while (updating.get()) {
                try {
                    HttpResponse<String> answer = throughProxy(PROJECT + ".stagehand.localhost", "/web/login");
                    if (answers.isEmpty() || !answers.get(answers.size() - 1).equals(Integer.toString(answer.statusCode()))) {
                        answers.add(Integer.toString(answer.statusCode()));
                    }
                    Thread.sleep(20);
                }
                catch (Exception e) {
                    answers.add(e.toString());
                }
            }
        });
        probe.start();
        Build updated;
        try {
            updated = push("Stock 1.1: a migration");
        }
        finally {
            updating.set(false);
            probe.join();
        }
        assertThat(answers).as("production's name during the update, each change of answer").containsExactly("200", "503", "200");

        assertThat(updated.state()).as(updated.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(updated.verdict()).contains(BuildVerdict.SUCCESS);
        assertThat(modules()).isEqualTo("acme_sale:installed:17.0.1.0.0:false,acme_stock:installed:17.0.1.1.0:false");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT string_agg(name || '=' || coalesce(city, ''), ',' ORDER BY name) FROM res_partner WHERE name IN ('Azure Interior', 'Deco Addict')"))
                .isEqualTo("Azure Interior=,Deco Addict=stock 1.1 was here");
        assertThat(attachmentContent()).isEqualTo(ATTACHMENT);
        List<String> updateLog = stagehand.builds().log(updated.id(), LogName.UPDATE);
        assertThat(updateLog).anySatisfy(line -> assertThat(line).contains("update acme_stock (17.0.1.0.0 → 17.0.1.1.0)"));
        assertThat(updateLog).anySatisfy(line -> assertThat(line).contains("module acme_stock: Running migration"));
        assertThat(updateLog).noneSatisfy(line -> assertThat(line).contains("module acme_sale: Running migration"));
        assertThat(stagehand.builds().build(previous.id()).state()).isEqualTo(BuildState.STOPPED);
        assertThat(health(updated)).isEqualTo(200);
        // Production's name reaches it through the platform.
        HttpResponse<String> proxied = throughProxy(PROJECT + ".stagehand.localhost", "/web/login");
        assertThat(proxied.statusCode()).isEqualTo(200);
        assertThat(proxied.body()).contains("oe_login_form");
        assertThat(throughProxy("gone-feature-99.stagehand.localhost", "/web/login").statusCode()).isEqualTo(404);
        // So does a custom domain of the production branch, a branch setting.
        HttpResponse<String> domains = api("PUT", "/api/projects/" + PROJECT + "/branches/main", "{\"domains\": [\"WWW." + PROJECT + ".example.\", \"" + PROJECT + ".example\"]}");
        assertThat(domains.statusCode()).as(domains.body()).isEqualTo(200);
        assertThat(domains.body()).contains("\"domains\":[\"www." + PROJECT + ".example\",\"" + PROJECT + ".example\"]");
        assertThat(throughProxy("www." + PROJECT + ".example", "/web/login").body()).contains("oe_login_form");
        assertThat(api("GET", "/api/hosts?domain=www." + PROJECT + ".example", null).body()).contains("\"route\":\"SERVE\"");
        assertThat(api("GET", "/api/hosts?domain=nobody.example", null).statusCode()).as("a name nobody claimed: no certificate for it").isEqualTo(404);
        assertThat(throughProxy("nobody.example", "/health").body()).as("the platform's own pages").contains("\"status\":\"UP\"");
        HttpResponse<String> refused = api("PUT", "/api/projects/" + PROJECT + "/branches/other", "{\"domains\": [\"https://shop.example/web\"]}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("without a scheme, port or path");
        HttpResponse<String> taken = api("PUT", "/api/projects/" + PROJECT + "/branches/other", "{\"domains\": [\"" + PROJECT + ".example\"]}");
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(taken.body()).contains("already a custom domain of branch main");

        // Odoo's bus websocket goes through the platform too, by production's names.
        String production = PROJECT + ".stagehand.localhost";
        assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), "/websocket", Map.of("Host", production)))
                .as("Odoo's own refusal, relayed").startsWith("HTTP/1.1 400").contains("refused the websocket upgrade with 400");
        assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), "/websocket", Map.of("Host", production, "Origin", "https://" + production, "Sec-WebSocket-Version", "12")))
                .startsWith("HTTP/1.1 426").containsIgnoringCase("Sec-WebSocket-Version: 13");
        assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), "/websocket", Map.of("Origin", "http://127.0.0.1")))
                .as("the platform's own name has no websocket").startsWith("HTTP/1.1 404").contains("The platform has no websocket");
        String session = "session_id=" + logIn(updated);
        try (TestingWebSocket socket = TestingWebSocket.connect(URI.create("ws://127.0.0.1:" + server.port() + "/websocket"),
                Map.of("Host", "www." + PROJECT + ".example", "Origin", "https://www." + PROJECT + ".example", "Cookie", session))) {
            socket.send("{\"event_name\": \"subscribe\", \"data\": {\"channels\": [\"stagehand\"], \"last\": 0}}");
            assertThat(socket.receiveFromTheBus(postgres, PRODUCTION_DATABASE, "stagehand", "{\"type\": \"stagehand/hello\", \"payload\": {\"to\": \"production\"}}"))
                    .contains("\"type\": \"stagehand/hello\"", "\"payload\": {\"to\": \"production\"}");
            // Logged out, Odoo closes the socket at its next message with SESSION_EXPIRED: relayed as it is.
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + updated.hostPort().orElseThrow() + "/web/session/logout")).header("Cookie", session).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(303);
            socket.send("{\"event_name\": \"subscribe\", \"data\": {\"channels\": [\"stagehand\"], \"last\": 0}}");
            assertThat(socket.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(4001);
        }
        // As Odoo.sh does, an update backup first, of production as the previous build served it.
        Backup before = stagehand.productionBackups().list(PROJECT).get(0);
        assertThat(before.kind()).isEqualTo(BackupKind.UPDATE);
        assertThat(before.commitId()).contains(previous.commitId());
        assertThat(before.odooManifest().get("modules")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("acme_stock", "17.0.1.0.0");
        assertThat(before.logs()).containsKeys("install.log", "odoo.log");
        assertThat(updateLog).anySatisfy(line -> assertThat(line).contains("Update backup " + before.id() + " taken while production served"));
        // The history says what was pushed, though it was found by polling, not told by a webhook.
        assertThat(stagehand.builds().history(PROJECT, Optional.of("main"), 20))
                .anySatisfy(event -> assertThat(event.message()).startsWith("Push to main: ").endsWith("(1 commit: 'Stock 1.1: a migration' by Stagehand Test)"));
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '" + PROJECT + "\\_snapshot\\_%'")).as("snapshot dropped").isEqualTo("0");
    }

    @Test
    @Order(3)
    void testAMigrationFailingAfterAnotherModuleWasUpdatedPutsProductionBack()
            throws Exception
    {
        Build previous = serving();
        String before = dump();
        List<String> filesBefore = filestoreFiles();
        // acme_sale's migration runs and is committed (Odoo commits each module) before acme_stock's raises.
        module(repository, "acme_sale", "17.0.1.2.0", "'mail', 'payment'", "");
        repository.writeFile("acme_sale/migrations/17.0.1.2.0/post-rename.py", """
                def migrate(cr, version):
                    cr.execute("UPDATE res_partner SET name = name || ' (migrated)'")
                    cr.execute("CREATE TABLE acme_sale_half_done (id int)")
                """);
        module(repository, "acme_stock", "17.0.1.2.0", "'acme_sale'", "");
        repository.writeFile("acme_stock/migrations/17.0.1.2.0/post-broken.py", """
                def migrate(cr, version):
                    raise ValueError("stock 1.2 cannot migrate the warehouses")
                """);
        Build failed = push("Sale and stock 1.2");

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElse("")).contains("Production update to", "failed", "see update.log", "serves production again");
        assertThat(stagehand.builds().log(failed.id(), LogName.UPDATE))
                .anySatisfy(line -> assertThat(line).contains("module acme_sale: Running migration"))
                .anySatisfy(line -> assertThat(line).contains("stock 1.2 cannot migrate the warehouses"));
        assertServesAgain(previous, before, filesBefore);
        assertThat(events(failed)).anySatisfy(event -> assertThat(event.kind()).isEqualTo(EventKind.PRODUCTION_ROLLED_BACK));
    }

    @Test
    @Order(4)
    void testANewServerThatIsNotHealthyAfterASuccessfulUpdatePutsProductionBack()
            throws Exception
    {
        Build previous = serving();
        String before = dump();
        List<String> filesBefore = filestoreFiles();
        repository.git("checkout", "--", ".");
        repository.git("clean", "-fdq");
        // Its update succeeds (--stop-after-init), but the server it starts cannot load the registry.
        module(repository, "acme_sale", "17.0.1.3.0", "'mail', 'payment'", """
                from odoo.tools import config

                if not config['stop_after_init']:
                    raise ImportError("acme_sale needs the payment SDK, which this server does not have")
                """);
        repository.deleteFile("acme_sale/migrations/17.0.1.2.0/post-rename.py");
        repository.deleteFile("acme_stock/migrations/17.0.1.2.0/post-broken.py");
        module(repository, "acme_stock", "17.0.1.1.0", "'acme_sale'", "");
        Build failed = push("Sale 1.3");

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElse("")).contains("/web/login", "serves production again");
        assertThat(stagehand.builds().log(failed.id(), LogName.UPDATE)).anySatisfy(line -> assertThat(line).contains("Modules loaded."));
        assertServesAgain(previous, before, filesBefore);
    }

    @Test
    @Order(5)
    void testAStagingBuildIsANeutralizedCopyOfProductionWhoseMailIsCaught()
            throws Exception
    {
        repository.git("checkout", "--", ".");
        repository.git("clean", "-fdq");
        // What production holds that a staging copy must not act on.
        postgres.execute(PRODUCTION_DATABASE, "INSERT INTO ir_mail_server (name, smtp_host, smtp_port, active, sequence) VALUES ('Office 365', 'smtp.office365.com', 587, true, 1)");
        postgres.execute(PRODUCTION_DATABASE, "INSERT INTO payment_provider (name, code, state) VALUES ('{\"en_US\": \"Stripe\"}', 'stripe', 'enabled')");
        Build production = serving();

        repository.switchTo("main").createBranch("staging");
        stagehand.projects().poll(PROJECT);
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "staging").withStage(Stage.STAGING));
        repository.switchTo("staging");
        // Main still holds the acme_sale that cannot serve (the push production refused above): staging fixes it.
        module(repository, "acme_sale", "17.0.1.3.0", "'mail', 'payment'", "");
        module(repository, "acme_newsletter", "17.0.1.0.0", "'acme_sale'", """
                def post_init(env):
                    env['mail.mail'].create({'subject': 'Our spring newsletter', 'email_to': 'all-customers@example.com', 'body_html': '<p>Spring!</p>'}).send()
                """);
        repository.commit("A newsletter, tried on staging first");
        repository.switchTo("main");
        List<Build> queued = stagehand.projects().poll(PROJECT);
        assertThat(queued).singleElement().satisfies(build -> assertThat(build.stage()).isEqualTo(Stage.STAGING));
        Build staging = awaitBuild(queued.get(0).id());

        assertThat(staging.state()).as(staging.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(staging.verdict()).contains(BuildVerdict.SUCCESS);
        String database = staging.databaseName();
        assertThat(database).isEqualTo(PROJECT + "-staging-" + staging.id());
        // Production's data, and the new module installed on top.
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM res_partner WHERE name IN ('Azure Interior', 'Deco Addict')")).isEqualTo("2");
        assertThat(postgres.queryForString(database, "SELECT state FROM ir_module_module WHERE name = 'acme_newsletter'")).isEqualTo("installed");
        assertThat(stagehand.builds().log(staging.id(), LogName.NEUTRALIZE))
                .anySatisfy(line -> assertThat(line).contains("Neutralization finished"))
                .anySatisfy(line -> assertThat(line).contains("mail catcher"));
        // Neutralized, as Odoo does it: no live mail server but the catcher, no cron but the
        // auto-vacuum, no live payment provider, the flag.
        assertThat(postgres.queryForString(database, "SELECT string_agg(name || '@' || smtp_host || ':' || smtp_port, ',') FROM ir_mail_server WHERE active"))
                .isEqualTo("neutralization - disable emails@" + docker.networkGateway() + ":" + smtpPort);
        assertThat(postgres.queryForString(database, "SELECT string_agg(cron_name, ',') FROM ir_cron WHERE active")).isEqualTo("Base: Auto-vacuum internal data");
        assertThat(postgres.queryForString(database, "SELECT state FROM payment_provider WHERE code = 'stripe'")).isEqualTo("disabled");
        assertThat(postgres.queryForString(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        // The newsletter sent at install was caught, attributed to the staging build.
        assertThat(stagehand.mail().mails(staging.id())).singleElement()
                .satisfies(mail -> assertThat(mail.message().subject()).isEqualTo("Our spring newsletter"));
        // The filestore is production's, shared through hard links.
        String storeName = postgres.queryForString(database, "SELECT store_fname FROM ir_attachment WHERE name = 'contract.txt'");
        Path stagingFile = temp.resolve("data/workspaces/" + staging.id() + "/data/filestore/" + database).resolve(storeName);
        assertThat(Files.readString(stagingFile)).isEqualTo(ATTACHMENT);
        assertThat(Files.getAttribute(stagingFile, "unix:ino")).isEqualTo(Files.getAttribute(productionFilestore.resolve(storeName), "unix:ino"));
        // Odoo's banner, from the neutralization, on the staging server's login page.
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + staging.hostPort().orElseThrow() + "/web/login")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("Database neutralized for testing");
        // Through the platform, by the build's host name and by its branch's.
        assertThat(throughProxy(staging.hostname(), "/web/login").body()).contains("oe_login_form", "Database neutralized for testing");
        assertThat(throughProxy(PROJECT + "-" + staging.branch() + ".stagehand.localhost", "/web/login").body()).contains("Database neutralized for testing");
        // Production itself is untouched and still serving.
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT active FROM ir_mail_server WHERE name = 'Office 365'")).isEqualTo("t");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM ir_module_module WHERE name = 'acme_newsletter'")).isEqualTo("0");
        assertThat(serving().id()).isEqualTo(production.id());
        assertThat(health(serving())).isEqualTo(200);
    }

    @Test
    @Order(6)
    void testAMergeIntoStagingMovesOnlyCodeAndUpdatesThePreviousStagingBuild()
            throws Exception
    {
        Build previous = stagehand.builds().builds(PROJECT, "staging").get(0);
        assertThat(previous.state()).isEqualTo(BuildState.RUNNING);
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "staging").withOnNewCommit(OnNewCommit.UPDATE_PREVIOUS));
        // Data someone entered on staging: "update previous build" keeps it.
        postgres.execute(previous.databaseName(), "INSERT INTO res_partner (name) VALUES ('Tried on staging')");
        repository.switchTo("other");
        module(repository, "acme_report", "17.0.1.0.0", "'acme_sale'", "");
        String developed = repository.commit("A report, developed on its own branch");
        repository.switchTo("main");
        stagehand.projects().poll(PROJECT);
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);

        ProjectService.MergeOutcome merge = stagehand.projects().merge(PROJECT, "other", "staging");

        assertThat(merge.result().kind()).isEqualTo(MergeResult.Kind.MERGE_COMMIT);
        assertThat(repository.git("log", "-1", "--format=%P %s", "staging").strip()).contains(developed, "Merge branch 'other' into staging");
        Build updated = awaitBuild(merge.build().orElseThrow().id());
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
        assertThat(updated.stage()).isEqualTo(Stage.STAGING);
        assertThat(updated.commitId()).isEqualTo(merge.result().commitId());
        assertThat(updated.state()).as(updated.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(updated.message().orElse("")).contains("staging updated from build " + previous.id(), "install acme_report");
        assertThat(postgres.queryForString(updated.databaseName(), "SELECT count(*) FROM res_partner WHERE name = 'Tried on staging'")).isEqualTo("1");
        assertThat(postgres.queryForString(updated.databaseName(), "SELECT state FROM ir_module_module WHERE name = 'acme_report'")).isEqualTo("installed");
        assertThat(postgres.queryForString(updated.databaseName(), "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        assertThat(postgres.queryForString(updated.databaseName(), "SELECT smtp_user FROM ir_mail_server WHERE active")).as("mail now logs in as the new build").isEqualTo(Long.toString(updated.id()));
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + previous.databaseName() + "'")).isEqualTo("0");
        assertThat(stagehand.builds().build(previous.id()).state()).isEqualTo(BuildState.STOPPED);
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM ir_module_module WHERE name = 'acme_report'")).as("only code moved, and only to staging").isEqualTo("0");

        // A conflicting merge pushes nothing and builds nothing.
        repository.switchTo("other");
        repository.writeFile("NOTES.md", "written on other\n");
        repository.commit("Notes on other");
        repository.switchTo("staging");
        repository.writeFile("NOTES.md", "written on staging\n");
        String stagingHead = repository.commit("Notes on staging");
        repository.switchTo("main");
        stagehand.projects().poll(PROJECT);
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
        int buildsBefore = stagehand.builds().builds(PROJECT, "staging").size();
        assertThatThrownBy(() -> stagehand.projects().merge(PROJECT, "other", "staging"))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("conflict in [NOTES.md]")
                .hasMessageContaining("Nothing was pushed");
        assertThat(repository.git("rev-parse", "staging").strip()).isEqualTo(stagingHead);
        assertThat(stagehand.builds().builds(PROJECT, "staging")).hasSize(buildsBefore);

        // Back to development, as on Odoo.sh: a push does nothing.
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "staging").movedTo(Stage.DEVELOPMENT));
        assertThat(stagehand.projects().branch(PROJECT, "staging").onNewCommit()).isEqualTo(OnNewCommit.DO_NOTHING);
        repository.switchTo("staging");
        repository.writeFile("NOTES.md", "one more\n");
        repository.commit("One more note");
        repository.switchTo("main");
        assertThat(stagehand.projects().poll(PROJECT)).isEmpty();
        assertThat(stagehand.builds().history(PROJECT, Optional.of("staging"), 5)).anySatisfy(event -> assertThat(event.message()).contains("not built: the branch's behaviour on new commit is 'do nothing'"));
    }

    @Test
    @Order(7)
    void testAPlatformKilledInTheMiddleOfAProductionUpdateServesTheOldRevisionOnTheSameDataAtItsNextStart()
            throws Exception
    {
        repository.git("checkout", "--", ".");
        repository.git("clean", "-fdq");
        repository.switchTo("main");
        Build previous = serving();
        String before = dump();
        List<String> filesBefore = filestoreFiles();

        // Production handed over to a platform in a process of its own, which is then killed.
        server.close();
        stagehand.close();
        Map<String, String> killedProperties = new HashMap<>(properties);
        killedProperties.put("platform.poll-interval", "1s");
        int killedPort = TestingPorts.freeStablePort();
        killedProperties.put("http.port", Integer.toString(killedPort));
        Process platform = TestingPlatform.startInAProcessOfItsOwn(killedProperties, temp, "killed-platform");
        try {
            // An update that commits acme_sale's migration, then hangs in acme_stock's.
            module(repository, "acme_sale", "17.0.1.4.0", "'mail', 'payment'", "");
            repository.writeFile("acme_sale/migrations/17.0.1.4.0/post-reached.py", """
                    def migrate(cr, version):
                        cr.execute("CREATE TABLE acme_sale_reached (id int)")
                        cr.execute("UPDATE res_partner SET city = 'half-updated'")
                    """);
            module(repository, "acme_stock", "17.0.1.4.0", "'acme_sale'", "");
            repository.writeFile("acme_stock/migrations/17.0.1.4.0/post-slow.py", """
                    import time

                    def migrate(cr, version):
                        time.sleep(300)
                    """);
            repository.commit("Sale and stock 1.4, with a slow migration");
            long deadline = System.nanoTime() + BUILD_TIMEOUT.toNanos();
            while (!"1".equals(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM pg_tables WHERE tablename = 'acme_sale_reached'"))) {
                assertThat(platform.isAlive()).as("the platform runs; see " + temp.resolve("killed-platform.log")).isTrue();
                assertThat(System.nanoTime()).as("acme_sale's migration committed in time").isLessThan(deadline);
                Thread.sleep(200);
            }
            // Meanwhile production's name answers the maintenance page, as on Odoo.sh.
            HttpResponse<String> maintenance = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + killedPort + "/web/login"))
                    .header("Host", PROJECT + ".stagehand.localhost").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(maintenance.statusCode()).isEqualTo(503);
            assertThat(maintenance.headers().firstValue("Retry-After")).isPresent();
            assertThat(maintenance.body()).contains("being updated");
            HttpResponse<String> customDomain = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + killedPort + "/web/login"))
                    .header("Host", "www." + PROJECT + ".example").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(customDomain.statusCode()).as("production's custom domain too").isEqualTo(503);
            assertThat(TestingWebSocket.rawHandshake("127.0.0.1", killedPort, "/websocket", Map.of("Host", PROJECT + ".stagehand.localhost", "Origin", "https://x")))
                    .as("its websocket too").startsWith("HTTP/1.1 503");
        }
        finally {
            platform.destroyForcibly();     // SIGKILL
            platform.waitFor();
        }

        // The next start puts production back before anything else.
        launch(properties);

        Build interrupted = stagehand.builds().builds(PROJECT, "main").get(0);
        assertThat(interrupted.id()).isGreaterThan(previous.id());
        assertThat(interrupted.state()).isEqualTo(BuildState.FAILED);
        assertThat(interrupted.message().orElse("")).contains("the platform restarted while this build was updating", "put back as they were before its update");
        assertServesAgain(previous, before, filesBefore);
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM pg_tables WHERE tablename = 'acme_sale_reached'")).isEqualTo("0");
        assertThat(docker("ps", "--all", "--format", "{{.Names}} {{.Status}} {{.Labels}}", "--filter", "label=sh.stagehand.instance=prod-it", "--filter", "label=sh.stagehand.build=" + interrupted.id()))
                .as("nothing of the interrupted build left; history: " + stagehand.builds().history(PROJECT, Optional.of("main"), 30))
                .isBlank();
    }

    private static String docker(String... arguments)
            throws Exception
    {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", docker.host().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output.strip();
    }

    @Test
    @Order(8)
    void testSnapshotsLeftBehindAreDealtWithAtStartAndAnUnclearOneStopsUpdates()
            throws Exception
    {
        Build serving = serving();
        String before = dump();
        // What a platform killed while PostgreSQL finished a snapshot leaves: a database snapshot
        // without its filestore snapshot, so its update never ran. And a whole snapshot of an old
        // production build: nobody can tell whether it should be put back.
        postgres.execute("postgres", "CREATE DATABASE \"" + PROJECT + "_snapshot_" + (serving.id() + 1000) + "\" TEMPLATE template0");
        Path unclear = temp.resolve("data/workspaces/production/" + PROJECT + "/snapshots/1");
        Files.createDirectories(unclear);
        // What a platform stopped while verifying a backup or neutralizing a download leaves.
        stagehand.databases().create(PROJECT + "_verify_dead00");
        stagehand.databases().create(PROJECT + "_neutralize_dead00");
        Path scratch = Files.createDirectories(temp.resolve("data/backup-scratch/work-left"));
        Path task = Files.createDirectories(temp.resolve("data/workspaces/tasks/download-left"));
        restartPlatform();

        assertThat(stagehand.databases().list(PROJECT + "_")).noneMatch(name -> name.contains("_verify_") || name.contains("_neutralize_"));
        assertThat(scratch).doesNotExist();
        assertThat(task).doesNotExist();

        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '" + PROJECT + "\\_snapshot\\_%'")).isEqualTo("0");
        assertThat(unclear).isDirectory();
        assertThat(dump()).isEqualTo(before);
        assertThat(serving().id()).isEqualTo(serving.id());

        repository.git("checkout", "--", ".");
        repository.git("clean", "-fdq");
        module(repository, "acme_stock", "17.0.1.5.0", "'acme_sale'", "");
        Build refused = push("Stock 1.5, while a snapshot waits for a person");
        assertThat(refused.state()).isEqualTo(BuildState.FAILED);
        assertThat(refused.message().orElse("")).contains("the snapshot taken before build 1, whose rollback did not finish");
        assertThat(dump()).isEqualTo(before);
        assertThat(health(serving())).isEqualTo(200);
        Files.delete(unclear);
    }

    @Test
    @Order(9)
    void testABackupRestoresProductionToTheByteAndDownloadsAsOdoosZip()
            throws Exception
    {
        Build serving = serving();
        // A user logged in to production: Odoo keeps the session in <data_dir>/sessions.
        String sessionId = logIn(serving);
        Path sessions = productionFilestore.getParent().getParent().resolve("sessions");
        Path sessionFile = sessions.resolve(sessionId.substring(0, 2)).resolve(sessionId);
        assertThat(sessionFile).exists();
        // Its request reaches odoo.log as the server's output is followed: the container wrote it
        // (docker logs, which reads nothing of the platform's), and a moment later the platform has it.
        for (int attempt = 0; attempt < 50 && !containerOutput(serving).contains("POST /web/session/authenticate"); attempt++) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
        String before = dump();
        List<String> filesBefore = filestoreFiles();

        HttpResponse<String> created = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String backupId = JSON.readTree(created.body()).path("id").asText();
        assertThat(backupId).endsWith("-manual");
        assertThat(JSON.readTree(created.body()).path("files").asInt()).isEqualTo(filesBefore.size());
        // Odoo.sh's backups hold the logs and the sessions too.
        assertThat(JSON.readTree(created.body()).path("sessions").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(JSON.readTree(created.body()).path("logs").toString()).contains("odoo.log", "update.log");
        HttpResponse<String> odooLog = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/" + backupId
                + "/logs/odoo.log")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(odooLog.statusCode()).isEqualTo(200);
        assertThat(odooLog.body()).contains("POST /web/session/authenticate");
        HttpResponse<String> noLog = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/" + backupId
                + "/logs/neutralize.log")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noLog.statusCode()).isEqualTo(404);
        assertThat(noLog.body()).contains("has no neutralize.log", "odoo.log");
        // Verified as it was taken: restored into a scratch database and checked.
        assertThat(JSON.readTree(created.body()).path("verification").asText()).as(created.body()).isEqualTo("PASSED");
        assertThat(stagehand.builds().history(PROJECT, Optional.empty(), 10)).anySatisfy(event -> assertThat(event.message()).startsWith("Backup " + backupId + " verified"));

        // Content-addressed: a second backup of the same production stores nothing but its record and its verification.
        int objects = stagehand.backups().list("projects/" + PROJECT + "/").size();
        stagehand.productionBackups().create(PROJECT, BackupKind.MANUAL);
        assertThat(stagehand.backups().list("projects/" + PROJECT + "/")).hasSize(objects + 2);
        // A replica that lost an object, or holds it corrupt, is healed by the next verification.
        ReplicatedBackupStore replicated = (ReplicatedBackupStore) stagehand.backups();
        String someChunk = "projects/" + PROJECT + "/chunks/" + stagehand.productionBackups().get(PROJECT, backupId).dump().chunks().get(0);
        replicated.replicas().get("us").delete(someChunk);
        // And a replica whose disk flipped a bit of an attachment.
        String someFile = "projects/" + PROJECT + "/files/" + stagehand.productionBackups().get(PROJECT, backupId).files().get(0).sha256();
        FilesystemBackupStore asia = (FilesystemBackupStore) replicated.replicas().get("asia");
        Path blob = asia.blobPath(asia.stat(someFile).orElseThrow().sha256());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(blob, bytes);
        assertThat(stagehand.productionBackups().verify(PROJECT, backupId).healed()).containsExactlyInAnyOrder("us: " + someChunk, "asia: " + someFile);
        assertThat(stagehand.productionBackups().verify(PROJECT, backupId).healed()).isEmpty();
        assertThat(replicated.replicas().get("us").stat(someChunk)).isPresent();
        // On every replica, each object with its checksum.
        assertThat(stagehand.backups()).isInstanceOfSatisfying(ReplicatedBackupStore.class, store -> assertThat(store.replicas()).hasSize(3)
                .allSatisfy((name, replica) -> assertThat(replica.list("projects/" + PROJECT + "/")).hasSize(objects + 2)));

        // What a bad day does to production: rows deleted, an attachment's file lost.
        postgres.execute(PRODUCTION_DATABASE, "DELETE FROM res_partner WHERE name = 'Deco Addict'");
        String storeName = postgres.queryForString(PRODUCTION_DATABASE, "SELECT store_fname FROM ir_attachment WHERE name = 'contract.txt'");
        Files.delete(productionFilestore.resolve(storeName));
        deleteTree(sessions);

        HttpResponse<String> restored = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/" + backupId + "/restore"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        assertThat(JSON.readTree(restored.body()).path("before").path("kind").asText()).as("an update backup first").isEqualTo("UPDATE");

        assertThat(dump()).as("production's database, to the byte").isEqualTo(before);
        assertThat(filestoreFiles()).isEqualTo(filesBefore);
        assertThat(attachmentContent()).isEqualTo(ATTACHMENT);
        Build after = serving();
        assertThat(after.id()).isEqualTo(serving.id());
        assertThat(health(after)).isEqualTo(200);
        // The sessions are back, and Odoo, as its own user, keeps writing sessions and attachments.
        assertThat(sessionFile).exists();
        assertThat(logIn(after)).isNotEqualTo(sessionId);
        assertWritableByOdoo(productionFilestore, storeName.substring(0, 2));

        // The download is Odoo's database manager zip.
        HttpResponse<byte[]> zip = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/" + backupId + "/download")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(zip.statusCode()).isEqualTo(200);
        List<String> entries = new java.util.ArrayList<>();
        String manifest = null;
        String dumpSql = null;
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip.body()))) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.add(entry.getName());
                byte[] content = in.readAllBytes();
                if (entry.getName().equals("manifest.json")) {
                    manifest = new String(content, StandardCharsets.UTF_8);
                }
                if (entry.getName().equals("dump.sql")) {
                    dumpSql = new String(content, StandardCharsets.UTF_8);
                }
            }
        }
        assertThat(entries.get(0)).isEqualTo("dump.sql");
        assertThat(entries).contains("manifest.json", "filestore/" + storeName);
        assertThat(dumpSql).contains("PostgreSQL database dump", "Azure Interior").doesNotContain("OWNER TO");
        var odoo = JSON.readTree(manifest);
        assertThat(odoo.path("odoo_dump").asText()).isEqualTo("1");
        assertThat(odoo.path("db_name").asText()).isEqualTo(PRODUCTION_DATABASE);
        assertThat(odoo.path("major_version").asText()).isEqualTo("17.0");
        assertThat(odoo.path("pg_version").asText()).matches("\\d+\\.\\d+");
        assertThat(odoo.path("modules").path("acme_sale").asText()).startsWith("17.0.");

        // Odoo's own database manager takes it: the test server's `odoo db load`, as Odoo 17's.
        TestingOdooServer odooServer = new TestingOdooServer(postgres, docker, temp.resolve("loader-addons"), temp.resolve("loader-data"));
        Files.write(odooServer.dataDirectory().resolve("backup.zip"), zip.body());
        try {
            TestingOdooServer.Run loaded = odooServer.run("db", "load", PROJECT + "_loaded", "/var/lib/odoo/backup.zip");
            assertThat(loaded.exitCode()).as(loaded.output()).isZero();
            assertThat(postgres.queryForString(PROJECT + "_loaded", "SELECT count(*) FROM res_partner WHERE name IN ('Azure Interior', 'Deco Addict')")).isEqualTo("2");
            assertThat(Files.readString(odooServer.dataDirectory().resolve("filestore/" + PROJECT + "_loaded/" + storeName))).isEqualTo(ATTACHMENT);
        }
        finally {
            postgres.execute("DROP DATABASE IF EXISTS \"" + PROJECT + "_loaded\" WITH (FORCE)");
        }

        // For testing, the dump of a neutralized copy: Odoo's own neutralize ran on it.
        HttpResponse<byte[]> neutralized = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/" + backupId
                + "/download?neutralized=true&filestore=false")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(neutralized.statusCode()).as(new String(neutralized.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(neutralized.headers().firstValue("Content-Disposition").orElse("")).contains(backupId + "_neutralized_nofilestore.zip");
        assertThat(zipEntries(neutralized.body())).containsExactly("dump.sql", "manifest.json");
        Files.write(odooServer.dataDirectory().resolve("neutralized.zip"), neutralized.body());
        try {
            TestingOdooServer.Run loaded = odooServer.run("db", "load", PROJECT + "_neutral", "/var/lib/odoo/neutralized.zip");
            assertThat(loaded.exitCode()).as(loaded.output()).isZero();
            assertThat(postgres.queryForString(PROJECT + "_neutral", "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
            assertThat(postgres.queryForString(PROJECT + "_neutral", "SELECT count(*) FROM ir_mail_server WHERE active AND smtp_host <> 'invalid'")).isEqualTo("0");
            assertThat(postgres.queryForString(PROJECT + "_neutral", "SELECT string_agg(cron_name, ',') FROM ir_cron WHERE active")).isEqualTo("Base: Auto-vacuum internal data");
            assertThat(postgres.queryForString(PROJECT + "_neutral", "SELECT count(*) FROM res_partner WHERE name IN ('Azure Interior', 'Deco Addict')")).isEqualTo("2");
        }
        finally {
            postgres.execute("DROP DATABASE IF EXISTS \"" + PROJECT + "_neutral\" WITH (FORCE)");
        }
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).as("production untouched").isEqualTo("0");
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '" + PROJECT + "\\_neutralize\\_%'")).as("no copy left").isEqualTo("0");
        HttpResponse<String> badOption = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/" + backupId
                + "/download?neutralized=perhaps")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badOption.statusCode()).isEqualTo(400);
        assertThat(badOption.body()).contains("'neutralized' is 'perhaps'; send true or false");

        HttpResponse<String> missing = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/20990101T000000Z-manual/download")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    @Order(10)
    void testAZipBuiltByHandImportsIntoABranchNeutralizedAndAHostileOneIsRefused()
            throws Exception
    {
        Build target = stagehand.builds().builds(PROJECT, "other").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
        String storeName = postgres.queryForString(PRODUCTION_DATABASE, "SELECT store_fname FROM ir_attachment WHERE name = 'contract.txt'");
        // Odoo's documented layout, by hand: a plain pg_dump, the filestore, manifest.json.
        Process pgDump = postgres.adminProgram("pg_dump", "--no-owner", "--dbname=" + PRODUCTION_DATABASE)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] sql = pgDump.getInputStream().readAllBytes();
        assertThat(pgDump.waitFor()).isZero();
        java.io.ByteArrayOutputStream zipBytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(zipBytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("dump.sql"));
            zip.write(sql);
            zip.putNextEntry(new java.util.zip.ZipEntry("manifest.json"));
            zip.write("{\"odoo_dump\": \"1\", \"db_name\": \"customer-db\", \"version\": \"17.0\", \"major_version\": \"17.0\", \"modules\": {}}".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new java.util.zip.ZipEntry("filestore/" + storeName));
            zip.write(ATTACHMENT.getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> imported = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/other?filename=customer.zip"))
                .header("Content-Type", "application/zip").POST(HttpRequest.BodyPublishers.ofByteArray(zipBytes.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);

        String database = target.databaseName();
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM res_partner WHERE name IN ('Azure Interior', 'Deco Addict')")).isEqualTo("2");
        assertThat(postgres.queryForString(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        assertThat(postgres.queryForString(database, "SELECT string_agg(smtp_host || ':' || smtp_user, ',') FROM ir_mail_server WHERE active")).isEqualTo(docker.networkGateway() + ":" + target.id());
        assertThat(postgres.queryForString(database, "SELECT string_agg(cron_name, ',') FROM ir_cron WHERE active")).isEqualTo("Base: Auto-vacuum internal data");
        assertThat(Files.readString(temp.resolve("data/workspaces/" + target.id() + "/data/filestore/" + database).resolve(storeName))).isEqualTo(ATTACHMENT);
        assertThat(stagehand.builds().log(target.id(), LogName.IMPORT)).anySatisfy(line -> assertThat(line).contains("Done: the imported database is neutralized and served"));
        Build serving = stagehand.builds().build(target.id());
        assertThat(health(serving)).isEqualTo(200);

        // A zip that climbs out of its directory changes nothing.
        String partners = postgres.queryForString(database, "SELECT count(*) FROM res_partner");
        java.io.ByteArrayOutputStream evil = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(evil)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("dump.sql"));
            zip.write("DELETE FROM res_partner;".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new java.util.zip.ZipEntry("filestore/../../../../../tmp/stagehand-zip-slip"));
            zip.write("pwned".getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> refused = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/other?filename=evil.zip"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(evil.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("climbs out of the archive", "Nothing was imported");
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM res_partner")).isEqualTo(partners);
        assertThat(Path.of("/tmp/stagehand-zip-slip")).doesNotExist();
        HttpResponse<String> notAZip = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/other?filename=photo.jpg"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0x00})).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notAZip.statusCode()).isEqualTo(400);
        assertThat(notAZip.body()).contains("is none of a zip of Odoo's database manager");
        // A backup of production restored into the branch comes out neutralized too.
        String backupId = stagehand.productionBackups().list(PROJECT).get(0).id();
        postgres.execute(database, "DELETE FROM res_partner WHERE name = 'Azure Interior'");
        HttpResponse<String> restoredIntoBranch = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/" + backupId + "/restore/other"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(restoredIntoBranch.statusCode()).as(restoredIntoBranch.body()).isEqualTo(200);
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM res_partner WHERE name = 'Azure Interior'")).isEqualTo("1");
        assertThat(postgres.queryForString(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");

        // A whole dump, but of another application's database: refused before it takes the place.
        String partnersNow = postgres.queryForString(database, "SELECT count(*) FROM res_partner");
        postgres.execute("CREATE DATABASE prodit_foreign_app OWNER \"" + postgres.user() + "\"");
        postgres.execute("prodit_foreign_app", "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1)");
        Process foreignDump = postgres.adminProgram("pg_dump", "--no-owner", "--dbname=prodit_foreign_app").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] foreign = foreignDump.getInputStream().readAllBytes();
        assertThat(foreignDump.waitFor()).isZero();
        postgres.execute("DROP DATABASE prodit_foreign_app");
        HttpResponse<String> foreignImport = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/other?filename=invoices.sql"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(foreign)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreignImport.statusCode()).as(foreignImport.body()).isEqualTo(400);
        assertThat(foreignImport.body()).contains("invoices.sql", "no Odoo database", "as it was");
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM res_partner")).isEqualTo(partnersNow);
        assertThat(health(stagehand.builds().build(target.id()))).isEqualTo(200);

        // pg_dump's custom format, as Odoo's database manager restores one (pg_restore --no-owner).
        Process customDump = postgres.adminProgram("pg_dump", "--format=custom", "--dbname=" + PRODUCTION_DATABASE).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] custom = customDump.getInputStream().readAllBytes();
        assertThat(customDump.waitFor()).isZero();
        postgres.execute(database, "DELETE FROM res_partner WHERE name = 'Deco Addict'");
        HttpResponse<String> customImported = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/other?filename=customer.dump"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(custom)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(customImported.statusCode()).as(customImported.body()).isEqualTo(200);
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM res_partner WHERE name = 'Deco Addict'")).isEqualTo("1");
        assertThat(postgres.queryForString(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        assertThat(stagehand.builds().log(target.id(), LogName.IMPORT)).anySatisfy(line -> assertThat(line).contains("custom-format file"));

        // Into production, as Odoo.sh imports: an update backup first, then the import with its mail
        // servers and scheduled actions off; a dump that does not restore changes nothing.
        Build production = serving();
        String productionBefore = dump();
        String wholeSql = new String(sql, StandardCharsets.UTF_8);
        HttpResponse<String> cutImport = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/main?filename=cut.sql"))
                .POST(HttpRequest.BodyPublishers.ofString(wholeSql.substring(0, wholeSql.indexOf("\n", wholeSql.length() / 2) + 1))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cutImport.statusCode()).as(cutImport.body()).isEqualTo(400);
        assertThat(cutImport.body()).contains("cut.sql", "cut short", "Nothing was imported");
        HttpResponse<String> brokenImport = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/main?filename=broken.sql"))
                .POST(HttpRequest.BodyPublishers.ofString(wholeSql.replace("CREATE TABLE public.res_partner (", "CREATE TABLE public.res_partner (broken"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(brokenImport.statusCode()).as(brokenImport.body()).isEqualTo(400);
        assertThat(brokenImport.body()).contains("broken.sql", "does not restore", "as it was");
        assertThat(dump()).isEqualTo(productionBefore);
        assertThat(health(serving())).isEqualTo(200);

        int backupsBefore = stagehand.productionBackups().list(PROJECT).size();
        postgres.execute(PRODUCTION_DATABASE, "DELETE FROM res_partner WHERE name = 'Deco Addict'");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM ir_mail_server WHERE active")).isNotEqualTo("0");
        HttpResponse<String> intoProduction = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/main?filename=customer.zip"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(zipBytes.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(intoProduction.statusCode()).as(intoProduction.body()).isEqualTo(200);
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM res_partner WHERE name = 'Deco Addict'")).isEqualTo("1");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM ir_mail_server WHERE active")).isEqualTo("0");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT string_agg(cron_name, ',') FROM ir_cron WHERE active")).isEqualTo("Base: Auto-vacuum internal data");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).as("production is not neutralized").isEqualTo("0");
        assertThat(attachmentContent()).isEqualTo(ATTACHMENT);
        List<sh.stagehand.core.backup.Backup> backups = stagehand.productionBackups().list(PROJECT);
        assertThat(backups).hasSize(backupsBefore + 1);
        assertThat(backups.get(0).kind()).isEqualTo(BackupKind.UPDATE);
        Build importedInto = serving();
        assertThat(importedInto.id()).isEqualTo(production.id());
        assertThat(health(importedInto)).isEqualTo(200);
        assertThat(stagehand.builds().log(production.id(), LogName.IMPORT)).anySatisfy(line -> assertThat(line).contains("Done: production serves the imported database"));
    }

    @Test
    @Order(11)
    void testARestoreOfProductionInterruptedByAStopIsFinishedAtTheNextStart()
            throws Exception
    {
        Build serving = serving();
        Path dumpFile = temp.resolve("whole.sql");
        stagehand.databases().dump(PRODUCTION_DATABASE, dumpFile);
        String before = dump();
        List<String> filesBefore = filestoreFiles();
        Path stagedFilestore = temp.resolve("staged-filestore");
        copyTree(productionFilestore, stagedFilestore);
        // What a bad day does, then a restore of the state above that a stop cut short: staged
        // whole, its journal written, the database perhaps replaced, the files not moved.
        postgres.execute(PRODUCTION_DATABASE, "DELETE FROM res_partner WHERE name = 'Deco Addict'");
        String storeName = postgres.queryForString(PRODUCTION_DATABASE, "SELECT store_fname FROM ir_attachment WHERE name = 'contract.txt'");
        Files.delete(productionFilestore.resolve(storeName));
        server.close();
        stagehand.close();
        Path stage = temp.resolve("data/workspaces/production/" + PROJECT + "/replacement");
        Files.createDirectories(stage.resolve("sessions"));
        Files.copy(dumpFile, stage.resolve("dump"));
        Files.move(stagedFilestore, stage.resolve("filestore"));
        Files.writeString(stage.resolve("journal.json"), "{\"what\": \"backup of the test\", \"thenRun\": \"\", \"state\": \"STAGED\"}");

        launch(properties);

        assertThat(stage).doesNotExist();
        assertThat(dump()).as("production's database, as staged").isEqualTo(before);
        assertThat(filestoreFiles()).isEqualTo(filesBefore);
        assertThat(attachmentContent()).isEqualTo(ATTACHMENT);
        Build after = serving();
        assertThat(after.id()).isEqualTo(serving.id());
        assertThat(after.containerId()).isNotEqualTo(serving.containerId());
        assertThat(health(after)).isEqualTo(200);
        assertThat(stagehand.builds().history(PROJECT, Optional.empty(), 20)).anySatisfy(event -> assertThat(event.message()).startsWith("Finished at start: production now holds backup of the test"));
    }

    @Test
    @Order(12)
    void testEachRoleHasWhatOdooShGivesItAndEveryPrivilegedActionIsAudited()
            throws Exception
    {
        Account tester = TestingAccounts.collaborator(stagehand, "tess", PROJECT, Role.TESTER);
        Account developer = TestingAccounts.collaborator(stagehand, "dev", PROJECT, Role.DEVELOPER);
        String asTester = TestingAccounts.token(stagehand, tester);
        String asDeveloper = TestingAccounts.token(stagehand, developer);
        List<Build> builds = stagehand.projects().branches(PROJECT).stream().flatMap(branch -> stagehand.builds().builds(PROJECT, branch.name()).stream()).toList();
        Build production = serving();
        Build staging = builds.stream().filter(build -> build.stage() == Stage.STAGING).findFirst().orElseThrow();
        Build development = builds.stream().filter(build -> build.stage() == Stage.DEVELOPMENT).findFirst().orElseThrow();
        String backup = "/api/projects/" + PROJECT + "/backups/" + stagehand.productionBackups().list(PROJECT).get(0).id();

        // Production: an admin's backups; a tester's and a developer's Connect, History and Status only.
        assertThat(status(asTester, "GET", backup + "/download")).as("a tester downloading a production backup").isEqualTo(403);
        assertThat(status(token, "GET", backup + "/download")).as("an admin").isEqualTo(200);
        assertThat(status(asTester, "GET", "/api/builds/" + production.id() + "/logs/odoo.log")).isEqualTo(403);
        assertThat(status(asTester, "GET", "/api/builds/" + production.id())).isEqualTo(200);
        assertThat(status(asDeveloper, "GET", "/api/projects/" + PROJECT + "/history?branch=main")).isEqualTo(200);
        assertThat(status(asTester, "PUT", "/api/projects/" + PROJECT + "/branches/main", "{\"stage\": \"STAGING\"}")).as("moving production").isEqualTo(403);
        assertThat(status(asTester, "POST", "/api/projects/" + PROJECT + "/backups/x/restore", "")).isEqualTo(403);
        // Staging: a tester's tools, not a developer's.
        assertThat(status(asDeveloper, "GET", "/api/builds/" + staging.id() + "/logs/install.log")).as("a developer reading staging's logs").isEqualTo(403);
        assertThat(status(asTester, "GET", "/api/builds/" + staging.id() + "/logs/install.log")).isEqualTo(200);
        assertThat(status(asDeveloper, "GET", "/api/builds/" + staging.id() + "/mails")).isEqualTo(403);
        assertThat(status(asTester, "GET", "/api/builds/" + staging.id() + "/mails")).isEqualTo(200);
        // Development: everyone's.
        assertThat(status(asDeveloper, "GET", "/api/builds/" + development.id() + "/logs/install.log")).isEqualTo(200);
        // The project itself: its admins'.
        assertThat(status(asTester, "GET", "/api/projects/" + PROJECT + "/collaborators")).isEqualTo(403);
        assertThat(status(asDeveloper, "GET", "/api/projects/" + PROJECT + "/audit")).isEqualTo(403);
        assertThat(status(asTester, "PUT", "/api/projects/" + PROJECT + "/collaborators/tess", "{\"role\": \"ADMIN\"}")).as("no promoting oneself").isEqualTo(403);
        assertThat(status(token, "GET", "/api/projects/" + PROJECT + "/collaborators")).isEqualTo(200);
        // Who is not a collaborator does not learn the project exists.
        Account stranger = stagehand.accounts().createAccount(stagehand.accounts().account("admin"), "stranger", "", TestingAccounts.PASSWORD, false);
        assertThat(status(TestingAccounts.token(stagehand, stranger), "GET", "/api/projects/" + PROJECT)).isEqualTo(404);
        assertThat(body(TestingAccounts.token(stagehand, stranger), "GET", "/api/projects", null)).isEqualTo("[]");

        // A repository on the server's disk (another project's, perhaps) is a platform administrator's to use.
        HttpResponse<String> local = send(asTester, "POST", "/api/projects", "{\"id\": \"stolen\", \"repositoryUrl\": \"" + repository.url() + "\"}");
        assertThat(local.statusCode()).isEqualTo(403);
        assertThat(local.body()).contains("is not a remote one");
        assertThat(stagehand.projects().projects()).extracting(sh.stagehand.core.project.Project::id).doesNotContain("stolen");
        assertThat(body(asTester, "GET", "/api/projects/" + PROJECT, null)).contains("\"repositoryUrl\":\"(a repository on the server)\"");
        // Credentials are made by a person logged in, not by a token.
        assertThat(status(asTester, "POST", "/api/account/tokens", "{\"name\": \"successor\"}")).isEqualTo(403);
        // A rebuild of a staging build is a staging change, whatever its branch is now.
        assertThat(status(asDeveloper, "POST", "/api/builds/" + staging.id() + "/rebuild", "")).isEqualTo(403);

        // A bad, revoked or missing credential: 401, saying what to send.
        assertThat(status("sht_0_forged", "GET", "/api/projects")).isEqualTo(401);
        String revoked = stagehand.accounts().createToken(tester, "laptop").secret();
        assertThat(status(revoked, "GET", "/api/projects")).isEqualTo(200);
        stagehand.accounts().revokeToken(tester, stagehand.accounts().tokens(tester).get(0).id());
        HttpResponse<String> refused = HTTP.send(TestingAccounts.authorized(revoked, URI.create("http://127.0.0.1:" + server.port() + "/api/projects")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("unknown or revoked");
        assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"stagehand\"");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/projects")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("Log in first");

        // A browser's session: a cross-site form post carries its cookie but not its CSRF token.
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/session"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"login\": \"tess\", \"password\": \"" + TestingAccounts.PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String cookie = login.headers().allValues("Set-Cookie").stream().filter(value -> value.startsWith("stagehand_session=")).findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly", "SameSite=Strict");
        cookie = cookie.substring(0, cookie.indexOf(';'));
        String csrf = JSON.readTree(login.body()).path("csrfToken").asText();
        int before = stagehand.builds().builds(PROJECT, development.branch()).size();
        HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/rebuild/" + development.branch()))
                .header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("a=b")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("CSRF token");
        assertThat(stagehand.builds().builds(PROJECT, development.branch())).as("nothing was done").hasSize(before);
        HttpResponse<String> genuine = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/rebuild/" + development.branch()))
                .header("Cookie", cookie).header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(genuine.statusCode()).as(genuine.body()).isEqualTo(202);
        HttpResponse<String> loggedOut = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/session"))
                .header("Cookie", cookie).header("X-CSRF-Token", csrf).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(loggedOut.statusCode()).isEqualTo(204);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/session")).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("the session ended").isEqualTo(401);

        // Guessing at a password: the sixth try waits, and says how long.
        for (int i = 0; i < 5; i++) {
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/session")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"login\": \"dev\", \"password\": \"guess " + i + "\"}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/session")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"login\": \"dev\", \"password\": \"" + TestingAccounts.PASSWORD + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).contains("60");

        // Who did what, and when.
        assertThat(body(token, "GET", "/api/projects/" + PROJECT + "/audit", null)).contains("\"actor\":\"admin\",\"action\":\"BACKUP_DOWNLOADED\"", "\"action\":\"ROLE_CHANGED\"");
    }

    private static int status(String bearer, String method, String path)
            throws Exception
    {
        return status(bearer, method, path, null);
    }

    private static int status(String bearer, String method, String path, String json)
            throws Exception
    {
        return send(bearer, method, path, json).statusCode();
    }

    private static String body(String bearer, String method, String path, String json)
            throws Exception
    {
        return send(bearer, method, path, json).body();
    }

    private static HttpResponse<String> send(String bearer, String method, String path, String json)
            throws Exception
    {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        return HTTP.send(TestingAccounts.authorized(bearer, URI.create("http://127.0.0.1:" + server.port() + path)).method(method, body).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void copyTree(Path source, Path target)
            throws IOException
    {
        try (Stream<Path> tree = Files.walk(source)) {
            for (Path path : tree.toList()) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                }
                else {
                    Files.copy(path, copy);
                }
            }
        }
    }

    private static HttpResponse<String> api(String method, String path, String json)
            throws Exception
    {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        return HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + path)).method(method, body).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> throughProxy(String host, String path)
            throws Exception
    {
        return HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + path)).header("Host", host).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String containerOutput(Build build)
            throws Exception
    {
        Process process = new ProcessBuilder("docker", "logs", build.containerId().orElseThrow()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }

    private static String logIn(Build build)
            throws Exception
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + build.hostPort().orElseThrow() + "/web/session/authenticate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"params\": {\"db\": \"" + build.databaseName()
                        + "\", \"login\": \"admin\", \"password\": \"admin\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("result").path("uid").asInt()).as(response.body()).isEqualTo(2);
        return response.headers().allValues("Set-Cookie").stream().filter(cookie -> cookie.startsWith("session_id="))
                .map(cookie -> cookie.substring("session_id=".length()).split(";")[0]).findFirst().orElseThrow();
    }

    // What Odoo does as the official image's user (uid 101): read every file of the tree, add a file to one of its directories, a directory to it.
    private static void assertWritableByOdoo(Path tree, String subdirectory)
            throws Exception
    {
        Process process = new ProcessBuilder("docker", "run", "--rm", "--user", "101", "--entrypoint", "sh", "-v", tree.toAbsolutePath() + ":/tree",
                TestingEnvironment.get().require("docker.odoo-test-image"), "-c", "find /tree -type f -exec cat {} + > /dev/null && touch /tree/" + subdirectory
                + "/written-by-odoo && mkdir /tree/zz-new && rmdir /tree/zz-new && rm /tree/" + subdirectory + "/written-by-odoo")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
    }

    private static List<String> zipEntries(byte[] zip)
            throws IOException
    {
        List<String> entries = new java.util.ArrayList<>();
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.add(entry.getName());
            }
        }
        return entries;
    }

    private static void deleteTree(Path directory)
            throws IOException
    {
        try (Stream<Path> tree = Files.walk(directory)) {
            for (Path path : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void restartPlatform()
    {
        server.close();
        stagehand.close();
        launch(properties);
    }

    private static void launch(Map<String, String> properties)
    {
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);
    }

    private static void assertServesAgain(Build previous, String dumpBefore, List<String> filesBefore)
            throws Exception
    {
        Build serving = serving();
        assertThat(serving.id()).isEqualTo(previous.id());
        assertThat(serving.containerId()).isNotEqualTo(previous.containerId());
        assertThat(health(serving)).isEqualTo(200);
        assertThat(dump()).as("production's database, to the byte").isEqualTo(dumpBefore);
        assertThat(filestoreFiles()).isEqualTo(filesBefore);
        assertThat(attachmentContent()).isEqualTo(ATTACHMENT);
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '" + PROJECT + "\\_snapshot\\_%'")).isEqualTo("0");
    }

    private static Build serving()
    {
        return stagehand.builds().builds(PROJECT, "main").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
    }

    private static Build push(String message)
            throws Exception
    {
        repository.switchTo("main");
        repository.commit(message);
        List<Build> queued = stagehand.projects().poll(PROJECT);
        assertThat(queued).hasSize(1);
        awaitBuild(queued.get(0).id());
        // Then the build's last steps: the previous build retired, the snapshot dropped.
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();
        return stagehand.builds().build(queued.get(0).id());
    }

    private static String modules()
    {
        return postgres.queryForString(PRODUCTION_DATABASE,
                "SELECT string_agg(name || ':' || state || ':' || latest_version || ':' || demo, ',' ORDER BY name) FROM ir_module_module WHERE name LIKE 'acme_%'");
    }

    private static String attachmentContent()
            throws IOException
    {
        String storeName = postgres.queryForString(PRODUCTION_DATABASE, "SELECT store_fname FROM ir_attachment WHERE name = 'contract.txt'");
        return Files.readString(productionFilestore.resolve(storeName), StandardCharsets.UTF_8);
    }

    private static List<String> filestoreFiles()
            throws IOException
    {
        try (Stream<Path> files = Files.walk(productionFilestore)) {
            return files.filter(Files::isRegularFile).map(file -> productionFilestore.relativize(file) + ":" + size(file)).sorted().toList();
        }
    }

    private static long size(Path file)
    {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).size();
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The production database as {@code pg_dump} writes it, but for the crons' own bookkeeping
     * (next and last call), which a running production's cron threads move by themselves.
     */
    private static String dump()
            throws Exception
    {
        String crons = postgres.queryForString(PRODUCTION_DATABASE,
                "SELECT string_agg(concat_ws(':', id, cron_name, active, interval_number, interval_type, numbercall, priority), ',' ORDER BY id) FROM ir_cron");
        Process process = postgres.adminProgram("pg_dump", "--no-owner", "--no-acl", "--exclude-table-data=ir_cron", "--exclude-table-data=ir_cron_trigger",
                "--dbname=" + PRODUCTION_DATABASE)
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String dump = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(dump).isZero();
        // pg_dump 15.14+ wraps its output in "restrict" and "unrestrict" lines with a random key: not data.
        return dump.lines().filter(line -> !line.startsWith("\\restrict ") && !line.startsWith("\\unrestrict ")).collect(Collectors.joining("\n"))
                + "\n-- crons: " + crons;
    }

    private static List<Event> events(Build build)
    {
        return stagehand.builds().history(PROJECT, Optional.of(build.branch()), 100).stream().filter(event -> event.buildId().equals(Optional.of(build.id()))).toList();
    }

    private static int health(Build build)
            throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + build.hostPort().orElseThrow() + "/web/login")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Build awaitBuild(long buildId)
            throws InterruptedException
    {
        return TestingBuilds.await(stagehand, buildId, BUILD_TIMEOUT);
    }

}
