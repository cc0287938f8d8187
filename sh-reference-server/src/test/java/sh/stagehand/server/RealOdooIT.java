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
import sh.stagehand.core.BuildTerminal;
import sh.stagehand.core.ShellRequest;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.mail.BuildMail;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.runtime.TerminalSize;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPorts;
import sh.stagehand.testkit.TestingPostgres;
import sh.stagehand.testkit.TestingTerminal;
import sh.stagehand.testkit.TestingWebSocket;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.addon;
import static sh.stagehand.server.TestingAddons.failingTest;
import static sh.stagehand.server.TestingAddons.module;
import static sh.stagehand.server.TestingAddons.passingTest;

/**
 * The lifecycles users rely on, on real Odoo 17 ({@code docker.odoo-image}, built by bin/env-up
 * from Odoo's source): a new project on the platform's defaults (no mail relay) whose module sends
 * a mail at install, its production created without demo data and that mail queued on its Mails
 * tab; development builds with real {@code TransactionCase}s, green when they pass and naming the
 * test that fails; a backup of the real production verified.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealOdooIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();
    @RegisterExtension
    static final TestingBrowser browser = new TestingBrowser();
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(8);
    private static final String PROJECT = "realodoo";
    private static final String PRODUCTION_DATABASE = PROJECT + "-production";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path temp;
    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static TestingGitRepository repository;
    private static int smtpPort;
    private static Map<String, String> properties;
    private static TestingSmtpRelay relay;

    @BeforeAll
    static void startPlatform()
            throws IOException
    {
        properties = TestingPlatform.properties("real-odoo-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        smtpPort = Integer.parseInt(properties.get("smtp.port"));
        // The platform's defaults otherwise: no mail relay (the relay is configured later).
        properties.put("mail.type", "postgres");
        properties.put("platform.odoo-image", TestingEnvironment.get().require("docker.odoo-image"));
        properties.put("platform.container-memory-mb", "1024");
        // Real Odoo serves these small databases within seconds: a server that does not is not healthy.
        properties.put("platform.start-timeout", "45s");
        relay = TestingSmtpRelay.start();
        launch(properties);

        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        // A welcome mail at install, as a customer's module may send: Odoo's mail.mail, sent at once.
        addon(repository, "acme_welcome", "'mail'", WELCOME, passingTest("TestAcmeWelcome"));
        module(repository, "acme_stock", "17.0.1.0.0", "'acme_welcome', 'payment'", "");
        repository.commit("A module that mails at install, and one on it");
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(2));
            try {
                for (var branch : stagehand.projects().branches(PROJECT)) {
                    for (Build build : stagehand.builds().builds(PROJECT, branch.name())) {
                        stagehand.builds().discard(build.id());
                    }
                }
            }
            finally {
                stagehand.close();
            }
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + PROJECT + "-production\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    @Order(1)
    void testAFirstProjectsProductionIsCreatedAndItsWelcomeMailQueuedWithoutARelay()
            throws Exception
    {
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        assertThat(stagehand.projects().branch(PROJECT, "main").stage()).isEqualTo(Stage.PRODUCTION);
        Build production = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "main").get(0).id(), BUILD_TIMEOUT);

        assertThat(production.state()).as(production.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(modules()).isEqualTo("acme_stock:installed:17.0.1.0.0:false,acme_welcome:installed:17.0.1.0.0:false");
        assertThat(postgres.queryForString(production.databaseName(), "SELECT count(*) FROM res_partner WHERE name = 'Deco Addict'")).as("no demo data").isEqualTo("0");
        // Odoo handed the mail over: the platform took it (250) rather than refusing it for want of a relay.
        assertThat(postgres.queryForString(production.databaseName(), """
                SELECT count(*) FROM mail_mail m JOIN mail_message message ON message.id = m.mail_message_id
                WHERE message.subject = 'Welcome to Acme' AND m.state = 'exception'""")).as("mail Odoo failed to send").isEqualTo("0");
        List<BuildMail> mails = stagehand.mail().mails(production.id());
        assertThat(mails).singleElement().satisfies(mail -> {
            assertThat(mail.message().subject()).isEqualTo("Welcome to Acme");
            assertThat(mail.message().envelopeRecipients()).containsExactly("azure@example.com");
            OutboundMail outbound = mail.outbound().orElseThrow();
            assertThat(outbound.state()).isEqualTo(OutboundMail.State.QUEUED);
            assertThat(outbound.lastError().orElse("")).contains("none is configured", "mail.relay-type");
        });
        // And so on production's Mails tab.
        HttpResponse<String> tab = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/builds/" + production.id() + "/mails")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tab.statusCode()).isEqualTo(200);
        assertThat(tab.body()).contains("Welcome to Acme", "\"delivery\":\"QUEUED\"");
        assertThat(health(production)).isEqualTo(200);
    }

    @Test
    @Order(2)
    void testDevelopmentBuildsAreGreenWhenTheirTestsPassAndNameTheTestThatFails()
            throws Exception
    {
        repository.createBranch("feature");
        addon(repository, "acme_extra", "'acme_welcome'", "", passingTest("TestAcmeExtra"));
        repository.commit("An extra module, tested");
        repository.switchTo("main");
        repository.createBranch("broken");
        addon(repository, "acme_broken", "'base'", "", failingTest("TestAcmeBroken"));
        repository.commit("A module whose test fails");
        repository.switchTo("main");
        repository.createBranch("crashing");
        addon(repository, "acme_crash", "'base'", "import acme_missing_library\n", null);
        repository.commit("A module that cannot be imported");
        stagehand.projects().poll(PROJECT);

        Build feature = TestingBuilds.await(stagehand, newestBuild("feature").id(), BUILD_TIMEOUT);
        Build broken = TestingBuilds.await(stagehand, newestBuild("broken").id(), BUILD_TIMEOUT);
        Build crashing = TestingBuilds.await(stagehand, newestBuild("crashing").id(), BUILD_TIMEOUT);

        assertThat(feature.verdict()).as(feature.message().orElse("")).contains(BuildVerdict.SUCCESS);
        assertThat(feature.state()).isEqualTo(BuildState.RUNNING);
        assertThat(stagehand.builds().log(feature.id(), LogName.INSTALL)).anySatisfy(line -> assertThat(line).contains("Starting TestAcmeExtra.test_database_answers"));
        assertThat(postgres.queryForString(feature.databaseName(), "SELECT count(*) FROM res_partner WHERE name = 'Deco Addict'")).as("demo data").isEqualTo("1");
        assertThat(broken.verdict()).contains(BuildVerdict.FAILED);
        assertThat(broken.message().orElse("")).contains("TestAcmeBroken.test_invoice_total", "the invoice total is wrong");
        assertThat(crashing.verdict()).as(crashing.message().orElse("")).contains(BuildVerdict.FAILED);
        assertThat(crashing.message().orElse("")).contains("Couldn't load module acme_crash");
        assertThat(stagehand.builds().log(crashing.id(), LogName.INSTALL)).anySatisfy(line -> assertThat(line).contains("No module named 'acme_missing_library'"));
        // A shell in the build: psql on its own database with nothing typed, and Odoo's own shell on its ORM.
        TestingTerminal screen = new TestingTerminal();
        try (BuildTerminal shell = stagehand.actingAs(stagehand.accounts().account("admin")).shells().open(feature.id(), ShellRequest.interactive("the web", TerminalSize.DEFAULT), screen)) {
            shell.write("psql -tAc \"select 'users=' || count(*) from res_users\"\r".getBytes(StandardCharsets.UTF_8));
            screen.await("users=", Duration.ofSeconds(30));
            shell.write("echo \"print('partners=%d' % env['res.partner'].search_count([('name', '=', 'Deco Addict')]))\" | odoo shell -d \"$PGDATABASE\" --no-http 2>/dev/null\r".getBytes(StandardCharsets.UTF_8));
            screen.await("partners=1", Duration.ofMinutes(2));
        }
        assertThat(screen.text()).containsPattern("users=[1-9]");
        // And over SSH, with OpenSSH's client and a key of the profile.
        TestingSsh.Result overSsh = TestingSsh.ssh(server, temp, TestingSsh.profileKey(stagehand, temp, "admin"), Long.toString(feature.id()),
                "psql -tAc 'select count(*) > 0 from res_users'");
        assertThat(overSsh.out()).as(overSsh.toString()).isEqualTo("t\n");

        // Development's mail is caught, never sent: the welcome mail of the install is on its Mails tab.
        assertThat(stagehand.mail().mails(feature.id())).anySatisfy(mail -> {
            assertThat(mail.message().subject()).isEqualTo("Welcome to Acme");
            assertThat(mail.outbound()).isEmpty();
        });
    }

    @Test
    @Order(3)
    void testAnUpdateWithANewColumnAndAMigrationUpdatesProduction()
            throws Exception
    {
        Build previous = serving();
        repository.switchTo("main");
        module(repository, "acme_welcome", "17.0.1.1.0", "'mail'", WELCOME + "from . import models\n");
        repository.writeFile("acme_welcome/models.py", """
                from odoo import fields, models


                class ResPartner(models.Model):
                    _inherit = 'res.partner'

                    acme_level = fields.Integer()
                """);
        repository.writeFile("acme_welcome/migrations/17.0.1.1.0/post-level.py", """
                def migrate(cr, version):
                    cr.execute("UPDATE res_partner SET acme_level = 7 WHERE email = 'azure@example.com' OR id = 1")
                """);
        Build updated = push("Welcome 1.1: a level on partners");

        assertThat(updated.state()).as(updated.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(updated.verdict()).contains(BuildVerdict.SUCCESS);
        assertThat(modules()).isEqualTo("acme_stock:installed:17.0.1.0.0:false,acme_welcome:installed:17.0.1.1.0:false");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT acme_level FROM res_partner WHERE id = 1")).isEqualTo("7");
        assertThat(stagehand.builds().log(updated.id(), LogName.UPDATE)).anySatisfy(line -> assertThat(line).contains("update acme_welcome (17.0.1.0.0 → 17.0.1.1.0)"));
        assertThat(stagehand.builds().build(previous.id()).state()).isEqualTo(BuildState.STOPPED);
        assertThat(health(updated)).isEqualTo(200);
    }

    @Test
    @Order(4)
    void testAMigrationFailingAfterAnotherModulesWasCommittedPutsDatabaseAndFilesBackAsTheyWere()
            throws Exception
    {
        Before before = Before.production();
        // acme_welcome's migration writes a file and is committed (Odoo commits each module,
        // odoo/modules/loading.py) before acme_stock's raises.
        module(repository, "acme_welcome", "17.0.1.2.0", "'mail'", WELCOME + "from . import models\n");
        repository.writeFile("acme_welcome/migrations/17.0.1.2.0/post-reached.py", """
                from odoo import SUPERUSER_ID, api


                def migrate(cr, version):
                    cr.execute("CREATE TABLE acme_welcome_reached (id int)")
                    cr.execute("UPDATE res_partner SET acme_level = 99")
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env['ir.attachment'].create({'name': 'written-by-the-update.txt', 'raw': b'the update was here'})
                """);
        module(repository, "acme_stock", "17.0.1.2.0", "'acme_welcome', 'payment'", "");
        repository.writeFile("acme_stock/migrations/17.0.1.2.0/pre-fail.py", """
                def migrate(cr, version):
                    raise ValueError("the stock migration fails")
                """);
        Build failed = push("Welcome and stock 1.2, the stock migration failing");

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElse("")).contains("the stock migration fails", "serves production again");
        assertThat(stagehand.builds().log(failed.id(), LogName.UPDATE)).as("acme_welcome's migration ran, and was committed, first")
                .anySatisfy(line -> assertThat(line).contains("module acme_welcome: Running migration", "post-reached"));
        before.assertPutBack();
    }

    @Test
    @Order(5)
    void testABackupOfARealProductionIsVerified()
    {
        var backup = stagehand.productionBackups().create(PROJECT, BackupKind.MANUAL);
        var verification = stagehand.productionBackups().verify(PROJECT, backup.id());
        assertThat(verification.problems()).isEmpty();
        assertThat(verification.passed()).isTrue();
    }

    @Test
    @Order(6)
    void testAStagingBuildIsACopyOfProductionNeutralizedByOdoo()
            throws Exception
    {
        // What production holds that a staging copy must not act on.
        postgres.execute(PRODUCTION_DATABASE, "INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active, sequence) "
                + "VALUES ('Office 365', 'smtp.office365.com', 587, 'starttls', 'login', true, 1)");
        postgres.execute(PRODUCTION_DATABASE, "UPDATE payment_provider SET state = 'enabled' WHERE name->>'en_US' = 'Stripe'");
        repository.git("checkout", "--", ".");
        repository.git("clean", "-fdq");
        repository.switchTo("main").createBranch("staging");
        // Main holds the stock migration that failed in production: staging tries the fix.
        repository.git("rm", "-q", "acme_stock/migrations/17.0.1.2.0/pre-fail.py");
        repository.commit("Stock 1.2 without its failing migration, tried on staging");
        stagehand.projects().poll(PROJECT);
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();
        // Made a staging branch, it is built again as staging: a copy of production, updated.
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "staging").withStage(Stage.STAGING));
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();
        Build staging = newestBuild("staging");
        assertThat(staging.stage()).isEqualTo(Stage.STAGING);

        assertThat(staging.state()).as(staging.message().orElse("")).isEqualTo(BuildState.RUNNING);
        String database = staging.databaseName();
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM res_partner")).as("production's data")
                .isEqualTo(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM res_partner"));
        assertThat(postgres.queryForString(database, "SELECT latest_version FROM ir_module_module WHERE name = 'acme_stock'")).as("updated to the branch's code").isEqualTo("17.0.1.2.0");
        // Neutralized by Odoo's own neutralize, the platform's mail catcher its only mail server.
        assertThat(postgres.queryForString(database, "SELECT string_agg(name || '@' || smtp_host || ':' || smtp_port, ',') FROM ir_mail_server WHERE active"))
                .isEqualTo("neutralization - disable emails@" + docker.networkGateway() + ":" + smtpPort);
        assertThat(postgres.queryForString(database, "SELECT string_agg(cron_name, ',') FROM ir_cron WHERE active")).isEqualTo("Base: Auto-vacuum internal data");
        assertThat(postgres.queryForString(database, "SELECT state FROM payment_provider WHERE name->>'en_US' = 'Stripe'")).isEqualTo("disabled");
        assertThat(postgres.queryForString(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + staging.hostPort().orElseThrow() + "/web/login")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("Database neutralized for testing");
        // Production is untouched.
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT state FROM payment_provider WHERE name->>'en_US' = 'Stripe'")).isEqualTo("enabled");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT active FROM ir_mail_server WHERE name = 'Office 365'")).isEqualTo("t");
    }

    @Test
    @Order(7)
    void testABackupLoadsWithOdoosOwnDbLoadAndOdoosOwnDumpImportsIntoABranch()
            throws Exception
    {
        Path work = Files.createDirectories(temp.resolve("odoo-db"));
        // Stagehand's backup of production, downloaded as Odoo's zip, loaded by real Odoo's own `odoo db load`.
        String backupId = stagehand.productionBackups().list(PROJECT).get(0).id();
        HttpResponse<Path> download = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/backups/" + backupId + "/download"))
                .build(), HttpResponse.BodyHandlers.ofFile(work.resolve("backup.zip")));
        assertThat(download.statusCode()).isEqualTo(200);
        String loaded = "realodoo_loaded_" + UUID.randomUUID().toString().substring(0, 8);
        try {
            odooDb(work, Optional.empty(), "load", loaded, "/work/backup.zip");
            assertThat(asSuperuser(loaded, "SELECT string_agg(name || ':' || state, ',' ORDER BY name) FROM ir_module_module WHERE name LIKE 'acme_%'"))
                    .isEqualTo(postgres.queryForString(PRODUCTION_DATABASE, "SELECT string_agg(name || ':' || state, ',' ORDER BY name) FROM ir_module_module WHERE name LIKE 'acme_%'"));
            assertThat(asSuperuser(loaded, "SELECT count(*) FROM res_partner")).isEqualTo(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM res_partner"));
        }
        finally {
            postgres.execute("DROP DATABASE IF EXISTS \"" + loaded + "\" WITH (FORCE)");
        }

        // Real Odoo's own dump of production (`odoo db dump`, with its filestore), imported into the staging branch.
        Path productionData = temp.resolve("data/workspaces/production/" + PROJECT + "/data");
        odooDb(work, Optional.of(productionData), "dump", PRODUCTION_DATABASE, "/work/odoo-dump.zip");
        Build target = newestBuild("staging");
        HttpResponse<String> imported = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/staging?filename=odoo-dump.zip"))
                .header("Content-Type", "application/zip").POST(HttpRequest.BodyPublishers.ofFile(work.resolve("odoo-dump.zip"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        Build serving = stagehand.builds().build(target.id());
        assertThat(postgres.queryForString(serving.databaseName(), "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        assertThat(postgres.queryForString(serving.databaseName(), "SELECT count(*) FROM res_partner")).isEqualTo(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM res_partner"));
        assertThat(health(serving)).isEqualTo(200);
    }

    @Test
    @Order(8)
    void testOdoosBusReachesABrowserThroughThePlatformsWebsocketRelay()
            throws Exception
    {
        Build production = serving();
        String host = PROJECT + ".stagehand.localhost";
        String session = login(production);
        try (TestingWebSocket socket = TestingWebSocket.connect(URI.create("ws://127.0.0.1:" + server.port() + "/websocket"),
                Map.of("Host", host, "Origin", "http://" + host, "Cookie", session))) {
            socket.send("{\"event_name\": \"subscribe\", \"data\": {\"channels\": [\"stagehand\"], \"last\": 0}}");
            assertThat(socket.receiveFromTheBus(postgres, production.databaseName(), "stagehand", "{\"type\": \"stagehand/hello\", \"payload\": {\"to\": \"production\"}}"))
                    .contains("stagehand/hello", "production");
        }
    }

    @Test
    @Order(9)
    void testANewServerThatIsNotHealthyAfterASuccessfulUpdatePutsProductionBack()
            throws Exception
    {
        Before before = Before.production();
        repository.switchTo("main");
        // The failed update's migrations gone; welcome 1.3 updates (--stop-after-init), but the
        // server started after it cannot import it, as when a Python package is on one and not the other.
        repository.deleteFile("acme_welcome/migrations/17.0.1.2.0/post-reached.py");
        repository.deleteFile("acme_stock/migrations/17.0.1.2.0/pre-fail.py");
        module(repository, "acme_welcome", "17.0.1.3.0", "'mail'", WELCOME + """
                from odoo.tools import config

                from . import models

                if not config['stop_after_init']:
                    raise ImportError("acme_welcome needs the payment SDK, which this server does not have")
                """);
        Build failed = push("Welcome 1.3, which only an update can import");

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElse("")).contains("did not answer", "serves production again");
        assertThat(stagehand.builds().log(failed.id(), LogName.UPDATE)).as("the update itself succeeded")
                .anySatisfy(line -> assertThat(line).contains("update ", "acme_welcome (17.0.1.1.0 → 17.0.1.3.0)"));
        assertThat(stagehand.builds().log(failed.id(), LogName.ODOO)).as("real Odoo's own words")
                .anySatisfy(line -> assertThat(line).contains("acme_welcome needs the payment SDK"));
        before.assertPutBack();
    }

    @Test
    @Order(10)
    void testAPlatformKilledInTheMiddleOfAnUpdateServesTheOldRevisionOnTheSameDataAtItsNextStart()
            throws Exception
    {
        Before before = Before.production();

        // Production handed over to the platform in a process of its own (the reference server's
        // main, polling every second), which is killed while Odoo is in the middle of an update.
        server.close();
        stagehand.close();
        Map<String, String> killedProperties = new HashMap<>(properties);
        killedProperties.put("platform.poll-interval", "1s");
        int killedPort = TestingPorts.freeStablePort();
        killedProperties.put("http.port", Integer.toString(killedPort));
        Path log = temp.resolve("killed-platform.log");
        Process platform = TestingPlatform.startInAProcessOfItsOwn(killedProperties, temp, "killed-platform");
        try {
            // An update that commits acme_welcome's migration (a table, a file), then hangs in acme_stock's.
            module(repository, "acme_welcome", "17.0.1.4.0", "'mail'", WELCOME + "from . import models\n");
            repository.writeFile("acme_welcome/migrations/17.0.1.4.0/post-reached.py", """
                    from odoo import SUPERUSER_ID, api


                    def migrate(cr, version):
                        cr.execute("CREATE TABLE acme_welcome_reached (id int)")
                        cr.execute("UPDATE res_partner SET acme_level = 44")
                        api.Environment(cr, SUPERUSER_ID, {})['ir.attachment'].create({'name': 'half-updated.txt', 'raw': b'killed after this'})
                    """);
            module(repository, "acme_stock", "17.0.1.4.0", "'acme_welcome', 'payment'", "");
            repository.writeFile("acme_stock/migrations/17.0.1.4.0/post-slow.py", """
                    import time


                    def migrate(cr, version):
                        time.sleep(600)
                    """);
            repository.commit("Welcome and stock 1.4, with a slow migration");
            long deadline = System.nanoTime() + BUILD_TIMEOUT.toNanos();
            while (!"1".equals(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM pg_tables WHERE tablename = 'acme_welcome_reached'"))) {
                assertThat(platform.isAlive()).as("the platform runs; see " + log).isTrue();
                assertThat(System.nanoTime()).as("acme_welcome's migration committed in time; see " + log).isLessThan(deadline);
                Thread.sleep(200);
            }
            HttpResponse<String> maintenance = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + killedPort + "/web/login"))
                    .header("Host", PROJECT + ".stagehand.localhost").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(maintenance.statusCode()).as("the maintenance page meanwhile").isEqualTo(503);
        }
        finally {
            platform.destroyForcibly();     // SIGKILL
            platform.waitFor();
        }

        // The next start, now with a mail relay, puts production back before anything else.
        properties.putAll(relay.properties());
        launch(properties);

        Build interrupted = newestBuild("main");
        assertThat(interrupted.id()).isGreaterThan(before.serving().id());
        assertThat(interrupted.state()).isEqualTo(BuildState.FAILED);
        assertThat(interrupted.message().orElse("")).contains("the platform restarted while this build was updating", "put back as they were before its update");
        Build serving = before.assertPutBack();
        assertThat(serving.containerId()).isNotEqualTo(before.serving().containerId());
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + PRODUCTION_DATABASE + "' AND query LIKE '%acme_welcome_reached%'"))
                .as("nothing of the interrupted update runs on").isEqualTo("0");
    }

    @Test
    @Order(11)
    void testProductionsMailGoesOutThroughARelayConfiguredLaterQueuedMailFirstAndStagingsIsCaught()
            throws Exception
    {
        // The welcome mail queued at production's creation, when no relay was configured, goes out now.
        Build first = stagehand.builds().builds(PROJECT, "main").get(stagehand.builds().builds(PROJECT, "main").size() - 1);
        assertThat(relay.awaitReceived(1, Duration.ofSeconds(30))).singleElement()
                .satisfies(mail -> assertThat(mail).contains("RCPT azure@example.com", "Subject: Welcome to Acme"));
        assertThat(stagehand.mail().mails(first.id())).singleElement().satisfies(mail -> assertThat(mail.outbound().orElseThrow().state()).isEqualTo(OutboundMail.State.SENT));

        // A mail real Odoo sends now, at a user's request, goes out through the relay too (once the
        // customer's own mail server, which Odoo would use first, is archived).
        postgres.execute(PRODUCTION_DATABASE, "UPDATE ir_mail_server SET active = false WHERE name = 'Office 365'");
        Build production = serving();
        sendMail(production, "Your order S00042", "deco@example.com");
        assertThat(relay.awaitReceived(2, Duration.ofSeconds(30))).hasSize(2).last()
                .satisfies(mail -> assertThat(mail).contains("RCPT deco@example.com", "Subject: Your order S00042", "Shipped"));
        assertThat(stagehand.mail().mails(production.id())).anySatisfy(mail -> {
            assertThat(mail.message().subject()).isEqualTo("Your order S00042");
            assertThat(mail.outbound().orElseThrow().state()).isEqualTo(OutboundMail.State.SENT);
        });
        HttpResponse<String> tab = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/builds/" + production.id() + "/mails")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tab.body()).contains("Your order S00042", "\"delivery\":\"SENT\"");

        // Staging's, the same mail from the same data, is caught and goes nowhere.
        Build staging = newestBuild("staging");
        assertThat(staging.state()).isEqualTo(BuildState.RUNNING);
        sendMail(staging, "Your order S00042 (staging)", "deco@example.com");
        assertThat(stagehand.mail().mails(staging.id())).anySatisfy(mail -> {
            assertThat(mail.message().subject()).isEqualTo("Your order S00042 (staging)");
            assertThat(mail.outbound()).isEmpty();
        });
        Thread.sleep(1000);
        assertThat(relay.received()).hasSize(2);
    }

    @Test
    @Order(12)
    void testTheAppsTabInstallsCrmOnStagingThenInProduction()
            throws Exception
    {
        // Main back to what production serves (the last tests left it on an update that hangs).
        repository.switchTo("main");
        repository.git("rm", "-rq", ".");
        repository.git("checkout", serving().commitId(), "--", ".");
        Build restarted = push("Back to what production serves");
        assertThat(restarted.state()).as(restarted.message().orElse("")).isEqualTo(BuildState.RUNNING);
        Build staging = newestBuild("staging");
        assertThat(staging.state()).isEqualTo(BuildState.RUNNING);
        TestingAccounts.collaborator(stagehand, "ops", PROJECT, Role.ADMIN);
        logInToThePage("ops");

        // Staging: installed by Odoo beside the server, in one click.
        openApps("staging");
        clickInstall("crm");
        waitFor(BUILD_TIMEOUT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("apps-note"), "crm installed; the server restarted"));
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-app='crm']"), "Installed"));
        assertThat(postgres.queryForString(staging.databaseName(), "SELECT state FROM ir_module_module WHERE name = 'crm'")).isEqualTo("installed");
        assertThat(stagehand.builds().log(staging.id(), LogName.INSTALL)).anySatisfy(line -> assertThat(line).contains("Apps: ops installs crm (CRM)"));
        assertThat(stagehand.projects().branch(PROJECT, "staging").apps()).containsExactly("crm");
        // Restarted on the new registry: Odoo answers again once it loaded it.
        assertThat(healthWithin(staging, Duration.ofSeconds(90))).isEqualTo(200);

        // Production: through an update, asked first.
        openApps("main");
        clickInstall("crm");
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok"))).click();
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("apps-note"), "updates production to install crm"));
        Build update = TestingBuilds.await(stagehand, newestBuild("main").id(), BUILD_TIMEOUT);
        assertThat(update.state()).as(update.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(update.id()).isGreaterThan(restarted.id());
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT state FROM ir_module_module WHERE name = 'crm'")).isEqualTo("installed");
        assertThat(stagehand.builds().log(update.id(), LogName.UPDATE)).anySatisfy(line -> assertThat(line).contains("install crm"));
        assertThat(stagehand.projects().branch(PROJECT, "main").apps()).containsExactly("crm");
        assertThat(health(update)).isEqualTo(200);
        openApps("main");
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-app='crm']"), "Installed"));
        browser.screenshot(Path.of("target", "screenshots", "apps.png"));
    }

    @Test
    @Order(13)
    void testAnAppWhoseInstallFailsInProductionLeavesProductionAsItWas()
            throws Exception
    {
        // Production installs the modules it names: an addon of the branch waits to be chosen on the Apps tab.
        Branch main = stagehand.projects().branch(PROJECT, "main");
        stagehand.projects().saveBranch(new Branch(main.projectId(), main.name(), main.stage(), ModuleSelection.EXPLICIT, List.of("acme_welcome", "acme_stock"), main.testTags(),
                main.cronsEnabled(), main.onNewCommit(), main.domains(), main.apps()));
        repository.writeFile("acme_broken/__manifest__.py", """
                {
                    'name': 'Acme Broken',
                    'version': '17.0.1.0.0',
                    'summary': 'An app that cannot be installed',
                    'category': 'Sales/Acme',
                    'application': True,
                    'depends': ['base'],
                    'license': 'LGPL-3',
                    'post_init_hook': 'post_init',
                }
                """);
        repository.writeFile("acme_broken/__init__.py", """
                def post_init(env):
                    env['res.partner'].create({'name': 'Written by the failed install'})
                    raise ValueError("acme_broken cannot be installed")
                """);
        Build pushed = push("An app that fails to install");
        assertThat(pushed.state()).as(pushed.message().orElse("")).isEqualTo(BuildState.RUNNING);
        Before before = Before.production();

        openApps("main");
        clickInstall("acme_broken");
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok"))).click();
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("apps-note"), "updates production to install acme_broken"));
        Build failed = TestingBuilds.await(stagehand, newestBuild("main").id(), BUILD_TIMEOUT);
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElse("")).contains("acme_broken cannot be installed", "serves production again", "acme_broken is no longer among the branch's apps");
        before.assertPutBack();
        assertThat(stagehand.projects().branch(PROJECT, "main").apps()).containsExactly("crm");
    }

    @Test
    @Order(14)
    void testTheAppsTabUninstallsCrmFromProductionWithWhatDependsOnIt()
            throws Exception
    {
        Build serving = serving();
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT state FROM ir_module_module WHERE name = 'crm'")).isEqualTo("installed");

        openApps("main");
        clickApp("crm", "uninstall");
        WebElement ok = waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok")));
        // Odoo's own uninstall takes the modules depending on crm along: the question names them.
        assertThat(browser.driver().findElement(By.id("confirm-text")).getText()).contains("Uninstall CRM (crm) from production?", "Odoo uninstalls what depends on it too", "crm_iap");
        ok.click();
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("apps-note"), "updates production to uninstall crm"));
        Build update = TestingBuilds.await(stagehand, newestBuild("main").id(), BUILD_TIMEOUT);

        assertThat(update.state()).as(update.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(update.id()).isGreaterThan(serving.id());
        assertThat(update.message().orElse("")).contains("uninstall crm");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT state FROM ir_module_module WHERE name = 'crm'")).isEqualTo("uninstalled");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM ir_module_module WHERE name LIKE 'crm%' AND state <> 'uninstalled'")).isEqualTo("0");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'crm_lead'")).as("crm's tables dropped").isEqualTo("0");
        assertThat(postgres.queryForString(PRODUCTION_DATABASE, "SELECT state FROM ir_module_module WHERE name = 'acme_welcome'")).isEqualTo("installed");
        assertThat(String.join("\n", stagehand.builds().log(update.id(), LogName.UPDATE))).contains("Update backup", "Uninstalling crm with odoo shell", "Stagehand: uninstalled crm");
        assertThat(stagehand.projects().branch(PROJECT, "main").apps()).isEmpty();
        assertThat(stagehand.projects().branch(PROJECT, "main").appsToRemove()).isEmpty();
        assertThat(health(update)).isEqualTo(200);
        openApps("main");
        clickApp("crm", "install");
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-cancel"))).click();
    }

    private static void logInToThePage(String login)
    {
        WebDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + server.port() + "/");
        WebElement form = waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        form.findElement(By.id("login-name")).sendKeys(login);
        form.findElement(By.id("login-password")).sendKeys(TestingAccounts.PASSWORD);
        form.findElement(By.id("log-in")).click();
        waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(By.id("log-out")));
    }

    private static void openApps(String branch)
    {
        browser.driver().get("http://127.0.0.1:" + server.port() + "/#/projects/" + PROJECT + "?branch=" + branch + "&tab=apps");
        browser.driver().navigate().refresh();
        waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(By.id("apps-search")));
    }

    private static void clickInstall(String app)
    {
        clickApp(app, "install");
    }

    // The app's install or uninstall button, once the list is the search's.
    private static void clickApp(String app, String action)
    {
        WebElement search = waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.elementToBeClickable(By.id("apps-search")));
        search.clear();
        search.sendKeys(app);
        // Once the list is the search's (it is drawn again as the user types), its button.
        waitFor(Duration.ofSeconds(30)).until(driver -> {
            List<WebElement> rows = driver.findElements(By.cssSelector("#apps tr.app-row"));
            if (rows.isEmpty() || rows.stream().anyMatch(row -> !row.getText().toLowerCase(java.util.Locale.ROOT).contains(app))) {
                return false;
            }
            WebElement button = ExpectedConditions.elementToBeClickable(By.cssSelector("tr[data-app='" + app + "'] button[data-" + action + "='" + app + "']")).apply(driver);
            if (button == null) {
                return false;
            }
            button.click();
            return true;
        });
    }

    private static WebDriverWait waitFor(Duration timeout)
    {
        WebDriverWait wait = new WebDriverWait(browser.driver(), timeout, Duration.ofMillis(200));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    // A mail a user of the build's Odoo sends: Odoo's mail.mail, created and sent at once.
    private static void sendMail(Build build, String subject, String to)
            throws Exception
    {
        String session = login(build);
        String mailId = callKw(build, session, "mail.mail", "create", "[{\"subject\": \"%s\", \"email_from\": \"shop@acme.example\", \"email_to\": \"%s\", \"body_html\": \"<p>Shipped</p>\"}]"
                .formatted(subject, to));
        callKw(build, session, "mail.mail", "send", "[[" + mailId + "]]");
    }

    // Logged in to a build's Odoo as its administrator, by its host name through the platform's proxy: the session cookie.
    private static String login(Build build)
            throws Exception
    {
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/web/session/authenticate"))
                .header("Host", build.hostname())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"params\": {\"db\": \"" + build.databaseName()
                        + "\", \"login\": \"admin\", \"password\": \"admin\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        assertThat(login.body()).as("logged in as Odoo's administrator").contains("\"uid\": 2");
        return login.headers().allValues("Set-Cookie").stream().filter(cookie -> cookie.startsWith("session_id="))
                .map(cookie -> cookie.split(";")[0]).findFirst().orElseThrow();
    }

    // An Odoo model method called as the logged-in user, through the platform's proxy: its JSON
    // result, empty when it returned None (Odoo's answer then has no result).
    private static String callKw(Build build, String session, String model, String method, String arguments)
            throws Exception
    {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/web/dataset/call_kw/" + model + "/" + method))
                .header("Host", build.hostname())
                .header("Content-Type", "application/json")
                .header("Cookie", session)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"method\": \"call\", \"id\": 1, \"params\": {\"model\": \"%s\", \"method\": \"%s\", \"args\": %s, \"kwargs\": {}}}"
                        .formatted(model, method, arguments)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(answer.body());
        assertThat(body.has("error")).as(answer.body()).isFalse();
        return body.has("result") ? body.get("result").toString() : "";
    }

    private static void launch(Map<String, String> properties)
    {
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);
    }

    // A database odoo db loaded as the superuser is its: read with psql, as it.
    private static String asSuperuser(String database, String sql)
            throws Exception
    {
        Process process = postgres.adminProgram("psql", "--no-psqlrc", "--tuples-only", "--no-align", "--dbname=" + database, "--command=" + sql).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    // Odoo's own `odoo db` in the real image, as the database's superuser over the host's loopback
    // (its password in the environment, not the command line), /work the test's directory, and a
    // data directory with a filestore if one is given.
    private static void odooDb(Path work, Optional<Path> dataDirectory, String... arguments)
            throws Exception
    {
        List<String> command = new ArrayList<>(List.of("docker", "run", "--rm", "--network", "host", "--user", "root", "--entrypoint", "/usr/bin/odoo",
                "-e", "PGPASSWORD", "-v", work.toAbsolutePath() + ":/work"));
        dataDirectory.ifPresent(data -> command.addAll(List.of("-v", data.toAbsolutePath() + ":/var/lib/odoo-data:ro")));
        command.addAll(List.of(TestingEnvironment.get().require("docker.odoo-image"), "db", "--db_host", postgres.host(), "--db_port", Integer.toString(postgres.port()),
                "--db_user", postgres.adminUser()));
        dataDirectory.ifPresent(data -> command.addAll(List.of("--data-dir", "/var/lib/odoo-data")));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", docker.host().toString());
        builder.environment().put("PGPASSWORD", postgres.adminPassword());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
    }

    private static final String WELCOME = """
            def post_init(env):
                env['mail.mail'].create({
                    'subject': 'Welcome to Acme',
                    'email_from': 'shop@acme.example',
                    'email_to': 'azure@example.com',
                    'body_html': '<p>Welcome</p>',
                }).send()
            """;

    private static Build push(String message)
            throws InterruptedException
    {
        repository.switchTo("main");
        repository.commit(message);
        List<Build> queued = stagehand.projects().poll(PROJECT);
        assertThat(queued).hasSize(1);
        TestingBuilds.await(stagehand, queued.get(0).id(), BUILD_TIMEOUT);
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();
        return stagehand.builds().build(queued.get(0).id());
    }

    // Production as it was before an update: its serving build, its whole dump and its files by content.
    private record Before(Build serving, String dump, Map<String, String> files)
    {
        static Before production()
                throws Exception
        {
            return new Before(RealOdooIT.serving(), RealOdooIT.dump(), filestore());
        }

        // Production served by the same build again, its database and files as they were.
        Build assertPutBack()
                throws Exception
        {
            Build now = RealOdooIT.serving();
            assertThat(now.id()).isEqualTo(serving.id());
            assertThat(RealOdooIT.dump()).as("production's database, owners and privileges included, as before the update").isEqualTo(dump);
            assertThat(filestore()).as("production's files, by content, as before the update").isEqualTo(files);
            assertThat(health(now)).isEqualTo(200);
            return now;
        }
    }

    private static Build serving()
    {
        return stagehand.builds().builds(PROJECT, "main").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
    }

    private static String modules()
    {
        return postgres.queryForString(PRODUCTION_DATABASE,
                "SELECT string_agg(name || ':' || state || ':' || latest_version || ':' || demo, ',' ORDER BY name) FROM ir_module_module WHERE name LIKE 'acme_%'");
    }

    // The whole database as pg_dump writes it, owners and privileges included; the crons' rows,
    // which the serving server itself writes, apart.
    private static String dump()
            throws Exception
    {
        Process process = postgres.adminProgram("pg_dump", "--exclude-table-data=ir_cron", "--exclude-table-data=ir_cron_trigger", "--dbname=" + PRODUCTION_DATABASE)
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String dump = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(dump).isZero();
        // pg_dump 15.14+ wraps its output in "restrict" and "unrestrict" lines with a random key.
        return dump.lines().filter(line -> !line.startsWith("\\restrict ") && !line.startsWith("\\unrestrict ")).collect(Collectors.joining("\n"));
    }

    // Production's filestore: each file's path and the SHA-256 of its content.
    private static Map<String, String> filestore()
            throws IOException
    {
        Path root = temp.resolve("data/workspaces/production/" + PROJECT + "/data/filestore/" + PRODUCTION_DATABASE);
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(), HexFormat.of().formatHex(sha256(Files.readAllBytes(file))));
            }
        }
        return files;
    }

    private static byte[] sha256(byte[] content)
    {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Build newestBuild(String branch)
    {
        List<Build> builds = stagehand.builds().builds(PROJECT, branch);
        assertThat(builds).as("builds of %s", branch).isNotEmpty();
        return builds.get(0);
    }

    private static int healthWithin(Build build, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return health(build);
            }
            catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Build " + build.id() + " did not answer within " + timeout, e);
                }
                Thread.sleep(500);
            }
        }
    }

    private static int health(Build build)
            throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + build.hostPort().orElseThrow() + "/web/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
