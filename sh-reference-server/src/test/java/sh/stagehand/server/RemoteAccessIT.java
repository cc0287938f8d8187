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
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.access.AuditEvent;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.project.Stage;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;
import sh.stagehand.testkit.TestingRepository;
import sh.stagehand.testkit.TestingWebSocket;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.addon;
import static sh.stagehand.server.TestingAddons.passingTest;
import static sh.stagehand.server.TestingShells.type;

/**
 * Shells on real builds (Docker, PostgreSQL, the Odoo test server) over SSH, with OpenSSH's own
 * client and keys of the users' profiles, and production's: its psql reads production's database
 * and writes nothing until a project admin allows it, for a while; the grant expires, or is
 * revoked, and a psql left open loses it too; each grant is audited.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteAccessIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String PROJECT = "prodshell";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String admin;
    private static String developer;
    private static Build production;
    private static Build feature;
    private static TestingGitRepository repository;

    @BeforeAll
    static void startPlatformWithARunningProduction()
            throws IOException, InterruptedException
    {
        Map<String, String> properties = TestingPlatform.properties("remote-access-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        admin = TestingAccounts.adminToken(stagehand);

        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        addon(repository, "shop_notes", "'base'", "", passingTest("TestShopNotes"));
        repository.commit("An addon");
        // main, the default branch, is production.
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        production = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "main").get(0).id(), Duration.ofMinutes(5));
        assertThat(production.state()).as(String.valueOf(production)).isEqualTo(BuildState.RUNNING);
        assertThat(production.stage()).isEqualTo(Stage.PRODUCTION);
        stagehand.databases().execute(production.databaseName(), "CREATE TABLE public.shop_notes (note text)", List.of());
        developer = TestingAccounts.token(stagehand, TestingAccounts.collaborator(stagehand, "dev", PROJECT, Role.DEVELOPER));

        repository.createBranch("feature");
        repository.writeFile("FEATURE.md", "A feature\n");
        repository.commit("A feature");
        stagehand.projects().poll(PROJECT);
        feature = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "feature").get(0).id(), Duration.ofMinutes(5));
        assertThat(feature.state()).as(String.valueOf(feature)).isEqualTo(BuildState.RUNNING);
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
            // Production's database through the provider, which drops its reader with it.
            stagehand.databases().drop(PROJECT + "-production");
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + PROJECT + "-production\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testPsqlWritesOnlyWhileAnAdminAllowsItAndTheGrantExpires()
            throws Exception
    {
        try (TestingWebSocket shell = TestingShells.open(server, admin, production.id(), "production", "")) {
            shell.awaitBinaryText("psql reads production's database and writes nothing", TIMEOUT);
            type(shell, "psql -tAc \"select 'rows=' || count(*) from public.shop_notes where note = 'mistake'\"");
            shell.awaitBinaryText("rows=0", TIMEOUT);
            // Each answer told from the line typed (echoed) by what the shell expands.
            type(shell, "psql -tAc \"insert into public.shop_notes values ('mistake')\" 2>&1 | sed \"s/read-only transaction/refused-$((2*3))/\"");
            shell.awaitBinaryText("cannot execute INSERT in a refused-6", TIMEOUT);

            JsonNode granted = writes("POST", admin, "{\"duration\": \"6s\"}", 201);
            assertThat(granted.path("allowed").asBoolean()).isTrue();
            type(shell, "psql -tAc \"insert into public.shop_notes values ('fix')\" && echo \"written-$((2*4))\"");
            shell.awaitBinaryText("written-8", TIMEOUT);

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (writes("GET", admin, null, 200).path("allowed").asBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(writes("GET", admin, null, 200).path("until").isNull()).as("the grant expired").isTrue();
            type(shell, "psql -tAc \"insert into public.shop_notes values ('late')\" 2>&1 | sed \"s/read-only transaction/refused-$((2*5))/\"");
            shell.awaitBinaryText("cannot execute INSERT in a refused-10", TIMEOUT);
        }
        assertThat(notes()).contains("fix").doesNotContain("mistake", "late");
        List<AuditEvent> audit = stagehand.accounts().audit(stagehand.accounts().account("admin"), PROJECT, 50);
        assertThat(audit).anySatisfy(event -> {
            assertThat(event.action()).isEqualTo(AuditAction.PRODUCTION_WRITES_ALLOWED);
            assertThat(event.detail()).contains("for 6 s");
        });
        assertThat(audit).anySatisfy(event -> {
            assertThat(event.action()).isEqualTo(AuditAction.PRODUCTION_WRITES_ENDED);
            assertThat(event.detail()).contains("expired");
        });
    }

    @Test
    void testAPsqlLeftOpenLosesWritesWhenTheGrantIsRevoked()
            throws Exception
    {
        writes("POST", admin, "{\"duration\": \"10m\"}", 201);
        try (TestingWebSocket shell = TestingShells.open(server, admin, production.id(), "production", "")) {
            type(shell, "psql");
            type(shell, "insert into public.shop_notes values ('in-session');");
            shell.awaitBinaryText("INSERT 0 1", TIMEOUT);

            assertThat(writes("DELETE", admin, null, 200).path("allowed").asBoolean()).isFalse();
            // The session of the grant was ended: psql says so and connects again, as a reader.
            type(shell, "insert into public.shop_notes values ('after-revoke');");
            type(shell, "insert into public.shop_notes values ('after-revoke');");
            shell.awaitBinaryText("cannot execute INSERT in a read-only transaction", TIMEOUT);
            type(shell, "\\q");
        }
        assertThat(notes()).contains("in-session").doesNotContain("after-revoke");
    }

    @Test
    void testOnlyAProjectAdminAllowsWritesForAWhileTheySay()
            throws Exception
    {
        assertThat(writes("POST", developer, "{\"duration\": \"5m\"}", 403).path("message").asText()).isNotBlank();
        assertThat(writes("GET", developer, null, 200).path("allowed").asBoolean()).isFalse();
        assertThat(writes("POST", admin, "{\"duration\": \"2h\"}", 400).path("message").asText()).contains("shell.max-write-grant", "1 h");
        assertThat(writes("POST", admin, "{\"duration\": \"soon\"}", 400).path("message").asText()).contains("use e.g.");
        assertThat(writes("POST", admin, "{}", 400).path("message").asText()).contains("{\"duration\": \"15m\"}");
        assertThat(writes("GET", admin, null, 200).path("allowed").asBoolean()).as("nothing was granted").isFalse();
        assertThat(api("POST", admin, "/api/projects/nope/production/writes", "{\"duration\": \"5m\"}", 404).path("message").asText()).contains("nope");
        assertThat(TestingShells.postTicket(server, developer, production.id()).statusCode()).as("a developer has no shell on production").isEqualTo(403);
    }

    @Test
    void testSshWithAProfilesKeyRunsACommandInTheBuildAsItsShellWould()
            throws Exception
    {
        Path key = TestingSsh.profileKey(stagehand, temp, "dev");
        TestingSsh.Result answer = TestingSsh.ssh(server, temp, key, Long.toString(feature.id()), "psql -tAc 'select 40 + 2'");
        assertThat(answer.exitCode()).as(answer.toString()).isZero();
        assertThat(answer.out()).as("a command without a terminal writes as to a pipe").isEqualTo("42\n");

        TestingSsh.Result byHostName = TestingSsh.ssh(server, temp, key, feature.hostname(), "echo \"build=$STAGEHAND_BUILD user=$(id -u)\"; exit 3");
        assertThat(byHostName.exitCode()).as(byHostName.toString()).isEqualTo(3);
        assertThat(byHostName.out()).isEqualTo("build=" + feature.id() + " user=" + TestingPlatform.containerUser().split(":")[0] + "\n");

        TestingSsh.Result piped = TestingSsh.sshWithInput(server, temp, key, Long.toString(feature.id()), "psql -tA", "select 'from-' || 'stdin';\n");
        assertThat(piped.out()).as(piped.toString()).isEqualTo("from-stdin\n");

        // A terminal asked for (-tt): the interactive shell, its prompt, its exit code.
        TestingSsh.Result interactive = TestingSsh.sshWithInput(server, temp, key, Long.toString(feature.id()), null, "echo \"hi-$((6*7))\"\nexit 5\n", "-tt");
        assertThat(interactive.exitCode()).as(interactive.toString()).isEqualTo(5);
        assertThat(interactive.out()).contains("development build " + feature.id(), "hi-42");

        assertThat(String.join("\n", stagehand.builds().log(feature.id(), LogName.SHELL)))
                .contains("dev ran over SSH: psql -tAc 'select 40 + 2'", "dev opened a shell over SSH", "dev$ exit 5");
        assertThat(stagehand.accounts().audit(stagehand.accounts().account("admin"), PROJECT, 100))
                .anySatisfy(event -> assertThat(event.detail()).contains("over SSH: psql -tAc 'select 40 + 2'"));

        // Production's psql reads only over SSH as well.
        TestingSsh.Result production = TestingSsh.ssh(server, temp, TestingSsh.profileKey(stagehand, temp, "admin"), Long.toString(RemoteAccessIT.production.id()), "psql -tAc \"insert into public.shop_notes values ('over ssh')\"");
        assertThat(production.exitCode()).isNotZero();
        assertThat(production.out() + production.err()).contains("cannot execute INSERT in a read-only transaction");
    }

    @Test
    void testSshRefusesStrangersRolesWithoutTheShellAndEverythingButAShell()
            throws Exception
    {
        Path stranger = temp.resolve("stranger-key");
        TestingSsh.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stranger@laptop", "-f", stranger.toString()), null);
        TestingSsh.Result refused = TestingSsh.ssh(server, temp, stranger, Long.toString(feature.id()), "id", "-o", "BatchMode=no");
        assertThat(refused.exitCode()).isEqualTo(255);
        assertThat(refused.err()).contains("This SSH key is on no Stagehand profile", "Permission denied (");
        assertThat(refused.err().split("This SSH key", -1)).as("said once").hasSize(2);
        assertThat(TestingSsh.ssh(server, temp, stranger, Long.toString(feature.id()), "id").err()).as("a script's ssh (BatchMode) is refused at once")
                .contains("Permission denied (");

        Path developerKey = TestingSsh.profileKey(stagehand, temp, "dev");
        TestingSsh.Result onProduction = TestingSsh.ssh(server, temp, developerKey, Long.toString(production.id()), "id");
        assertThat(onProduction.exitCode()).isEqualTo(1);
        assertThat(onProduction.err()).contains("Stagehand: A developer of project " + PROJECT + " has no shell on production branches");
        // A stranger: an account of the platform's, its key on its profile, no role in the project.
        stagehand.accounts().createAccount(stagehand.accounts().account("admin"), "outsider", "Outsider", TestingAccounts.PASSWORD, false);
        TestingSsh.Result outsider = TestingSsh.ssh(server, temp, TestingSsh.profileKey(stagehand, temp, "outsider"), Long.toString(feature.id()), "id");
        assertThat(outsider.exitCode()).isEqualTo(1);
        assertThat(outsider.err()).contains("Stagehand: No build " + feature.id());
        TestingSsh.Result nowhere = TestingSsh.ssh(server, temp, developerKey, "no-such-branch.example.com", "id");
        assertThat(nowhere.err()).contains("No running build answers as 'no-such-branch.example.com'");

        // No forwarding of any kind: a channel to a port, a port opened on the server.
        TestingSsh.Result toAPort = TestingSsh.ssh(server, temp, developerKey, Long.toString(feature.id()), null, "-W", "127.0.0.1:" + postgres.port());
        assertThat(toAPort.exitCode()).isEqualTo(255);
        assertThat(toAPort.err()).contains("administratively prohibited");
        TestingSsh.Result remote = TestingSsh.ssh(server, temp, developerKey, Long.toString(feature.id()), "true", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:22");
        assertThat(remote.exitCode()).isEqualTo(255);
        assertThat(remote.err()).contains("remote port forwarding failed");
    }

    // Last but one: the commit it pushes builds the feature branch again.
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void testTheEditorChangesADevelopmentBuildsSourcesRestartsItAndCommitsAndPushesAsItsUser()
            throws Exception
    {
        String editor = "/api/builds/" + feature.id() + "/editor";
        assertThat(api("GET", developer, editor + "/files", null, 200).findValuesAsText("path")).contains("shop_notes", "FEATURE.md", "~odoo");
        // Odoo's own code, read-only.
        assertThat(api("GET", developer, editor + "/files?path=~odoo", null, 200).findValuesAsText("path")).contains("~odoo/release.py");
        JsonNode release = api("GET", developer, editor + "/file?path=~odoo/release.py", null, 200);
        assertThat(release.path("content").asText()).contains("version_info");
        assertThat(release.path("writable").asBoolean()).isFalse();
        api("PUT", developer, editor + "/file", JSON.writeValueAsString(Map.of("path", "~odoo/release.py", "content", "x")), 409);
        assertThat(api("GET", developer, editor + "/files?path=shop_notes", null, 200).findValuesAsText("path")).contains("shop_notes/__manifest__.py");
        JsonNode manifest = api("GET", developer, editor + "/file?path=shop_notes/__manifest__.py", null, 200);
        assertThat(manifest.path("content").asText()).contains("'depends'");
        assertThat(manifest.path("writable").asBoolean()).isTrue();

        String models = "shop_notes/models/note.py";
        JsonNode saved = api("PUT", developer, editor + "/file", JSON.writeValueAsString(Map.of("path", models, "content", "NOTE = 'edited online'\n")), 200);
        assertThat(saved.path("changed").toString()).contains(models);
        assertThat(docker.exec(feature.containerId().orElseThrow(), "", "cat", "/mnt/stagehand-addons/" + models).output()).contains("NOTE = 'edited online'");
        assertThat(api("GET", developer, editor + "/file?path=" + models, null, 200).path("content").asText()).isEqualTo("NOTE = 'edited online'\n");

        // Restarted on the sources as saved: Odoo's reload, its process replaced.
        api("POST", developer, editor + "/restart", null, 200);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (stagehand.builds().log(feature.id(), LogName.ODOO).stream().noneMatch(line -> line.contains("Initiating server reload")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(stagehand.builds().log(feature.id(), LogName.ODOO)).anySatisfy(line -> assertThat(line).contains("Initiating server reload"));
        URI health = URI.create("http://127.0.0.1:" + feature.hostPort().orElseThrow() + "/web/health");
        int status = 0;
        while (status != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            try {
                status = HTTP.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            }
            catch (IOException e) {
                // Not listening again yet.
            }
        }
        assertThat(status).as("the server answers again after its reload").isEqualTo(200);
        while (stagehand.builds().log(feature.id(), LogName.ODOO).stream().filter(line -> line.contains("HTTP service (werkzeug) running")).count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(stagehand.builds().log(feature.id(), LogName.ODOO)).filteredOn(line -> line.contains("HTTP service (werkzeug) running")).as("a new process serves").hasSize(2);

        // The module updated in the build's database, as Odoo.sh's editor does, then the server restarted.
        JsonNode updated = api("POST", developer, editor + "/update", "{\"module\": \"shop_notes\"}", 200);
        assertThat(updated.path("output").toString()).contains("shop_notes");
        api("POST", developer, editor + "/update", "{\"module\": \"no_such_module\"}", 404);
        api("POST", developer, editor + "/update", "{\"module\": \"../x\"}", 400);

        // What a careless or hostile user sends.
        for (String path : List.of("../../etc/passwd", "/etc/passwd", "shop_notes/../../x", ".git/config")) {
            api("PUT", developer, editor + "/file", JSON.writeValueAsString(Map.of("path", path, "content", "x")), 400);
        }
        api("POST", developer, editor + "/commit", "{}", 400);
        api("PUT", admin, "/api/builds/" + production.id() + "/editor/file", JSON.writeValueAsString(Map.of("path", "shop_notes/x.py", "content", "x")), 409);
        api("GET", developer, "/api/builds/" + production.id() + "/editor/files", null, 403);

        // Committed as the developer, pushed: the branch builds it.
        repository.switchTo("main");
        JsonNode committed = api("POST", developer, editor + "/commit", "{\"message\": \"Note what was edited online\"}", 201);
        String commit = committed.path("commit").asText();
        assertThat(repository.head("feature")).isEqualTo(commit);
        assertThat(repository.inspect(commit)).isEqualTo(new TestingRepository.CommitRecord(List.of(feature.commitId()), "dev", "Note what was edited online"));
        assertThat(repository.git("show", commit + ":" + models)).contains("NOTE = 'edited online'");
        assertThat(stagehand.builds().build(committed.path("build").asLong()).commitId()).isEqualTo(commit);
        assertThat(String.join("\n", stagehand.builds().log(feature.id(), LogName.EDITOR)))
                .contains("dev saved " + models, "dev restarted the server", "dev updated shop_notes", "dev committed " + commit.substring(0, 8));
        api("POST", developer, editor + "/commit", "{\"message\": \"again\"}", 400);
        // Editing goes on in the same build: the next commit is over the editor's last one.
        api("PUT", developer, editor + "/file", JSON.writeValueAsString(Map.of("path", models, "content", "NOTE = 'edited twice'\n")), 200);
        String second = api("POST", developer, editor + "/commit", "{\"message\": \"Edit it again\"}", 201).path("commit").asText();
        assertThat(repository.inspect(second).parents()).containsExactly(commit);

        // The branch moved to staging since: a developer's commit from its old development build
        // would push to staging, which is not theirs.
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "feature").movedTo(Stage.STAGING));
        api("PUT", developer, editor + "/file", JSON.writeValueAsString(Map.of("path", models, "content", "NOTE = 'not for staging'\n")), 200);
        api("POST", developer, editor + "/commit", "{\"message\": \"Sneak into staging\"}", 403);
        assertThat(repository.head("feature")).isEqualTo(second);
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "feature").movedTo(Stage.DEVELOPMENT));
    }

    // Last: it stops a build's container.
    @Test
    @Order(Integer.MAX_VALUE)
    void testShellsEndWithAContainerStoppedUnderThem()
            throws Exception
    {
        Build running = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "feature").get(0).id(), Duration.ofMinutes(5));
        assertThat(running.state()).isEqualTo(BuildState.RUNNING);
        Path key = TestingSsh.profileKey(stagehand, temp, "admin");
        java.util.concurrent.CompletableFuture<TestingSsh.Result> overSsh = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return TestingSsh.ssh(server, temp, key, Long.toString(running.id()), "echo o''pen; sleep 600");
            }
            catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (TestingWebSocket shell = TestingShells.open(server, admin, running.id(), running.stage().name().toLowerCase(java.util.Locale.ROOT), "")) {
            type(shell, "echo o''pen; sleep 600");
            shell.awaitBinaryText("open", TIMEOUT);
            while (stagehand.terminals().openCount() < 2) {
                Thread.sleep(100);
            }

            stagehand.runtime().stop(running.containerId().orElseThrow(), Duration.ofSeconds(1));

            assertThat(shell.awaitClose(TIMEOUT)).as("the web shell ends with its container").isNotNull();
            assertThat(overSsh.get(60, java.util.concurrent.TimeUnit.SECONDS).exitCode()).as("the SSH session too").isNotZero();
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (stagehand.terminals().openCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(stagehand.terminals().openCount()).isZero();
        assertThat(String.join("\n", stagehand.builds().log(running.id(), LogName.SHELL))).contains("admin's shell ended");
    }

    private static List<String> notes()
    {
        return stagehand.databases().query(production.databaseName(), "SELECT note FROM public.shop_notes", List.of()).stream()
                .map(row -> (String) row.get("note"))
                .toList();
    }

    private static JsonNode writes(String method, String bearer, String body, int expectedStatus)
            throws IOException, InterruptedException
    {
        return api(method, bearer, "/api/projects/" + PROJECT + "/production/writes", body, expectedStatus);
    }

    private static JsonNode api(String method, String bearer, String path, String body, int expectedStatus)
            throws IOException, InterruptedException
    {
        HttpRequest request = TestingAccounts.authorized(bearer, URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + " " + response.body()).isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }
}
