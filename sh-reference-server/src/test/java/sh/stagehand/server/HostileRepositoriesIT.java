package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Project;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile tenant names repositories that point inside: at the platform's own ports, at the
 * cloud's metadata service, at another tenant's repository on the platform's disk. Nothing is
 * contacted, and nothing of another tenant is checked out.
 */
class HostileRepositoriesIT
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
    private static String adminToken;
    private static String tenantToken;

    @BeforeAll
    static void startPlatform()
    {
        Map<String, String> properties = TestingPlatform.properties("hostile-repos-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        // Without the fix, a URL that leads nowhere would hold a request for the default 300 s.
        properties.put("git.timeout", "5s");
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        adminToken = TestingAccounts.adminToken(stagehand);
        Account tenant = stagehand.accounts().createAccount(stagehand.accounts().account("admin"), "mallory", "Mallory", TestingAccounts.PASSWORD, false);
        tenantToken = TestingAccounts.token(stagehand, tenant);
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (Project project : stagehand.projects().projects()) {
                for (var branch : stagehand.projects().branches(project.id())) {
                    for (Build build : stagehand.builds().builds(project.id(), branch.name())) {
                        stagehand.builds().discard(build.id());
                    }
                }
                postgres.execute("DROP DATABASE IF EXISTS \"" + project.id() + "-production\" WITH (FORCE)");
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testRepositoryUrlsThatPointInsideAreRefusedWithoutAConnection()
            throws Exception
    {
        // A listener on every local address (IPv4 and IPv6): a port scan or a probe of an internal
        // service would reach it, through whichever name or form of a local address.
        try (Listener listener = new Listener()) {
            int port = listener.port();
            List<String> urls = List.of(
                    "http://127.0.0.1:" + port + "/x.git",
                    "https://127.0.0.1:" + port + "/x.git",
                    "git://127.0.0.1:" + port + "/x",
                    "ssh://git@127.0.0.1:" + port + "/x",
                    "http://[::1]:" + port + "/x.git",
                    "http://localhost:" + port + "/x.git",
                    "https://localhost:" + port + "/x.git",
                    "http://2130706433:" + port + "/x.git",
                    "http://0.0.0.0:" + port + "/x.git",
                    "http://[::ffff:127.0.0.1]:" + port + "/x.git",
                    "http://" + docker.networkGateway() + ":" + port + "/x.git",
                    "ssh://git@" + docker.networkGateway() + ":" + port + "/x",
                    "http://169.254.169.254/latest/meta-data/",
                    "https://10.1.2.3/acme/addons.git",
                    "https://100.64.0.1/acme/addons.git",
                    "https://[fd00::1]/acme/addons.git");
            SoftAssertions softly = new SoftAssertions();
            int index = 0;
            for (String url : urls) {
                String id = "probe" + index++;
                HttpResponse<String> created = post(tenantToken, "{\"id\": \"" + id + "\", \"repositoryUrl\": \"" + url + "\"}");
                softly.assertThat(created.statusCode()).as(url + " answered " + created.body()).isEqualTo(400);
                JsonNode error = JSON.readTree(created.body());
                softly.assertThat(error.path("error").asText()).as(url).isEqualTo("INVALID_ARGUMENT");
                // One kind of message, saying what was refused, why and what to do; nothing a remote answered.
                softly.assertThat(error.path("message").asText()).as(url)
                        .contains("is refused")
                        .contains("git.allowed-hosts")
                        .doesNotContainIgnoringCase("connection")
                        .doesNotContainIgnoringCase("reset")
                        .doesNotContainIgnoringCase("timed out")
                        .doesNotContainIgnoringCase("end of file");
                softly.assertThat(stagehand.projects().projects()).extracting(Project::id).doesNotContain(id);
            }
            softly.assertThat(listener.connections()).as("connections the platform made to the listener").isEmpty();
            softly.assertAll();
        }
    }

    @Test
    void testAHostedProjectsSubmoduleCannotCheckOutAnotherHostedProject()
            throws Exception
    {
        // Another customer's repository, kept on the same platform.
        String victimUrl = gitUrl(post(adminToken, "{\"id\": \"victim\", \"hosted\": true}"));
        Path victim = temp.resolve("victim-work");
        Files.createDirectories(victim.resolve("secret_addon"));
        Files.writeString(victim.resolve("secret_addon/__manifest__.py"), "{'name': 'Secret', 'version': '17.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}\n");
        Files.writeString(victim.resolve("secret_addon/__init__.py"), "");
        Files.writeString(victim.resolve("secret_addon/SECRET.txt"), "the victim's trade secret\n");
        git(victim, "init", "-q", "-b", "main");
        git(victim, "add", "-A");
        git(victim, "-c", "user.name=Victor", "-c", "user.email=victor@example.com", "commit", "-qm", "Secret");
        String victimCommit = run(victim, "git", "rev-parse", "HEAD").output().strip();
        git(victim, "push", "-q", victimUrl.replace("http://", "http://admin:" + adminToken + "@"), "main");

        // The tenant's own hosted project names it as a submodule, relative to its own repository.
        String tenantUrl = gitUrl(post(tenantToken, "{\"id\": \"mallory\", \"hosted\": true}"));
        Path work = temp.resolve("mallory-work");
        Files.createDirectories(work.resolve("shop"));
        Files.writeString(work.resolve("shop/__manifest__.py"), "{'name': 'Shop', 'version': '17.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}\n");
        Files.writeString(work.resolve("shop/__init__.py"), "");
        Files.writeString(work.resolve(".gitmodules"), "[submodule \"stolen\"]\n\tpath = stolen\n\turl = ../victim.git\n");
        git(work, "init", "-q", "-b", "main");
        git(work, "add", "-A");
        git(work, "update-index", "--add", "--cacheinfo", "160000," + victimCommit + ",stolen");
        git(work, "-c", "user.name=Mallory", "-c", "user.email=mallory@example.com", "commit", "-qm", "Shop, with a library");
        git(work, "push", "-q", tenantUrl.replace("http://", "http://mallory:" + tenantToken + "@"), "main");

        Build build = TestingBuilds.await(stagehand, awaitFirstBuild("mallory", "main").id(), Duration.ofMinutes(5));
        List<Path> leaked;
        try (Stream<Path> files = Files.walk(temp.resolve("data"))) {
            // The victim's own builds and cache hold it; nothing of the tenant's may.
            leaked = files.filter(path -> path.getFileName().toString().equals("SECRET.txt"))
                    .filter(path -> path.toString().contains("/stolen/") || path.startsWith(temp.resolve("data/workspaces/" + build.id())))
                    .toList();
        }
        assertThat(leaked).as("the victim's files in the tenant's build").isEmpty();
        assertThat(build.state()).as(build.toString()).isEqualTo(BuildState.FAILED);
        assertThat(build.message().orElse("")).as("the build says why")
                .contains("stolen")
                .contains("../victim.git")
                .contains("is refused");
    }

    private static String gitUrl(HttpResponse<String> created)
            throws IOException
    {
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // The project's own ssh key, its public half only, for its customer to add where ssh URLs point.
        assertThat(JSON.readTree(created.body()).path("deployKey").asText()).startsWith("ssh-ed25519 ");
        assertThat(created.body()).doesNotContain("PRIVATE KEY");
        return JSON.readTree(created.body()).path("gitUrl").asText();
    }

    private static HttpResponse<String> post(String token, String body)
            throws IOException, InterruptedException
    {
        return HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Build awaitFirstBuild(String project, String branch)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<Build> builds = stagehand.projects().branches(project).stream().anyMatch(known -> known.name().equals(branch)) ? stagehand.builds().builds(project, branch) : List.of();
            if (!builds.isEmpty()) {
                return builds.get(builds.size() - 1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("No build of " + branch + " of " + project + " was queued after the push");
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
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        builder.environment().put("GIT_ASKPASS", "/bin/false");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    /**
     * A plain TCP listener on every local address that notes who connected and hangs up.
     */
    private static final class Listener
            implements AutoCloseable
    {
        private final ServerSocket socket;
        private final List<String> connections = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Listener()
                throws IOException
        {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(0));
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket accepted = socket.accept()) {
                        connections.add(String.valueOf(accepted.getRemoteSocketAddress()));
                    }
                    catch (IOException e) {
                        // closed
                    }
                }
            }, "hostile-repos-listener");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port()
        {
            return socket.getLocalPort();
        }

        List<String> connections()
        {
            return List.copyOf(connections);
        }

        @Override
        public void close()
                throws IOException
        {
            socket.close();
        }
    }
}
