package sh.stagehand.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Odoo-compatible test server behaves as Odoo 17 does where a hosting platform's promises
 * depend on it: a failed update keeps what the modules before the failing one committed; the core
 * addons have tests; neutralization changes what Odoo's neutralize.sql files change; mail is sent
 * at once or queued for the cron, and a neutralized database sends nowhere; external dependencies
 * are checked; the database manager's backup restores through it; the login page, sessions and
 * health check answer as Odoo's. Each behaviour is cited to Odoo's source in the test server's
 * README.
 */
class OdooTestServerIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final List<String> EXTRA_DATABASES = new CopyOnWriteArrayList<>();

    @TempDir
    Path temp;

    @AfterAll
    static void dropExtraDatabases()
    {
        for (String database : EXTRA_DATABASES) {
            postgres.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
        }
    }

    @Test
    void testFailedUpdateKeepsWhatTheModulesBeforeTheFailingOneCommitted()
            throws IOException
    {
        TestingOdooServer odoo = odoo();
        addon(odoo, "stagehand_a", "1.0", "'base'");
        addon(odoo, "stagehand_b", "1.0", "'stagehand_a'");
        addon(odoo, "stagehand_c", "1.0", "'stagehand_b'");
        String database = postgres.createDatabase();
        assertThat(odoo.run("-d", database, "-i", "stagehand_c", "--stop-after-init").exitCode()).isZero();

        // Version 2.0 of all three: a and b migrate their data, c's migration raises.
        addon(odoo, "stagehand_a", "2.0", "'base'");
        addon(odoo, "stagehand_b", "2.0", "'stagehand_a'");
        addon(odoo, "stagehand_c", "2.0", "'stagehand_b'");
        write(odoo, "stagehand_a/migrations/2.0/post-migrate.py", "def migrate(cr, version):\n    cr.execute('CREATE TABLE stagehand_a_migrated (id int)')\n");
        write(odoo, "stagehand_b/migrations/2.0/post-migrate.py", "def migrate(cr, version):\n    cr.execute('CREATE TABLE stagehand_b_migrated (id int)')\n");
        write(odoo, "stagehand_c/migrations/2.0/pre-migrate.py", "def migrate(cr, version):\n    raise ValueError('cannot migrate stagehand_c from %s' % version)\n");

        TestingOdooServer.Run update = odoo.run("-d", database, "-u", "stagehand_a", "--stop-after-init");

        assertThat(update.exitCode()).as(update.output()).isEqualTo(255);
        assertThat(update.output())
                .contains("module stagehand_a: Running migration [2.0>] post-migrate")
                .contains("module stagehand_c: Running migration [>2.0] pre-migrate")
                .contains("ValueError: cannot migrate stagehand_c from 17.0.1.0")
                .containsPattern("WARNING " + database + " odoo.modules.loading: Transient module states were reset")
                .containsPattern("ERROR " + database + " odoo.modules.registry: Failed to load registry")
                .containsPattern("CRITICAL " + database + " odoo.service.server: Failed to initialize database `" + database + "`.");
        // Odoo commits after each module: a's and b's migrations are in the database, c's is not.
        assertThat(postgres.queryForString(database, "SELECT to_regclass('stagehand_a_migrated') IS NOT NULL AND to_regclass('stagehand_b_migrated') IS NOT NULL")).isEqualTo("t");
        // A module's 'installed' state and version are written after its commit: b's went with the failure.
        assertThat(postgres.queryForString(database, "SELECT string_agg(name || ':' || state || ':' || latest_version, ',' ORDER BY name) FROM ir_module_module WHERE name LIKE 'stagehand_%'"))
                .isEqualTo("stagehand_a:installed:17.0.2.0,stagehand_b:installed:17.0.1.0,stagehand_c:installed:17.0.1.0");
    }

    @Test
    void testCoreAddonsTestsRunWithoutTagsAndTagsSelectTheBranchsOwn()
            throws IOException
    {
        TestingOdooServer odoo = odoo();
        addon(odoo, "stagehand_own", "1.0", "'mail'");
        write(odoo, "stagehand_own/tests/__init__.py", "from . import test_own\n");
        write(odoo, "stagehand_own/tests/test_own.py", """
                from odoo.tests import TransactionCase, tagged


                class TestOwn(TransactionCase):
                    def test_at_install(self):
                        self.assertTrue(self.env['ir.config_parameter'].get_param('database.uuid'))


                @tagged('post_install', '-at_install')
                class TestOwnPost(TransactionCase):
                    def test_post_install(self):
                        self.env.cr.execute("SELECT state FROM ir_module_module WHERE name = 'stagehand_own'")
                        self.assertEqual(self.env.cr.fetchone()[0], 'installed')
                """);

        TestingOdooServer.Run everything = odoo.run("-d", postgres.createDatabase(), "-i", "stagehand_own", "--test-enable", "--stop-after-init", "--log-level=test");
        TestingOdooServer.Run own = odoo.run("-d", postgres.createDatabase(), "-i", "stagehand_own", "--test-tags", "/stagehand_own", "--stop-after-init", "--log-level=test");

        assertThat(everything.exitCode()).as(everything.output()).isZero();
        assertThat(everything.output())
                .contains("odoo.addons.base.tests.test_base: Starting TestBaseRecords.test_main_company")
                .contains("odoo.addons.base.tests.test_base: Starting TestBaseInstalled.test_base_is_installed")
                .contains("odoo.addons.mail.tests.test_mail_mail: Starting TestMailQueue.test_new_mail_is_queued")
                .contains("Starting TestOwn.test_at_install", "Starting TestOwnPost.test_post_install")
                .containsPattern("0 failed, 0 error\\(s\\) of ([3-9]|\\d\\d+) tests when loading database");
        assertThat(own.exitCode()).as(own.output()).isZero();
        assertThat(own.output())
                .contains("Starting TestOwn.test_at_install", "Starting TestOwnPost.test_post_install", "0 failed, 0 error(s) of 2 tests when loading database")
                .doesNotContain("odoo.addons.base.tests", "odoo.addons.mail.tests");
    }

    @Test
    void testNeutralizeChangesWhatOdoo17sNeutralizeSqlFilesChange()
    {
        TestingOdooServer odoo = odoo();
        String database = postgres.createDatabase();
        assertThat(odoo.run("-d", database, "-i", "mail,payment", "--stop-after-init").exitCode()).isZero();
        // A production database as a customer has it: its own mail server, a mailbox, a webhook, a live payment provider.
        sql(database, """
                INSERT INTO ir_mail_server (name, smtp_host, smtp_port) VALUES ('Production SMTP', 'smtp.example.com', 587);
                INSERT INTO fetchmail_server (name, server, active) VALUES ('Sales inbox', 'imap.example.com', true);
                INSERT INTO ir_act_server (name, model_name, state, webhook_url) VALUES ('{"en_US": "Notify ERP"}', 'res.partner', 'webhook', 'https://hooks.example.com/partner');
                INSERT INTO payment_provider (name, code, state) VALUES ('{"en_US": "Stripe"}', 'stripe', 'enabled');
                INSERT INTO ir_config_parameter (key, value) VALUES ('mail.web_push_vapid_private_key', 'secret-key');
                """);

        TestingOdooServer.Run neutralize = odoo.run("neutralize", "-d", database);

        assertThat(neutralize.exitCode()).as(neutralize.output()).isZero();
        assertThat(neutralize.output())
                .containsPattern("INFO " + database + " odoo.cli.neutralize: Starting " + database + " database neutralization")
                .containsPattern("INFO " + database + " odoo.modules.neutralize: Neutralization finished")
                .doesNotContain("Neutralizing module");
        // base: every mail server off, and an active dummy one so that nothing falls back to --smtp
        assertThat(query(database, "SELECT name, smtp_host, smtp_port, smtp_encryption, active FROM ir_mail_server ORDER BY id"))
                .containsExactly("Production SMTP|smtp.example.com|587|none|f", "neutralization - disable emails|invalid|1025|none|t");
        // base: crons off but the auto-vacuum; the flag; webhooks pointed nowhere
        assertThat(query(database, "SELECT c.cron_name, c.active FROM ir_cron c ORDER BY c.cron_name"))
                .containsExactly("Base: Attachments garbage collection|f", "Base: Auto-vacuum internal data|t", "Base: Portal Users Deletion|f", "Mail: Email Queue Manager|f");
        assertThat(postgres.queryForString(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        assertThat(postgres.queryForString(database, "SELECT webhook_url FROM ir_act_server WHERE state = 'webhook'")).isEqualTo("neutralization - disable webhook");
        // payment: no provider left live; web: the banner; mail: no incoming mail, no push keys
        assertThat(query(database, "SELECT code, state FROM payment_provider ORDER BY code")).containsExactly("demo|test", "stripe|disabled");
        assertThat(postgres.queryForString(database, "SELECT active FROM ir_ui_view WHERE key = 'web.neutralize_banner'")).isEqualTo("t");
        assertThat(postgres.queryForString(database, "SELECT active FROM fetchmail_server")).isEqualTo("f");
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM ir_config_parameter WHERE key LIKE 'mail.web_push%'")).isEqualTo("0");

        // --stdout prints the script instead, and changes nothing.
        TestingOdooServer.Run script = odoo.run("neutralize", "-d", database, "--stdout");
        assertThat(script.output()).contains("BEGIN;", "INSERT INTO ir_mail_server", "UPDATE payment_provider", "COMMIT;");
        assertThat(postgres.queryForString(database, "SELECT count(*) FROM ir_mail_server")).isEqualTo("2");
    }

    @Test
    void testMailIsSentAtOnceOrQueuedForTheCronAndANeutralizedDatabaseSendsNowhere()
            throws IOException
    {
        TestingOdooServer odoo = odoo();
        addon(odoo, "stagehand_mailer", "1.0", "'mail'", "'post_init_hook': 'post_init',", """
                def post_init(env):
                    Mail = env['mail.mail']
                    Mail.create({'subject': 'Queued quotation', 'body_html': '<p>queued</p>', 'email_to': 'queued@example.com'})
                    Mail.create({'subject': 'Immediate quotation', 'body_html': '<p>now</p>', 'email_to': 'now@example.com'}).send()
                """);
        try (TestingSmtpServer smtp = new TestingSmtpServer(docker.networkGateway())) {
            String[] smtpOptions = {"--smtp", docker.networkGateway(), "--smtp-port", Integer.toString(smtp.port())};
            String database = postgres.createDatabase();
            TestingOdooServer.Run install = odoo.run(concat(new String[] {"-d", database, "-i", "stagehand_mailer", "--stop-after-init"}, smtpOptions));
            assertThat(install.exitCode()).as(install.output()).isZero();

            // mail.send(): at once, through --smtp.
            assertThat(smtp.received()).singleElement().satisfies(mail -> assertThat(mail.recipients()).containsExactly("<now@example.com>"));
            assertThat(install.output()).containsPattern("Mail with ID \\d+ and Message-Id '<.+>' successfully sent")
                    .contains("Sent batch 1 emails via mail server ID #False");
            assertThat(query(database, "SELECT email_to, state FROM mail_mail ORDER BY id")).containsExactly("queued@example.com|outgoing", "now@example.com|sent");

            // Without cron threads, the queue never moves, whatever wakes the crons.
            try (TestingOdooServer.Server server = odoo.start(concat(new String[] {"-d", database, "--max-cron-threads", "0"}, smtpOptions))) {
                server.awaitLog("Registry loaded", Duration.ofSeconds(30));     // cron threads would start now
                notifyCronThreadsFor(database, Duration.ofSeconds(2));
                assertThat(postgres.queryForString(database, "SELECT state FROM mail_mail WHERE email_to = 'queued@example.com'")).isEqualTo("outgoing");
                assertThat(server.log()).doesNotContain("Starting job");
            }

            // With cron threads, the Email Queue Manager sends it (woken, as Odoo's, by a NOTIFY on cron_trigger).
            try (TestingOdooServer.Server server = odoo.start(concat(new String[] {"-d", database}, smtpOptions))) {
                awaitState(database, "queued@example.com", "sent");
                assertThat(server.log()).contains("Starting job `Mail: Email Queue Manager`.").containsPattern("Job done: `Mail: Email Queue Manager` \\(\\d+\\.\\d{3}s\\)\\.");
            }
            assertThat(smtp.received()).extracting(mail -> mail.recipients().get(0)).containsExactly("<now@example.com>", "<queued@example.com>");
            assertThat(smtp.received().get(1).data()).contains("Subject: Queued quotation");

            // Neutralized: the dummy server is the only one, the queue cron is off; sent by hand, the mail fails.
            assertThat(odoo.run("neutralize", "-d", database).exitCode()).isZero();
            addon(odoo, "stagehand_mailer", "1.1", "'mail'", "", """
                    """);
            write(odoo, "stagehand_mailer/migrations/1.1/post-send.py", """
                    def migrate(cr, version):
                        from odoo import api, SUPERUSER_ID
                        env = api.Environment(cr, SUPERUSER_ID, {})
                        env['mail.mail'].create({'subject': 'From staging', 'body_html': '<p>x</p>', 'email_to': 'customer@example.com'}).send()
                    """);
            TestingOdooServer.Run update = odoo.run(concat(new String[] {"-d", database, "-u", "stagehand_mailer", "--stop-after-init"}, smtpOptions));
            assertThat(update.exitCode()).as(update.output()).isZero();
            assertThat(smtp.received()).hasSize(2);
            assertThat(query(database, "SELECT state, failure_reason IS NOT NULL FROM mail_mail WHERE email_to = 'customer@example.com'")).containsExactly("exception|t");
        }
    }

    @Test
    void testExternalDependenciesAreCheckedAtInstall()
            throws IOException
    {
        TestingOdooServer odoo = odoo();
        addon(odoo, "stagehand_present", "1.0", "'base'", "'external_dependencies': {'python': ['psycopg2'], 'bin': ['sh']},", "");
        addon(odoo, "stagehand_missing", "1.0", "'base'", "'external_dependencies': {'python': ['stagehand_no_such_library']},", "");
        addon(odoo, "stagehand_no_binary", "1.0", "'base'", "'external_dependencies': {'bin': ['stagehand-no-such-program']},", "");
        addon(odoo, "stagehand_list_form", "1.0", "'base'", "'external_dependencies': [{'pypi': 'phonenumbers', 'optional': True}],", "");

        assertThat(odoo.run("-d", postgres.createDatabase(), "-i", "stagehand_present", "--stop-after-init").exitCode()).isZero();
        TestingOdooServer.Run missing = odoo.run("-d", postgres.createDatabase(), "-i", "stagehand_missing", "--stop-after-init");
        assertThat(missing.exitCode()).isEqualTo(255);
        assertThat(missing.output())
                .contains("WARNING", "odoo.modules.module: DistributionNotFound: The 'stagehand_no_such_library' distribution was not found")
                .contains("odoo.exceptions.UserError: Unable to install module \"stagehand_missing\" because an external dependency is not met: Python library not installed: stagehand_no_such_library");
        assertThat(odoo.run("-d", postgres.createDatabase(), "-i", "stagehand_no_binary", "--stop-after-init").output())
                .contains("Unable to install module \"stagehand_no_binary\" because an external dependency is not met: Unable to find 'stagehand-no-such-program' in path");
        // Odoo 17 (and 18) read external_dependencies as a dict: the list form fails as there.
        assertThat(odoo.run("-d", postgres.createDatabase(), "-i", "stagehand_list_form", "--stop-after-init").output())
                .contains("Unable to install module \"stagehand_list_form\" because an external dependency is not met: 'list' object has no attribute 'get'");
    }

    @Test
    void testBrokenManifestFailsANewDatabaseAndIsSkippedInAnExistingOne()
            throws IOException
    {
        TestingOdooServer odoo = odoo();
        addon(odoo, "stagehand_fine", "1.0", "'base'");
        String existing = postgres.createDatabase();
        assertThat(odoo.run("-d", existing, "-i", "stagehand_fine", "--stop-after-init").exitCode()).isZero();
        write(odoo, "stagehand_broken/__init__.py", "");
        write(odoo, "stagehand_broken/__manifest__.py", "{'name': 'Broken' 'depends': ['base']\n");

        // Odoo 17's init db reads every manifest on the addons path.
        TestingOdooServer.Run fresh = odoo.run("-d", postgres.createDatabase(), "-i", "stagehand_fine", "--stop-after-init");
        assertThat(fresh.exitCode()).isEqualTo(255);
        assertThat(fresh.output()).contains("SyntaxError").contains("Failed to initialize database");
        // An existing database skips it when it lists the modules, and installs nothing by that name.
        TestingOdooServer.Run update = odoo.run("-d", existing, "-i", "stagehand_broken", "--stop-after-init");
        assertThat(update.exitCode()).as(update.output()).isZero();
        assertThat(update.output()).contains("WARNING", "invalid module names, ignored: stagehand_broken");
    }

    @Test
    void testDatabaseManagerBackupRestoresThroughTheDatabaseManager()
            throws IOException
    {
        TestingOdooServer odoo = odoo();
        addon(odoo, "stagehand_orders", "1.0", "'base'", "'post_init_hook': 'post_init',", """
                def post_init(env):
                    env.cr.execute("CREATE TABLE stagehand_order (id serial PRIMARY KEY, name varchar)")
                    env.cr.execute("INSERT INTO stagehand_order (name) VALUES ('S00001'), ('S00002')")
                """);
        String database = postgres.createDatabase();
        String restored = "restored_" + UUID.randomUUID().toString().substring(0, 8);
        String restoredNeutralized = restored + "_neutralized";
        EXTRA_DATABASES.addAll(List.of(restored, restoredNeutralized));
        assertThat(odoo.run("-d", database, "-i", "stagehand_orders", "--stop-after-init").exitCode()).isZero();
        String logo = postgres.queryForString(database, "SELECT store_fname FROM ir_attachment WHERE res_field = 'image_1920'");

        byte[] zip;
        try (TestingOdooServer.Server server = odoo.start("--db-filter", "^(" + database + "|" + restored + "|" + restoredNeutralized + ")$")) {
            HttpResponse<byte[]> backup = server.send(form("/web/database/backup", server, Map.of("master_pwd", "Backup-Password-1", "name", database, "backup_format", "zip")), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(backup.statusCode()).isEqualTo(200);
            assertThat(backup.headers().firstValue("Content-Type")).contains("application/octet-stream; charset=binary");
            assertThat(backup.headers().firstValue("Content-Disposition")).hasValueSatisfying(value -> assertThat(value).matches("attachment; filename\\*=UTF-8''" + database + "_\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d-\\d\\d\\.zip"));
            zip = backup.body();
            List<String> entries = zipEntries(zip);
            assertThat(entries.get(0)).isEqualTo("dump.sql");
            assertThat(entries).contains("manifest.json", "filestore/" + logo);
            String manifest = zipEntry(zip, "manifest.json");
            String pgVersion = postgres.queryForString(database, "SELECT current_setting('server_version_num')::int / 10000") + ".0";
            assertThat(manifest).contains("\"odoo_dump\": \"1\"", "\"db_name\": \"" + database + "\"", "\"version\": \"17.0\"", "\"major_version\": \"17.0\"",
                    "\"pg_version\": \"" + pgVersion + "\"", "\"stagehand_orders\": \"17.0.1.0\"", "\"version_info\"", "\"modules\"");
            assertThat(zipEntry(zip, "dump.sql")).contains("CREATE TABLE public.stagehand_order").doesNotContain("OWNER TO");

            // The master password is now the one first given; another is refused, on Odoo's page.
            HttpResponse<String> refused = server.send(form("/web/database/backup", server, Map.of("master_pwd", "wrong", "name", database)));
            assertThat(refused.body()).contains("Database backup error: Access Denied");

            HttpResponse<String> restore = server.send(multipart("/web/database/restore", server,
                    Map.of("master_pwd", "Backup-Password-1", "name", restored, "copy", "true"), "backup_file", database + ".zip", zip));
            assertThat(restore.statusCode()).as(restore.body()).isEqualTo(303);
            assertThat(restore.headers().firstValue("Location")).contains("/web/database/manager");
            // Restored, the database is served (its registry loaded, as Odoo's restore does).
            server.awaitLog("Registry loaded", Duration.ofSeconds(10));

            // Restored with neutralize_database (the form's checkbox sends "on"), it is a staging copy.
            HttpResponse<String> neutralized = server.send(multipart("/web/database/restore", server,
                    Map.of("master_pwd", "Backup-Password-1", "name", restoredNeutralized, "neutralize_database", "on"), "backup_file", database + ".zip", zip));
            assertThat(neutralized.statusCode()).as(neutralized.body()).isEqualTo(303);
            // Restoring over an existing database is refused, and changes nothing.
            HttpResponse<String> again = server.send(multipart("/web/database/restore", server,
                    Map.of("master_pwd", "Backup-Password-1", "name", restored), "backup_file", database + ".zip", zip));
            assertThat(again.body()).contains("Database restore error: Database already exists");
            // A file that is not a backup is refused (Odoo leaves the empty database it made behind).
            String garbageName = "garbage_" + UUID.randomUUID().toString().substring(0, 8);
            EXTRA_DATABASES.add(garbageName);
            HttpResponse<String> garbage = server.send(multipart("/web/database/restore", server,
                    Map.of("master_pwd", "Backup-Password-1", "name", garbageName), "backup_file", "notes.txt", "not a backup".getBytes(StandardCharsets.UTF_8)));
            assertThat(garbage.body()).contains("Database restore error: Couldn&#x27;t restore database");
        }
        assertThat(postgres.queryForString(restoredNeutralized, "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("true");
        assertThat(postgres.queryForString(restored, "SELECT count(*) FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).isEqualTo("0");
        assertThat(query(restored, "SELECT name FROM stagehand_order ORDER BY id")).containsExactly("S00001", "S00002");
        assertThat(postgres.queryForString(restored, "SELECT state FROM ir_module_module WHERE name = 'stagehand_orders'")).isEqualTo("installed");
        assertThat(odoo.dataDirectory().resolve("filestore").resolve(restored).resolve(logo)).exists();
        // Restored as a copy: a database of its own.
        assertThat(postgres.queryForString(restored, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"))
                .isNotEqualTo(postgres.queryForString(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"));

        // `odoo db dump` writes the same archive; `odoo db load` restores it.
        String loaded = "loaded_" + UUID.randomUUID().toString().substring(0, 8);
        EXTRA_DATABASES.add(loaded);
        assertThat(odoo.run("db", "dump", database, "/var/lib/odoo/cli.zip").exitCode()).isZero();
        assertThat(zipEntries(Files.readAllBytes(odoo.dataDirectory().resolve("cli.zip"))).get(0)).isEqualTo("dump.sql");
        assertThat(odoo.run("db", "load", loaded, "/var/lib/odoo/cli.zip").exitCode()).isZero();
        assertThat(query(loaded, "SELECT name FROM stagehand_order ORDER BY id")).containsExactly("S00001", "S00002");
        assertThat(odoo.run("db", "load", loaded, "/var/lib/odoo/cli.zip").output()).contains("Target database " + loaded + " exists, aborting.");
        assertThat(odoo.run("db", "drop", loaded).exitCode()).isZero();
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + loaded + "'")).isEqualTo("0");
    }

    @Test
    void testDatabaseManagerIsDisabledWithNoDatabaseList()
    {
        TestingOdooServer odoo = odoo();
        String database = postgres.createDatabase();
        assertThat(odoo.run("-d", database, "-i", "base", "--stop-after-init").exitCode()).isZero();

        try (TestingOdooServer.Server server = odoo.start("-d", database, "--db-filter", "^" + database + "$", "--no-database-list")) {
            assertThat(server.get("/web/database/manager").body()).contains("The database manager has been disabled by the administrator");
            HttpResponse<String> backup = server.send(form("/web/database/backup", server, Map.of("name", database, "master_pwd", "")));
            assertThat(backup.body()).contains("Database backup error: Access Denied");
            // A first master password would become the master password: refused before that, as Odoo does.
            HttpResponse<String> withPassword = server.send(form("/web/database/backup", server, Map.of("name", database, "master_pwd", "a-new-master-password")));
            assertThat(withPassword.statusCode()).isEqualTo(403);
            assertThat(server.log()).contains("ERROR", "odoo.service.db: Database management functions blocked, admin disabled database listing");
        }
    }

    @Test
    void testLoginHealthAndSessionsAsOdoo17()
            throws IOException
    {
        TestingOdooServer odoo = odoo();
        String database = postgres.createDatabase();
        assertThat(odoo.run("-d", database, "-i", "base", "--stop-after-init").exitCode()).isZero();

        try (TestingOdooServer.Server server = odoo.start("-d", database, "--db-filter", "^" + database + "$", "--no-database-list")) {
            HttpResponse<String> health = server.get("/web/health");
            assertThat(health.body()).isEqualTo("{\"status\": \"pass\"}");
            assertThat(health.headers().firstValue("Cache-Control")).contains("no-store");
            assertThat(health.headers().firstValue("Set-Cookie")).isEmpty();

            // Under --no-database-list: no database field, no "Manage Databases" link.
            HttpResponse<String> page = server.get("/web/login");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("name=\"login\"", "name=\"password\"", "name=\"csrf_token\"")
                    .doesNotContain("name=\"db\"", database, "Manage Databases");
            String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).startsWith("session_id=").contains("HttpOnly", "Path=/");
            String sessionId = cookie.substring("session_id=".length(), cookie.indexOf(';'));
            assertThat(odoo.dataDirectory().resolve("sessions").resolve(sessionId.substring(0, 2)).resolve(sessionId)).exists();
            String csrf = csrfToken(page.body());

            HttpResponse<String> noToken = server.send(form("/web/login", server, Map.of("login", "admin", "password", "admin"), "session_id=" + sessionId));
            assertThat(noToken.statusCode()).isEqualTo(400);
            HttpResponse<String> wrong = server.send(form("/web/login", server, Map.of("login", "admin", "password", "nope", "csrf_token", csrf), "session_id=" + sessionId));
            assertThat(wrong.body()).contains("Wrong login/password");
            HttpResponse<String> right = server.send(form("/web/login", server, Map.of("login", "admin", "password", "admin", "csrf_token", csrf), "session_id=" + sessionId));
            assertThat(right.statusCode()).isEqualTo(303);
            assertThat(right.headers().firstValue("Location")).contains("/web");
            assertThat(right.headers().firstValue("Set-Cookie")).hasValueSatisfying(value -> assertThat(value).startsWith("session_id=").doesNotContain(sessionId));

            // JSON-RPC authentication names the database it serves; another is "not found".
            String authenticated = server.send(json("/web/session/authenticate", server, database)).body();
            assertThat(authenticated).contains("\"db\": \"" + database + "\"", "\"username\": \"admin\"");
            assertThat(server.send(json("/web/session/authenticate", server, "another_database")).body()).contains("odoo.exceptions.AccessError", "Database not found.");

            // A session Odoo cannot save (its directory not writable for it) fails the request, as
            // Odoo 17's post_dispatch lets the error through to handle_error: no session, no cookie.
            Path sessions = odoo.dataDirectory().resolve("sessions");
            List<Path> directories;
            try (var tree = Files.walk(sessions)) {
                directories = tree.filter(Files::isDirectory).toList();
            }
            for (Path directory : directories) {
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("r-xr-xr-x"));
            }
            try {
                HttpResponse<String> unsaved = server.send(json("/web/session/authenticate", server, database));
                assertThat(unsaved.body()).contains("Odoo Server Error", "builtins.PermissionError").doesNotContain("\"result\"");
                assertThat(unsaved.headers().firstValue("Set-Cookie")).isEmpty();
                assertThat(server.log()).contains("Exception during request handling.");
            }
            finally {
                for (Path directory : directories) {
                    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
                }
            }
        }
    }

    @Test
    void testTheBusWebsocketAsOdoo17ServesIt()
            throws Exception
    {
        TestingOdooServer odoo = odoo();
        String database = postgres.createDatabase();
        assertThat(odoo.run("-d", database, "-i", "mail", "--stop-after-init").exitCode()).isZero();

        try (TestingOdooServer.Server server = odoo.start("-d", database, "--db-filter", "^" + database + "$", "--no-database-list")) {
            HttpResponse<String> authenticated = server.send(json("/web/session/authenticate", server, database));
            String cookie = authenticated.headers().firstValue("Set-Cookie").orElseThrow();
            cookie = cookie.substring(0, cookie.indexOf(';'));
            URI websocket = URI.create("ws://127.0.0.1:" + server.port() + "/websocket");

            // Odoo's handshake checks (addons/bus/websocket.py): the headers, then the version.
            assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), "/websocket", Map.of()))
                    .startsWith("HTTP/1.1 400").contains("Empty or missing header(s): origin");
            assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), "/websocket", Map.of("Origin", "http://shop.example", "Sec-WebSocket-Version", "12")))
                    .startsWith("HTTP/1.1 426").containsIgnoringCase("Sec-WebSocket-Version: 13");
            assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), "/websocket", Map.of("Origin", "http://shop.example")))
                    .startsWith("HTTP/1.1 101").containsIgnoringCase("Sec-WebSocket-Accept: ");

            // A subscriber gets what the bus sends its channels: a row in bus_bus, then NOTIFY imbus.
            try (TestingWebSocket socket = TestingWebSocket.connect(websocket, Map.of("Origin", "http://shop.example", "Cookie", cookie))) {
                socket.send("{\"event_name\": \"subscribe\", \"data\": {\"channels\": [\"stagehand\"], \"last\": 0}}");
                assertThat(socket.receiveFromTheBus(postgres, database, "stagehand", "{\"type\": \"stagehand/ping\", \"payload\": {\"n\": 1}}")).matches("\\[\\{\"id\": \\d+, \"message\": \\{\"type\": \"stagehand/ping\", \"payload\": \\{\"n\": 1}}}]");

                // A session that ends (a logout) closes the socket at its next message, with Odoo's SESSION_EXPIRED.
                assertThat(server.send(HttpRequest.newBuilder(server.uri("/web/session/logout")).header("Cookie", cookie).build()).statusCode()).isEqualTo(303);
                socket.send("{\"event_name\": \"subscribe\", \"data\": {\"channels\": [\"stagehand\"], \"last\": 0}}");
                assertThat(socket.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(4001);
            }

            // Stopping the server (SIGTERM) closes its sockets as going away.
            TestingWebSocket anonymous = TestingWebSocket.connect(websocket, Map.of("Origin", "http://shop.example"));
            server.stop();
            assertThat(anonymous.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1001);
            anonymous.close();
        }
    }

    // -- helpers ---------------------------------------------------------------------------------

    private TestingOdooServer odoo()
    {
        return new TestingOdooServer(postgres, docker, temp.resolve("addons"), temp.resolve("data"));
    }

    private static void addon(TestingOdooServer odoo, String name, String version, String depends)
            throws IOException
    {
        addon(odoo, name, version, depends, "", "");
    }

    private static void addon(TestingOdooServer odoo, String name, String version, String depends, String manifestExtra, String initCode)
            throws IOException
    {
        write(odoo, name + "/__manifest__.py", "{\n    'name': '%s',\n    'version': '%s',\n    'depends': [%s],\n    'license': 'LGPL-3',\n    %s\n}\n"
                .formatted(name, version, depends, manifestExtra));
        write(odoo, name + "/__init__.py", initCode);
    }

    private static void write(TestingOdooServer odoo, String path, String content)
            throws IOException
    {
        Path file = odoo.addons().resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static void sql(String database, String statements)
    {
        try (var connection = postgres.openAdminConnection(database); var statement = connection.createStatement()) {
            statement.execute(statements);
        }
        catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> query(String database, String sql)
    {
        List<String> rows = new ArrayList<>();
        try (var connection = postgres.openAdminConnection(database); var statement = connection.createStatement(); var result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> values = new ArrayList<>();
                for (int column = 1; column <= columns; column++) {
                    values.add(result.getString(column));
                }
                rows.add(String.join("|", values));
            }
        }
        catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /**
     * Wakes the cron threads as Odoo's ir.cron._trigger() does, again and again for a while: a
     * NOTIFY sent before a thread LISTENs (it starts once the database is loaded) is lost.
     */
    private static void notifyCronThreadsFor(String database, Duration duration)
    {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            postgres.execute("SELECT pg_notify('cron_trigger', '" + database + "')");
            sleep(Duration.ofMillis(200));
        }
    }

    // Meanwhile wakes the cron threads, which otherwise poll once a minute.
    private static void awaitState(String database, String emailTo, String state)
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (state.equals(postgres.queryForString(database, "SELECT state FROM mail_mail WHERE email_to = '" + emailTo + "'"))) {
                return;
            }
            notifyCronThreadsFor(database, Duration.ofMillis(200));
        }
        throw new AssertionError("The mail to " + emailTo + " is not " + state + ": " + query(database, "SELECT email_to, state, failure_reason FROM mail_mail"));
    }

    private static HttpRequest form(String path, TestingOdooServer.Server server, Map<String, String> fields)
    {
        return form(path, server, fields, null);
    }

    private static HttpRequest form(String path, TestingOdooServer.Server server, Map<String, String> fields, String cookie)
    {
        String body = fields.entrySet().stream()
                .map(field -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return request.build();
    }

    private static HttpRequest multipart(String path, TestingOdooServer.Server server, Map<String, String> fields, String fileField, String fileName, byte[] file)
    {
        String boundary = "----stagehand" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        fields.forEach((name, value) -> body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
    }

    private static HttpRequest json(String path, TestingOdooServer.Server server, String database)
    {
        String body = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"params\": {\"db\": \"%s\", \"login\": \"admin\", \"password\": \"admin\"}}".formatted(database);
        return HttpRequest.newBuilder(server.uri(path)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String csrfToken(String page)
    {
        Matcher matcher = Pattern.compile("name=\"csrf_token\" value=\"([^\"]+)\"").matcher(page);
        assertThat(matcher.find()).as(page).isTrue();
        return matcher.group(1);
    }

    private static List<String> zipEntries(byte[] zip)
    {
        List<String> names = new ArrayList<>();
        try (ZipInputStream input = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = input.getNextEntry(); entry != null; entry = input.getNextEntry()) {
                names.add(entry.getName());
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static String zipEntry(byte[] zip, String name)
    {
        try (ZipInputStream input = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = input.getNextEntry(); entry != null; entry = input.getNextEntry()) {
                if (entry.getName().equals(name)) {
                    return new String(input.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("No " + name + " in the zip: " + zipEntries(zip));
    }

    private static String[] concat(String[] first, String[] second)
    {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    private static void sleep(Duration duration)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
