package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingPorts;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference server run as an operator should run it: as a user of its own, not root, in the
 * docker group (the engine's socket), its data directory its own. Started as {@code java -jar}, as
 * bin/run-server starts it, as that user; a project pushed to it builds, and its Odoo writes its
 * files as that user.
 */
class NonRootServerIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String USER = "stagehand-it";
    private static final String INSTANCE = "non-root-it";
    private static final String PROJECT = "nonroot";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Process server;
    private static Path home;

    @AfterAll
    static void stop()
            throws Exception
    {
        if (server != null) {
            server.destroy();
            server.waitFor();
        }
        run(List.of("sh", "-c", "docker rm -f $(docker ps -aq --filter label=sh.stagehand.instance=" + INSTANCE + ") 2>/dev/null; true"));
        postgres.execute("DROP DATABASE IF EXISTS \"" + PROJECT + "-production\" WITH (FORCE)");
        if (home != null) {
            run(List.of("rm", "-rf", home.toString()));
        }
    }

    @Test
    void testTheServerRunsAsAUserOfItsOwnAndItsBuildsWriteAsIt()
            throws Exception
    {
        // An operator's setup: the user, in the docker group; its home and the server's files its own.
        run(List.of("sh", "-c", "id " + USER + " >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin --groups docker " + USER));
        String uid = run(List.of("id", "-u", USER)).strip();
        String gid = run(List.of("id", "-g", USER)).strip();
        home = Path.of("/var/tmp/stagehand-non-root-" + UUID.randomUUID());
        Files.createDirectories(home.resolve("secrets"));
        Path jar = Files.list(Path.of("target")).filter(path -> path.getFileName().toString().matches("sh-reference-server-[^-]+(-SNAPSHOT)?\\.jar")).findFirst().orElseThrow();
        run(List.of("cp", "-r", jar.toString(), "target/lib", home.toString()));
        Files.writeString(home.resolve("secrets/platform.password"), postgres.password());
        Files.writeString(home.resolve("secrets/metadata.password"), postgres.metadataPassword());
        postgres.createMetadataDatabase(METADATA_DATABASE);
        int httpPort;
        try (ServerSocket free = new ServerSocket(0)) {
            httpPort = free.getLocalPort();
        }
        int smtpPort = TestingPorts.freeStablePort();
        Files.writeString(home.resolve("server.properties"), String.join("\n",
                "instance.name=" + INSTANCE,
                "data.directory=" + home.resolve("data"),
                "http.port=" + httpPort,
                "smtp.port=" + smtpPort,
                "postgres.url=" + postgres.jdbcUrl("postgres"),
                "postgres.user=" + postgres.user(),
                "postgres.password-file=" + home.resolve("secrets/platform.password"),
                "postgres.metadata-user=" + postgres.metadataUser(),
                "postgres.metadata-password-file=" + home.resolve("secrets/metadata.password"),
                "postgres.metadata-database=" + METADATA_DATABASE,
                "postgres.container-host=" + postgres.containerHost(),
                "docker.host=" + docker.host(),
                "docker.network=" + docker.network(),
                "platform.odoo-image=" + TestingEnvironment.get().require("docker.odoo-test-image"),
                "platform.smtp-host=" + docker.networkGateway(),
                "platform.smtp-port=" + smtpPort,
                "platform.poll-interval=0",
                "platform.gc-interval=0",
                "backup.daily-time=off",
                ""));
        run(List.of("chown", "-R", USER + ":" + gid, home.toString()));
        run(List.of("chmod", "-R", "go-rwx", home.toString()));

        Path output = Files.createTempFile("non-root-server-", ".log");
        server = new ProcessBuilder("runuser", "-u", USER, "--", "java", "-jar", home.resolve(jar.getFileName()).toString(), home.resolve("server.properties").toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        URI base = URI.create("http://127.0.0.1:" + httpPort);
        awaitHealth(base, output);

        String password = firstRunPassword(output);
        String token = token(base, password);
        HttpResponse<String> created = HTTP.send(TestingAccounts.authorized(token, base.resolve("/api/projects")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"" + PROJECT + "\", \"hosted\": true}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String gitUrl = JSON.readTree(created.body()).path("gitUrl").asText().replace("http://", "http://admin:" + token + "@");
        Path work = Files.createTempDirectory("non-root-work-");
        Files.createDirectories(work.resolve("shop_sale"));
        Files.writeString(work.resolve("shop_sale/__manifest__.py"), "{'name': 'Shop sale', 'version': '17.0.1.0.0', 'depends': ['mail'], 'license': 'LGPL-3'}\n");
        Files.writeString(work.resolve("shop_sale/__init__.py"), "");
        run(work, List.of("git", "init", "-q", "-b", "main"));
        run(work, List.of("git", "add", "-A"));
        run(work, List.of("git", "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-qm", "Shop sale"));
        run(work, List.of("git", "push", "-q", gitUrl, "main"));

        awaitRunning(base, token, output);

        // The server runs as its user, its build's container as the same, and Odoo wrote its files.
        String javaUid = run(List.of("sh", "-c", "ps -eo uid=,args= | grep -F '" + home.resolve("server.properties") + "' | grep -v -e grep -e runuser | awk '{print $1}'")).strip();
        assertThat(javaUid).as("the java process's user").isEqualTo(uid);
        String containerUser = run(List.of("docker", "inspect", "-f", "{{.Config.User}}", runningContainer())).strip();
        assertThat(containerUser).as("the build's container's user").isEqualTo(uid + ":" + gid);
        Path production = home.resolve("data/workspaces/production/" + PROJECT + "/data");
        assertThat(run(List.of("stat", "-c", "%u %a", production.toString())).strip()).isEqualTo(uid + " 700");
        assertThat(run(List.of("find", production.resolve("filestore").toString(), "-type", "f")).lines().filter(line -> !line.isBlank()))
                .as("files Odoo wrote into the filestore").isNotEmpty();
        assertThat(run(List.of("find", home.toString(), "-perm", "-o+w", "-not", "-type", "l")).strip()).as("anything world-writable").isEmpty();
    }

    private static void awaitHealth(URI base, Path output)
            throws Exception
    {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            }
            catch (IOException e) {
                // not listening yet
            }
            assertThat(server.isAlive()).as(Files.readString(output)).isTrue();
            Thread.sleep(250);
        }
        throw new AssertionError("The server did not answer /health: " + Files.readString(output));
    }

    // Printed once the first administrator is made, which may come just after the server answers.
    private static String firstRunPassword(Path output)
            throws IOException, InterruptedException
    {
        Pattern firstRun = Pattern.compile("log in as admin with password (\\S+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Matcher matcher = firstRun.matcher(Files.readString(output));
        while (!matcher.find() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            matcher = firstRun.matcher(Files.readString(output));
        }
        assertThat(matcher.find(0)).as(Files.readString(output)).isTrue();
        return matcher.group(1);
    }

    private static String token(URI base, String password)
            throws Exception
    {
        HttpResponse<String> session = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/session")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"login\": \"admin\", \"password\": \"" + password + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        String cookie = session.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        String csrf = JSON.readTree(session.body()).path("csrfToken").asText();
        HttpResponse<String> token = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/account/tokens")).header("Content-Type", "application/json")
                .header("Cookie", cookie).header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"non-root test\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isBetween(200, 201);
        return JSON.readTree(token.body()).path("token").asText();
    }

    private static JsonNode awaitRunning(URI base, String token, Path output)
            throws Exception
    {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> builds = HTTP.send(TestingAccounts.authorized(token, base.resolve("/api/projects/" + PROJECT + "/builds?branch=main")).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode build : JSON.readTree(builds.body())) {
                last = build;
                if (build.path("state").asText().equals("RUNNING")) {
                    return build;
                }
                assertThat(build.path("state").asText()).as(build + "\n" + Files.readString(output)).isNotEqualTo("FAILED");
            }
            Thread.sleep(500);
        }
        throw new AssertionError("No running build: " + last + "\n" + Files.readString(output));
    }

    private static String runningContainer()
            throws Exception
    {
        return run(List.of("docker", "ps", "-q", "--filter", "label=sh.stagehand.instance=" + INSTANCE, "--filter", "label=sh.stagehand.role=server")).lines().findFirst().orElseThrow();
    }

    private static String run(List<String> command)
            throws Exception
    {
        return run(Path.of("."), command);
    }

    private static String run(Path directory, List<String> command)
            throws Exception
    {
        Process process = new ProcessBuilder(new ArrayList<>(command)).directory(directory.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
        return output;
    }
}
