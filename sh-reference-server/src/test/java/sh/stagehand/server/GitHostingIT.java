package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Stage;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A project whose repository the platform keeps: a real {@code git push} over HTTP, through JGit's
 * HTTP server, authenticated, builds at once (the platform never polls in this test).
 */
class GitHostingIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;

    @BeforeAll
    static void startPlatform()
    {
        Map<String, String> properties = TestingPlatform.properties("git-hosting-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (var branch : stagehand.projects().projects().isEmpty() ? List.<sh.stagehand.core.project.Branch>of() : stagehand.projects().branches("gitit")) {
                for (Build build : stagehand.builds().builds("gitit", branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"gitit-production\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testAGitPushOverHttpToAHostedProjectBuildsAtOnce()
            throws Exception
    {
        HttpResponse<String> created = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"gitit\", \"hosted\": true}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode project = JSON.readTree(created.body());
        String gitUrl = project.path("gitUrl").asText();
        assertThat(gitUrl).endsWith("/git/gitit.git");
        // Pushed with one's login and an API token, as to GitHub.
        String authenticated = gitUrl.replace("http://", "http://admin:" + token + "@");

        Path work = temp.resolve("work");
        Files.createDirectories(work.resolve("shop_sale"));
        Files.writeString(work.resolve("shop_sale/__manifest__.py"), "{'name': 'Shop sale', 'version': '17.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}\n");
        Files.writeString(work.resolve("shop_sale/__init__.py"), "");
        git(work, "init", "-q", "-b", "main");
        git(work, "add", "-A");
        git(work, "-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.com", "commit", "-qm", "Shop sale 1.0");

        // Without a token, nothing is taken; a git client is asked for credentials.
        Run refused = run(work, "git", "push", gitUrl.replace("http://", "http://ada:wrong@"), "main");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("Authentication failed");
        assertThat(stagehand.projects().branches("gitit")).isEmpty();
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(gitUrl + "/info/refs?service=git-upload-pack")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value -> assertThat(value).startsWith("Basic"));

        Run pushed = run(work, "git", "push", authenticated, "main");
        assertThat(pushed.exitCode()).as(pushed.output()).isZero();

        // The push is built at once: the repository's default branch, pushed first, is production.
        Build build = awaitFirstBuild("main");
        assertThat(build.stage()).isEqualTo(Stage.PRODUCTION);
        assertThat(TestingBuilds.await(stagehand, build.id(), Duration.ofMinutes(5)).state()).isEqualTo(BuildState.RUNNING);
        assertThat(stagehand.builds().history("gitit", java.util.Optional.of("main"), 10))
                .anySatisfy(event -> assertThat(event.message()).contains("'Shop sale 1.0' by Ada Lovelace"));

        // Another branch is a development branch; a clone needs the secret too.
        git(work, "checkout", "-q", "-b", "feature");
        Files.writeString(work.resolve("NOTES.md"), "notes\n");
        git(work, "add", "-A");
        git(work, "-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.com", "commit", "-qm", "Notes");
        assertThat(run(work, "git", "push", authenticated, "feature").exitCode()).isZero();
        assertThat(awaitFirstBuild("feature").stage()).isEqualTo(Stage.DEVELOPMENT);
        Run cloned = run(temp, "git", "clone", "-q", authenticated, temp.resolve("clone").toString());
        assertThat(cloned.exitCode()).as(cloned.output()).isZero();
        assertThat(temp.resolve("clone/shop_sale/__manifest__.py")).exists();

        // A developer pushes to development branches, not to production: git says why.
        Account developer = TestingAccounts.collaborator(stagehand, "ada", "gitit", Role.DEVELOPER);
        String asDeveloper = gitUrl.replace("http://", "http://ada:" + TestingAccounts.token(stagehand, developer) + "@");
        Files.writeString(work.resolve("NOTES.md"), "more notes\n");
        git(work, "add", "-A");
        git(work, "-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.com", "commit", "-qm", "More notes");
        assertThat(run(work, "git", "push", asDeveloper, "feature").exitCode()).isZero();
        Run toProduction = run(work, "git", "push", asDeveloper, "feature:main");
        assertThat(toProduction.exitCode()).isNotZero();
        assertThat(toProduction.output()).contains("A developer of project gitit has no settings on production branches");
        // A stranger's token does not even show the repository.
        Account stranger = stagehand.accounts().createAccount(stagehand.accounts().account("admin"), "stranger", "", TestingAccounts.PASSWORD, false);
        Run notTheirs = run(temp, "git", "clone", "-q", gitUrl.replace("http://", "http://stranger:" + TestingAccounts.token(stagehand, stranger) + "@"), temp.resolve("stolen").toString());
        assertThat(notTheirs.exitCode()).isNotZero();
        assertThat(notTheirs.output()).contains("not found");
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + token).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/git/nobody.git/info/refs?service=git-upload-pack"))
                .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> anonymousUnknown = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/git/nobody.git/info/refs?service=git-upload-pack")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymousUnknown.statusCode()).as("who has no credentials learns nothing of which projects exist").isEqualTo(401);
    }

    private static Build awaitFirstBuild(String branch)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<Build> builds = stagehand.projects().branches("gitit").stream().anyMatch(known -> known.name().equals(branch)) ? stagehand.builds().builds("gitit", branch) : List.of();
            if (!builds.isEmpty()) {
                return builds.get(builds.size() - 1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("No build of " + branch + " was queued after the push");
    }

    private static void git(Path directory, String... arguments)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        Run run = run(directory, command.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    private record Run(int exitCode, String output) {}

    private static Run run(Path directory, String... command)
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        // Never a prompt for credentials: a refusal must fail the command.
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        builder.environment().put("GIT_ASKPASS", "/bin/false");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }
}
