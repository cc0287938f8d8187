package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.mail.BuildMail;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPorts;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.addon;
import static sh.stagehand.server.TestingAddons.failingTest;
import static sh.stagehand.server.TestingAddons.mailingInit;
import static sh.stagehand.server.TestingAddons.passingTest;
import static sh.stagehand.server.TestingAddons.warningInit;

/**
 * Development builds end to end, as Odoo.sh makes them: a signed GitHub push webhook to the
 * reference server, the build through the real Docker engine and PostgreSQL, the Odoo-compatible
 * test server installing and testing the addons, the verdict, the running server, the mail it
 * sends, the history, and garbage collection.
 */
class DevelopmentBuildIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static TestingGitRepository repository;
    private static Project project;
    private static String initialCommit;

    @BeforeAll
    static void startPlatform()
            throws IOException
    {
        String odooImage = TestingEnvironment.get().require("docker.odoo-test-image");
        int smtpPort = TestingPorts.freeStablePort();
        Map<String, String> properties = new HashMap<>(Map.of(
                "instance.name", "dev-build-it",
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
        properties.putAll(Map.of(
                "postgres.metadata-database", METADATA_DATABASE,
                "mail.type", "postgres",
                "docker.host", docker.host().toString(),
                "docker.network", docker.network(),
                "platform.odoo-image", odooImage,
                "platform.smtp-host", docker.networkGateway(),
                "platform.smtp-port", Integer.toString(smtpPort),
                "platform.development-retention", "0",
                "platform.development-keep-per-branch", "1",
                "platform.container-memory-mb", "512"));
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);

        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        addon(repository, "stagehand_base_extra", "'base'", "", passingTest("TestBaseExtra"));
        addon(repository, "stagehand_sale_extra", "'stagehand_base_extra', 'mail'", mailingInit("customer@example.com", "Your quotation S00042", "followup@example.com", "Your quotation S00042, a reminder"), passingTest("TestSaleExtra"));
        initialCommit = repository.commit("Two addons, one depending on the other");
        project = stagehand.projects().createProject("devit", repository.url(), Optional.empty(), Optional.empty());
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            // Leave nothing running: collect every build, newest included.
            for (var branch : stagehand.projects().branches("devit")) {
                for (Build build : stagehand.builds().builds("devit", branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testPushBuildsTestsAndServesTheBranch()
            throws Exception
    {
        String commit = repository.head();
        HttpResponse<String> response = sendPush("main", commit, UUID.randomUUID().toString(), project.webhookSecret());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        long buildId = JSON.readTree(response.body()).path("builds").get(0).path("id").asLong();

        Build build = awaitBuild(buildId);
        assertThat(build.state()).as(build.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(build.verdict()).contains(BuildVerdict.SUCCESS);
        assertThat(build.databaseName()).isEqualTo("devit-main-" + buildId);
        assertThat(build.hostname()).isEqualTo("devit-main-" + buildId + ".stagehand.localhost");

        // The server answers on its port, for that database only, without a database list.
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + build.hostPort().orElseThrow() + "/web/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("name=\"login\"").doesNotContain("name=\"db\"", "Manage Databases");
        assertThat(authenticate(build, build.databaseName())).contains("\"db\": \"" + build.databaseName() + "\"", "\"username\": \"admin\"");
        assertThat(authenticate(build, "postgres")).contains("Database not found.");

        // Both addons installed, with demo data.
        assertThat(postgres.queryForString(build.databaseName(),
                "SELECT string_agg(name || ':' || state || ':' || demo, ',' ORDER BY name) FROM ir_module_module WHERE name LIKE 'stagehand_%'"))
                .isEqualTo("stagehand_base_extra:installed:true,stagehand_sale_extra:installed:true");

        List<String> installLog = stagehand.builds().log(buildId, LogName.INSTALL);
        assertThat(installLog).anySatisfy(line -> assertThat(line).contains("Modules loaded."));
        // Only the branch's own tests ran: the core addons' tests, in the image, did not.
        assertThat(installLog).anySatisfy(line -> assertThat(line).contains("0 failed, 0 error(s) of 2 tests"))
                .noneSatisfy(line -> assertThat(line).contains("odoo.addons.base.tests"));
        assertThat(stagehand.builds().log(buildId, LogName.ODOO)).isNotEmpty();

        // The mail the addon sent at install went to the catcher, attributed to this build; the one
        // it queued waits for the queue cron, and the branch runs no crons: it stays queued.
        awaitLogLine(buildId, LogName.ODOO, "Registry loaded");     // cron threads would run by now
        notifyCronThreadsFor(build.databaseName(), Duration.ofSeconds(2));
        assertThat(postgres.queryForString(build.databaseName(), "SELECT state FROM mail_mail WHERE email_to = 'followup@example.com'")).isEqualTo("outgoing");
        List<BuildMail> mails = stagehand.mail().mails(buildId);
        assertThat(mails).singleElement().satisfies(mail -> {
            assertThat(mail.message().subject()).isEqualTo("Your quotation S00042");
            assertThat(mail.message().envelopeRecipients()).containsExactly("customer@example.com");
            assertThat(mail.message().htmlBody()).hasValueSatisfying(html -> assertThat(html).contains("Hello from a build"));
        });

        // The same through the HTTP API: the build, its log, its mail, and the log followed live.
        JsonNode apiBuild = JSON.readTree(get("/api/builds/" + buildId).body());
        assertThat(apiBuild.path("state").asText()).isEqualTo("RUNNING");
        assertThat(apiBuild.path("verdict").asText()).isEqualTo("SUCCESS");
        assertThat(apiBuild.toString()).doesNotContain(build.smtpPassword());
        assertThat(get("/api/builds/" + buildId + "/logs/install.log").body()).contains("Modules loaded.");
        assertThat(JSON.readTree(get("/api/builds/" + buildId + "/mails").body()).get(0).path("subject").asText()).isEqualTo("Your quotation S00042");
        HttpResponse<Stream<String>> follow = HTTP.send(
                TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/builds/" + buildId + "/logs/odoo.log/follow")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = follow.body()) {
            // The platform probed /web/health before calling the build running: that request is in the log.
            assertThat(lines.filter(line -> line.startsWith("data: ") && line.contains("/web/health")).findFirst()).isPresent();
        }

        assertThat(stagehand.builds().history("devit", Optional.of("main"), 20)).extracting(Event::kind)
                .contains(EventKind.PUSH, EventKind.BUILD_QUEUED, EventKind.BUILD_STARTED, EventKind.BUILD_RUNNING);
        // The push says what was pushed: each commit's message and author.
        assertThat(stagehand.builds().history("devit", Optional.of("main"), 20)).filteredOn(event -> event.kind() == EventKind.PUSH)
                .anySatisfy(event -> assertThat(event.message()).contains("(1 commit: 'A change' by Dev)"));
        System.out.println("[measure] push to running: " + Duration.between(build.createdAt(), build.finishedAt().orElseThrow()).toMillis() + " ms; " + build.message().orElse(""));
    }

    @Test
    void testWrongSignatureIsRejectedAndQueuesNothing()
            throws Exception
    {
        int before = stagehand.builds().builds("devit", "main").size();
        HttpResponse<String> response = sendPush("main", repository.head(), UUID.randomUUID().toString(), "not-the-secret");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).path("message").asText()).contains("secret");
        assertThat(stagehand.builds().builds("devit", "main")).hasSize(before);
    }

    @Test
    void testRedeliveredWebhookMakesOneBuild()
            throws Exception
    {
        repository.switchTo("main").createBranch("redelivery");
        String commit = repository.writeFile("README.md", "redelivery\n").commit("Touch README");
        repository.switchTo("main");
        String delivery = UUID.randomUUID().toString();

        assertThat(sendPush("redelivery", commit, delivery, project.webhookSecret()).statusCode()).isEqualTo(202);
        HttpResponse<String> again = sendPush("redelivery", commit, delivery, project.webhookSecret());
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("outcome").asText()).isEqualTo("DUPLICATE");
        assertThat(stagehand.builds().builds("devit", "redelivery")).hasSize(1);
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
    }

    @Test
    void testFailingTestFailsTheBuildWithItsLine()
            throws Exception
    {
        Build build = buildBranch("failing-test", repo -> addon(repo, "stagehand_invoice", "'base'", "", failingTest("TestInvoice")));

        assertThat(build.verdict()).contains(BuildVerdict.FAILED);
        assertThat(build.state()).isEqualTo(BuildState.RUNNING);
        assertThat(stagehand.builds().log(build.id(), LogName.INSTALL))
                .anySatisfy(line -> assertThat(line).contains("ERROR").contains("FAIL: TestInvoice.test_invoice_total"));
    }

    @Test
    void testWarningLoggedByAnAddonGivesWarning()
            throws Exception
    {
        Build build = buildBranch("warning", repo -> addon(repo, "stagehand_warns", "'base'", warningInit("This addon is deprecated"), passingTest("TestWarns")));

        assertThat(build.verdict()).as(build.message().orElse("")).contains(BuildVerdict.WARNING);
        assertThat(stagehand.builds().log(build.id(), LogName.INSTALL))
                .anySatisfy(line -> assertThat(line).contains("WARNING").contains("This addon is deprecated"));
    }

    @Test
    void testBrokenManifestFailsWithAClearMessage()
            throws Exception
    {
        Build build = buildBranch("broken-manifest", repo -> repo.writeFile("stagehand_broken/__manifest__.py", "{\n    'name': 'Broken',\n    'depends': ['base'\n}\n"));

        assertThat(build.verdict()).contains(BuildVerdict.FAILED);
        assertThat(build.message()).hasValueSatisfying(message -> assertThat(message).contains("stagehand_broken").contains("__manifest__.py"));
    }

    @Test
    void testRequirementsAreInstalledWithPipAndTheirImageReused()
            throws Exception
    {
        Build first = buildBranch("requirements", repo -> {
            TestingAddons.wheel(repo, "wheels/stagehand_demo_lib-1.0-py3-none-any.whl", "stagehand-demo-lib", "1.0", "GREETING = 'hello from a requirement'\n");
            // The comment makes this run's requirements set new: the engine keeps cached ones across runs.
            repo.writeFile("requirements.txt", "# run " + UUID.randomUUID() + "\n--no-index\n./wheels/stagehand_demo_lib-1.0-py3-none-any.whl\n");
            addon(repo, "stagehand_uses_lib", "'base'", """
                    import logging
                    import stagehand_demo_lib

                    logging.getLogger(__name__).info("requirement says: %s", stagehand_demo_lib.GREETING)
                    """, passingTest("TestUsesLib"));
        });
        assertThat(first.verdict()).as(first.message().orElse("")).contains(BuildVerdict.SUCCESS);
        assertThat(stagehand.builds().log(first.id(), LogName.PIP)).anySatisfy(line -> assertThat(line).contains("Successfully installed stagehand-demo-lib-1.0"));
        assertThat(stagehand.builds().log(first.id(), LogName.INSTALL)).anySatisfy(line -> assertThat(line).contains("requirement says: hello from a requirement"));

        Build second = buildBranch("requirements", repo -> repo.writeFile("stagehand_uses_lib/README.md", "unchanged requirements\n"));
        assertThat(second.verdict()).contains(BuildVerdict.SUCCESS);
        assertThat(stagehand.builds().log(second.id(), LogName.PIP))
                .anySatisfy(line -> assertThat(line).contains("Requirements unchanged").contains("pip not run"))
                .noneSatisfy(line -> assertThat(line).contains("Successfully installed"));
    }

    @Test
    void testRemoteWithoutWebhookIsPolled()
            throws Exception
    {
        repository.switchTo("main").createBranch("polled");
        String commit = repository.writeFile("README.md", "pushed without a webhook\n").commit("Push without webhook");
        repository.switchTo("main");

        List<Build> queued = stagehand.projects().poll("devit");

        assertThat(queued).filteredOn(build -> build.branch().equals("polled")).singleElement()
                .satisfies(build -> assertThat(build.commitId()).isEqualTo(commit));
        assertThat(stagehand.projects().poll("devit")).filteredOn(build -> build.branch().equals("polled")).as("nothing moved since").isEmpty();
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
    }

    @Test
    void testGarbageCollectionRemovesOldBuilds()
            throws Exception
    {
        Build old = buildBranch("collected", repo -> repo.writeFile("README.md", "first\n"));
        Build newer = buildBranch("collected", repo -> repo.writeFile("README.md", "second\n"));
        assertThat(old.state()).isEqualTo(BuildState.RUNNING);
        String oldContainer = old.containerId().orElseThrow();

        List<Build> collected = stagehand.builds().collectGarbage();

        assertThat(collected).extracting(Build::id).contains(old.id()).doesNotContain(newer.id());
        assertThat(stagehand.builds().build(old.id()).state()).isEqualTo(BuildState.STOPPED);
        assertThat(stagehand.runtime().inspect(oldContainer)).isEmpty();
        assertThat(stagehand.databases().exists(old.databaseName())).isFalse();
        assertThat(temp.resolve("data/workspaces/" + old.id())).doesNotExist();
        assertThat(stagehand.builds().build(newer.id()).state()).isEqualTo(BuildState.RUNNING);
        assertThat(stagehand.databases().exists(newer.databaseName())).isTrue();
    }

    @Test
    void testQueueRunsAtMostTheConfiguredNumberOfBuildsAtOnce()
            throws Exception
    {
        List<String> branches = List.of("queue-a", "queue-b", "queue-c");
        for (String branch : branches) {
            repository.switchTo("main").createBranch(branch);
            repository.writeFile("README.md", branch + "\n").commit("Touch README on " + branch);
            repository.switchTo("main");
        }
        for (String branch : branches) {
            String commit = repository.git("rev-parse", branch).strip();
            assertThat(sendPush(branch, commit, UUID.randomUUID().toString(), project.webhookSecret()).statusCode()).isEqualTo(202);
        }
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();

        for (String branch : branches) {
            assertThat(stagehand.builds().builds("devit", branch)).singleElement()
                    .satisfies(build -> assertThat(build.state()).as(build.message().orElse("")).isEqualTo(BuildState.RUNNING));
        }
        // Three builds queued at once with the default limit of 2.
        assertThat(stagehand.builds().mostBuildsRunningAtOnce()).isEqualTo(2);
        System.out.println("[measure] most builds running at once: " + stagehand.builds().mostBuildsRunningAtOnce());
    }

    @Test
    void testDeletedBranchesBuildsAreCollected()
            throws Exception
    {
        Build build = buildBranch("short-lived", repo -> repo.writeFile("README.md", "short-lived\n"));
        assertThat(build.state()).isEqualTo(BuildState.RUNNING);
        repository.git("branch", "-D", "short-lived");
        HttpResponse<String> deleted = sendPush("short-lived", "0".repeat(40), UUID.randomUUID().toString(), project.webhookSecret(), true);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        assertThat(stagehand.projects().branches("devit")).extracting(branch -> branch.name()).doesNotContain("short-lived");

        assertThat(stagehand.builds().collectGarbage()).extracting(Build::id).contains(build.id());
        assertThat(stagehand.builds().build(build.id()).state()).isEqualTo(BuildState.STOPPED);
        assertThat(stagehand.databases().exists(build.databaseName())).isFalse();
    }

    @Test
    void testAStagingBranchWithoutProductionStartsFromScratchAndKeepsOnlyItsNewestBuild()
            throws Exception
    {
        repository.switchTo("main").createBranch("rc");
        repository.switchTo("main");
        stagehand.projects().poll("devit");
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
        // Through the API behind drag and drop, with a new build on each push.
        HttpResponse<String> moved = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/devit/branches/rc"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"stage\": \"STAGING\", \"onNewCommit\": \"NEW_BUILD\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);

        Build first = buildBranch("rc", repo -> repo.writeFile("RC.md", "first\n"));
        assertThat(first.stage()).isEqualTo(Stage.STAGING);
        assertThat(first.state()).as(first.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(first.message().orElse("")).contains("no production yet: new database with stagehand_base_extra, stagehand_sale_extra (no demo data)");
        assertThat(postgres.queryForString(first.databaseName(), "SELECT string_agg(name || ':' || state || ':' || demo, ',' ORDER BY name) FROM ir_module_module WHERE name LIKE 'stagehand_%'"))
                .isEqualTo("stagehand_base_extra:installed:false,stagehand_sale_extra:installed:false");
        assertThat(stagehand.builds().log(first.id(), LogName.INSTALL)).noneSatisfy(line -> assertThat(line).contains("odoo.tests"));

        Build second = buildBranch("rc", repo -> repo.writeFile("RC.md", "second\n"));
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
        assertThat(second.state()).as(second.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(stagehand.builds().build(first.id()).state()).isEqualTo(BuildState.STOPPED);
        assertThat(stagehand.builds().build(first.id()).message().orElse("")).contains("is the branch's newest staging build");
        assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + first.databaseName() + "'")).isEqualTo("0");
    }

    @Test
    void testBranchWithCronsSendsQueuedMailToTheCatcher()
            throws Exception
    {
        repository.switchTo("main").createBranch("crons");
        repository.switchTo("main");
        stagehand.projects().poll("devit");
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);
        HttpResponse<String> setting = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/devit/branches/crons"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"crons\": true}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(setting.statusCode()).as(setting.body()).isEqualTo(200);
        assertThat(JSON.readTree(setting.body()).path("crons").asBoolean()).isTrue();

        Build build = buildBranch("crons", repo -> repo.writeFile("README.md", "crons on\n"));
        assertThat(build.state()).as(build.message().orElse("")).isEqualTo(BuildState.RUNNING);
        // Odoo's cron threads poll every minute, or at once on a NOTIFY cron_trigger (what ir.cron._trigger sends).
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (stagehand.mail().mails(build.id()).size() < 2 && System.nanoTime() < deadline) {
            notifyCronThreadsFor(build.databaseName(), Duration.ofMillis(200));
        }
        assertThat(stagehand.mail().mails(build.id())).extracting(mail -> mail.message().subject())
                .containsExactlyInAnyOrder("Your quotation S00042", "Your quotation S00042, a reminder");
        assertThat(stagehand.builds().log(build.id(), LogName.ODOO)).anySatisfy(line -> assertThat(line).contains("Starting job `Mail: Email Queue Manager`."));
    }

    @Test
    void testRequirementsKeepTheImagesOwnLibraries()
            throws Exception
    {
        // A requirement whose dependency (psycopg2) the image already has; a newer psycopg2 is on offer.
        Build build = buildBranch("requirements-shadow", repo -> {
            TestingAddons.wheel(repo, "wheels/psycopg2-99.0-py3-none-any.whl", "psycopg2", "99.0", "raise ImportError('the image psycopg2 was shadowed by a requirement')\n");
            TestingAddons.wheel(repo, "wheels/stagehand_pg_helper-1.0-py3-none-any.whl", "stagehand-pg-helper", "1.0", "HELPER = True\n", "psycopg2");
            repo.writeFile("requirements.txt", "# run " + UUID.randomUUID() + "\n--no-index\n--find-links ./wheels\nstagehand-pg-helper\n");
            addon(repo, "stagehand_uses_helper", "'base'", """
                    import logging
                    import psycopg2
                    import stagehand_pg_helper

                    logging.getLogger(__name__).info("psycopg2 %s from %s", psycopg2.__version__, psycopg2.__file__)
                    """, passingTest("TestUsesHelper"));
        });

        assertThat(build.verdict()).as(build.message().orElse("")).contains(BuildVerdict.SUCCESS);
        assertThat(stagehand.builds().log(build.id(), LogName.PIP))
                .anySatisfy(line -> assertThat(line).contains("Requirement already satisfied: psycopg2"))
                .noneSatisfy(line -> assertThat(line).contains("psycopg2-99.0"));
        assertThat(stagehand.builds().log(build.id(), LogName.INSTALL))
                .anySatisfy(line -> assertThat(line).contains("psycopg2 2.").contains("from /usr/lib/python3/dist-packages/psycopg2/"));
    }

    // GitHub's default content type: the JSON in a form field, the signature over the form.
    @Test
    void testFormEncodedWebhooksAreAccepted()
            throws Exception
    {
        String ping = JSON.writeValueAsString(Map.of("zen", "Design for failure.", "hook_id", 1));
        HttpResponse<String> pinged = sendWebhook("ping", "payload=" + URLEncoder.encode(ping, StandardCharsets.UTF_8), "application/x-www-form-urlencoded", project.webhookSecret());
        assertThat(pinged.statusCode()).as(pinged.body()).isEqualTo(202);
        assertThat(JSON.readTree(pinged.body()).path("message").asText()).isEqualTo("pong");

        repository.switchTo("main").createBranch("form-encoded");
        String commit = repository.writeFile("README.md", "form-encoded\n").commit("Pushed with a form-encoded webhook");
        repository.switchTo("main");
        HttpResponse<String> pushed = sendWebhook("push", "payload=" + URLEncoder.encode(pushPayload("form-encoded", commit, false), StandardCharsets.UTF_8),
                "application/x-www-form-urlencoded", project.webhookSecret());
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(202);
        assertThat(awaitBuild(JSON.readTree(pushed.body()).path("builds").get(0).path("id").asLong()).state()).isEqualTo(BuildState.RUNNING);
    }

    @Test
    void testNewProjectBuildsItsBranchesAtOnceAndBuildsAreRebuilt()
            throws Exception
    {
        // Created in startPlatform() without any push: its main branch was built all the same.
        Build first = stagehand.builds().builds("devit", "main").stream().min(Comparator.comparingLong(Build::id)).orElseThrow();
        assertThat(first.commitId()).isEqualTo(initialCommit);

        HttpResponse<String> rebuilt = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/builds/" + first.id() + "/rebuild"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(rebuilt.statusCode()).as(rebuilt.body()).isEqualTo(202);
        Build again = awaitBuild(JSON.readTree(rebuilt.body()).path("id").asLong());
        assertThat(again.id()).isGreaterThan(first.id());
        assertThat(again.commitId()).isEqualTo(first.commitId());
        assertThat(again.state()).as(again.message().orElse("")).isEqualTo(BuildState.RUNNING);

        HttpResponse<String> branchRebuild = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/devit/rebuild/main"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(branchRebuild.statusCode()).as(branchRebuild.body()).isEqualTo(202);
        assertThat(JSON.readTree(branchRebuild.body()).path("commit").asText()).isEqualTo(repository.git("rev-parse", "main").strip());
        stagehand.builds().awaitIdle(BUILD_TIMEOUT);

        HttpResponse<String> unknown = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/builds/987654/rebuild"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(stagehand.builds().history("devit", Optional.of("main"), 50)).extracting(Event::kind).contains(EventKind.REBUILD_REQUESTED);
    }

    @Test
    void testBadBranchSettingsAreRefusedNamingTheField()
            throws Exception
    {
        assertRefused("{\"crons\": \"sometimes\"}", "Field 'crons' must be true or false (it is 'sometimes')");
        assertRefused("{\"stage\": \"PRODUCTON\"}", "Field 'stage' is 'PRODUCTON', which is none of DEVELOPMENT, STAGING, PRODUCTION");
        assertRefused("{\"moduleSelection\": \"some\"}", "Field 'moduleSelection' is 'some', which is none of OWN_MODULES, ALL, EXPLICIT");
        assertRefused("{\"modules\": \"sale_extra\"}", "Field 'modules' must be a list, such as [\"a\", \"b\"]");
        assertRefused("{not json", "The request body is not the JSON expected");
        assertThat(stagehand.projects().branch("devit", "main").cronsEnabled()).isFalse();
    }

    private static void assertRefused(String body, String... messageParts)
            throws Exception
    {
        HttpResponse<String> response = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/devit/branches/main"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(JSON.readTree(response.body()).path("message").asText()).contains(messageParts);
    }

    private static String authenticate(Build build, String database)
            throws Exception
    {
        String body = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"params\": {\"db\": \"%s\", \"login\": \"admin\", \"password\": \"admin\"}}".formatted(database);
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + build.hostPort().orElseThrow() + "/web/session/authenticate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void awaitLogLine(long buildId, LogName log, String text)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stagehand.builds().log(buildId, log).stream().noneMatch(line -> line.contains(text))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No '" + text + "' in " + log + " of build " + buildId + ": " + stagehand.builds().log(buildId, log));
            }
            Thread.sleep(100);
        }
    }

    /**
     * Wakes the cron threads as Odoo's ir.cron._trigger() does, again and again for a while: a
     * NOTIFY sent before a thread LISTENs (it starts once the database is loaded) is lost.
     */
    private static void notifyCronThreadsFor(String database, Duration duration)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            postgres.execute("SELECT pg_notify('cron_trigger', '" + database + "')");
            Thread.sleep(200);
        }
    }

    private interface Change
    {
        void apply(TestingGitRepository repository);
    }

    private static synchronized Build buildBranch(String branch, Change change)
            throws Exception
    {
        repository.switchTo("main");
        if (repository.git("branch", "--list", branch).isBlank()) {
            repository.createBranch(branch);
        }
        else {
            repository.switchTo(branch);
        }
        change.apply(repository);
        String commit = repository.commit("Change on " + branch);
        repository.switchTo("main");
        HttpResponse<String> response = sendPush(branch, commit, UUID.randomUUID().toString(), project.webhookSecret());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return awaitBuild(JSON.readTree(response.body()).path("builds").get(0).path("id").asLong());
    }

    private static Build awaitBuild(long buildId)
            throws InterruptedException
    {
        return TestingBuilds.await(stagehand, buildId, BUILD_TIMEOUT);
    }

    private static HttpResponse<String> sendPush(String branch, String after, String deliveryId, String secret)
            throws Exception
    {
        return sendPush(branch, after, deliveryId, secret, false);
    }

    private static HttpResponse<String> sendPush(String branch, String after, String deliveryId, String secret, boolean deleted)
            throws Exception
    {
        return sendWebhook("push", pushPayload(branch, after, deleted), "application/json", secret, deliveryId);
    }

    private static String pushPayload(String branch, String after, boolean deleted)
            throws Exception
    {
        return JSON.writeValueAsString(Map.of(
                "ref", "refs/heads/" + branch,
                "before", deleted ? "1".repeat(40) : "0".repeat(40),
                "after", after,
                "created", false,
                "deleted", deleted,
                "repository", Map.of("full_name", "acme/addons", "clone_url", repository.url()),
                "commits", List.of(Map.of("id", after, "message", "A change", "author", Map.of("name", "Dev", "email", "dev@example.com")))));
    }

    private static HttpResponse<String> sendWebhook(String event, String body, String contentType, String secret)
            throws Exception
    {
        return sendWebhook(event, body, contentType, secret, UUID.randomUUID().toString());
    }

    private static HttpResponse<String> sendWebhook(String event, String body, String contentType, String secret, String deliveryId)
            throws Exception
    {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/webhooks/github/devit"))
                .header("Content-Type", contentType)
                .header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-Hub-Signature-256", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path)
            throws Exception
    {
        return HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
