package sh.stagehand.github.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sh.stagehand.github.GitVcsProvider;
import sh.stagehand.spi.ErrorCodeSupplier;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.CommitStatus;
import sh.stagehand.spi.vcs.CommitStatus.State;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.spi.vcs.VcsProvider;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reports statuses to a real HTTP server on the loopback interface that answers as GitHub's REST API
 * documents "Create a commit status".
 */
class GitHubStatusReporterIT
{
    private static final String TOKEN = "github_pat_11ABCDEFG0abcdefghijkl_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS";
    private static final String SHA = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
    private static final RemoteRepository ADDONS = repository("https://github.com/acme/odoo-addons.git", Optional.of(TOKEN));
    private static final CommitStatus SUCCESS = new CommitStatus(State.SUCCESS, "stagehand/development", "Build 42 succeeded: 118 tests passed",
            Optional.of(URI.create("https://stagehand.acme.example/projects/odoo-addons/builds/42")));
    private static final Pattern STATUSES_PATH = Pattern.compile("(?:/api/v3)?/repos/([^/]+)/([^/]+)/statuses/([0-9a-f]{40})");

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch releaseSlowAnswers = new CountDownLatch(1);
    private ExecutorService executor;
    private HttpServer server;
    private URI apiUrl;
    private GitHubStatusReporter reporter;

    @TempDir
    Path temp;

    private record Received(String method, String path, Headers headers, String body)
    {
    }

    @BeforeEach
    void startGitHub()
            throws IOException
    {
        executor = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.setExecutor(executor);
        server.start();
        apiUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        reporter = new GitHubStatusReporter(apiUrl, GitHubStatusReporter.DEFAULT_TIMEOUT);
    }

    @AfterEach
    void stopGitHub()
    {
        releaseSlowAnswers.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    @Test
    void testCreatesACommitStatusAsGitHubDocumentsIt()
            throws IOException
    {
        reporter.report(ADDONS, SHA, SUCCESS);

        assertThat(received).hasSize(1);
        Received request = received.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/repos/acme/odoo-addons/statuses/" + SHA);
        assertThat(request.headers().getFirst("Accept")).isEqualTo("application/vnd.github+json");
        assertThat(request.headers().getFirst("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.headers().getFirst("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        assertThat(request.headers().getFirst("User-Agent")).isEqualTo("stagehand");
        assertThat(request.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(mapper.readTree(request.body())).isEqualTo(mapper.readTree("""
                {
                  "state": "success",
                  "target_url": "https://stagehand.acme.example/projects/odoo-addons/builds/42",
                  "description": "Build 42 succeeded: 118 tests passed",
                  "context": "stagehand/development"
                }
                """));
    }

    @Test
    void testSendsEachStateInLowerCase()
            throws IOException
    {
        for (State state : State.values()) {
            reporter.report(ADDONS, SHA, new CommitStatus(state, "stagehand/staging", "Build 7", Optional.empty()));
        }

        assertThat(received).hasSize(4);
        assertThat(List.of(field(0, "state"), field(1, "state"), field(2, "state"), field(3, "state"))).containsExactly("pending", "success", "failure", "error");
    }

    @Test
    void testLeavesOutATargetUrlItDoesNotHave()
            throws IOException
    {
        reporter.report(ADDONS, SHA, new CommitStatus(State.PENDING, "stagehand/development", "Build 43 queued", Optional.empty()));

        JsonNode body = mapper.readTree(received.get(0).body());
        assertThat(body.has("target_url")).isFalse();
        assertThat(body.path("description").textValue()).isEqualTo("Build 43 queued");
    }

    @Test
    void testCutsDescriptionsToGitHubs140Characters()
            throws IOException
    {
        String longDescription = "Build 44 failed: ".repeat(20);
        String emojiDescription = "🚀".repeat(150);

        reporter.report(ADDONS, SHA, new CommitStatus(State.FAILURE, "stagehand/development", longDescription, Optional.empty()));
        reporter.report(ADDONS, SHA, new CommitStatus(State.FAILURE, "stagehand/development", emojiDescription, Optional.empty()));
        reporter.report(ADDONS, SHA, new CommitStatus(State.FAILURE, "stagehand/development", "x".repeat(140), Optional.empty()));

        assertThat(field(0, "description")).hasSize(140).isEqualTo(longDescription.substring(0, 139) + "…");
        assertThat(field(1, "description")).isEqualTo("🚀".repeat(139) + "…");
        assertThat(field(2, "description")).isEqualTo("x".repeat(140));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://github.com/acme/odoo-addons",
            "https://github.com/acme/odoo-addons.git",
            "https://github.com/acme/odoo-addons/",
            "https://GitHub.com/acme/odoo-addons.git",
            "https://x-access-token@github.com/acme/odoo-addons.git",
            "git@github.com:acme/odoo-addons.git",
            "git@github.com:acme/odoo-addons",
            "ssh://git@github.com/acme/odoo-addons.git",
            "ssh://git@github.com:22/acme/odoo-addons.git",
    })
    void testUnderstandsGitHubRepositoryUrls(String url)
    {
        reporter.report(repository(url, Optional.of(TOKEN)), SHA, SUCCESS);

        assertThat(received).extracting(Received::path).containsExactly("/repos/acme/odoo-addons/statuses/" + SHA);
    }

    @Test
    void testReportsToGitHubEnterpriseServerUnderItsApiPath()
    {
        // GitHub Enterprise Server: the API is https://HOST/api/v3 and repositories are https://HOST/OWNER/REPO
        GitHubStatusReporter enterprise = new GitHubStatusReporter(URI.create(apiUrl + "/api/v3/"), GitHubStatusReporter.DEFAULT_TIMEOUT);

        enterprise.report(repository("git@127.0.0.1:acme/odoo-addons.git", Optional.of(TOKEN)), SHA, SUCCESS);

        assertThat(received).extracting(Received::path).containsExactly("/api/v3/repos/acme/odoo-addons/statuses/" + SHA);
    }

    @Test
    void testWrongTokenIsPermissionDenied()
    {
        RemoteRepository revoked = repository(ADDONS.url(), Optional.of("ghp_revokedRevokedRevokedRevoked0000"));

        assertFails(() -> reporter.report(revoked, SHA, SUCCESS), StandardErrorCode.PERMISSION_DENIED)
                .hasMessageContaining("HTTP 401 \"Bad credentials\"")
                .hasMessageContaining("acme/odoo-addons")
                .hasMessageContaining("give the project a valid token")
                .hasMessageNotContaining("ghp_revoked");
    }

    @Test
    void testTokenWithoutTheStatusesPermissionIsPermissionDenied()
    {
        assertFails(() -> reporter.report(repository("https://github.com/acme/read-only", Optional.of(TOKEN)), SHA, SUCCESS), StandardErrorCode.PERMISSION_DENIED)
                .hasMessageContaining("HTTP 403 \"Resource not accessible by personal access token\"")
                .hasMessageContaining("Commit statuses: write")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void testUnknownRepositoryIsNotFound()
    {
        assertFails(() -> reporter.report(repository("https://github.com/acme/no-such-addons.git", Optional.of(TOKEN)), SHA, SUCCESS), StandardErrorCode.NOT_FOUND)
                .hasMessageContaining("HTTP 404 \"Not Found\"")
                .hasMessageContaining("acme/no-such-addons")
                .hasMessageNotContaining(TOKEN);
        assertThat(received).extracting(Received::path).containsExactly("/repos/acme/no-such-addons/statuses/" + SHA);
    }

    @Test
    void testUnknownCommitIsInvalidArgument()
    {
        String unknown = "ffffffffffffffffffffffffffffffffffffffff";

        assertFails(() -> reporter.report(ADDONS, unknown, SUCCESS), StandardErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("HTTP 422 \"No commit found for SHA: " + unknown + "\"");
    }

    @Test
    void testServerErrorIsProviderUnavailable()
    {
        assertFails(() -> reporter.report(repository("https://github.com/acme/unicorn", Optional.of(TOKEN)), SHA, SUCCESS), StandardErrorCode.PROVIDER_UNAVAILABLE)
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("again later");
    }

    @Test
    void testRateLimitIsProviderUnavailable()
    {
        assertFails(() -> reporter.report(repository("https://github.com/acme/busy", Optional.of(TOKEN)), SHA, SUCCESS), StandardErrorCode.PROVIDER_UNAVAILABLE)
                .hasMessageContaining("HTTP 403 \"API rate limit exceeded")
                .hasMessageContaining("rate limit is used up");
    }

    @Test
    void testConnectionRefusedIsProviderUnavailable()
            throws IOException
    {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        GitHubStatusReporter nowhere = new GitHubStatusReporter(URI.create("http://127.0.0.1:" + closedPort), GitHubStatusReporter.DEFAULT_TIMEOUT);

        assertFails(() -> nowhere.report(ADDONS, SHA, SUCCESS), StandardErrorCode.PROVIDER_UNAVAILABLE)
                .hasMessageContaining("cannot reach GitHub at http://127.0.0.1:" + closedPort)
                .hasMessageContaining("git.github-api-url");
    }

    @Test
    void testNoAnswerInTimeIsProviderUnavailable()
    {
        GitHubStatusReporter impatient = new GitHubStatusReporter(apiUrl, Duration.ofMillis(500));
        long start = System.nanoTime();

        assertFails(() -> impatient.report(repository("https://github.com/acme/slow", Optional.of(TOKEN)), SHA, SUCCESS), StandardErrorCode.PROVIDER_UNAVAILABLE)
                .hasMessageContaining("did not answer within");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://gitlab.com/acme/odoo-addons.git",
            "git@bitbucket.org:acme/odoo-addons.git",
            "/srv/git/odoo-addons.git",
            "file:///srv/git/odoo-addons.git",
            "https://github.com/acme",
            "https://github.com/acme/odoo-addons/tree/main",
            "https://github.com/acme/../odoo-addons",
            "https://github.com.evil.example/acme/odoo-addons.git",
    })
    void testRepositoryNotOnGitHubIsNotSupported(String url)
    {
        assertFails(() -> reporter.report(repository(url, Optional.of(TOKEN)), SHA, SUCCESS), StandardErrorCode.NOT_SUPPORTED)
                .hasMessageContaining("not a GitHub repository")
                .hasMessageNotContaining(TOKEN);
        assertThat(received).isEmpty();
    }

    @Test
    void testRepositoryWithoutTokenIsNotSupported()
    {
        assertFails(() -> reporter.report(repository(ADDONS.url(), Optional.empty()), SHA, SUCCESS), StandardErrorCode.NOT_SUPPORTED)
                .hasMessageContaining("has no GitHub token");
        assertFails(() -> reporter.report(repository(ADDONS.url(), Optional.of(" ")), SHA, SUCCESS), StandardErrorCode.NOT_SUPPORTED)
                .hasMessageContaining("has no GitHub token");
        assertThat(received).isEmpty();
    }

    @Test
    void testCommitIdMustBeAFullCommitId()
    {
        for (String notACommit : List.of("main", SHA.substring(0, 12), "../../../user", SHA + "/x")) {
            assertFails(() -> reporter.report(ADDONS, notACommit, SUCCESS), StandardErrorCode.INVALID_ARGUMENT)
                    .hasMessageContaining("not a full commit id");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void testGitVcsProviderReportsToTheConfiguredApi()
    {
        ProviderContext context = new ProviderContext("stagehand", temp, Clock.systemUTC());
        try (VcsProvider provider = GitVcsProvider.FACTORY.create(Map.of("git.github-api-url", apiUrl + "/"), context)) {
            provider.reportStatus(ADDONS, SHA, SUCCESS);
        }

        assertThat(received).extracting(Received::path).containsExactly("/repos/acme/odoo-addons/statuses/" + SHA);
    }

    private String field(int request, String name)
            throws IOException
    {
        return mapper.readTree(received.get(request).body()).path(name).textValue();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(Runnable action, ErrorCodeSupplier errorCode)
    {
        return assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(errorCode.toErrorCode()));
    }

    // Answers as GitHub's REST API documents it for POST /repos/{owner}/{repo}/statuses/{sha}.
    private void answer(HttpExchange exchange)
            throws IOException
    {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getRawPath();
        received.add(new Received(exchange.getRequestMethod(), path, exchange.getRequestHeaders(), body));
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("X-GitHub-Api-Version-Selected", "2022-11-28");

        Matcher statuses = STATUSES_PATH.matcher(path);
        if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 401, "{\"message\": \"Bad credentials\", \"documentation_url\": \"https://docs.github.com/rest\", \"status\": \"401\"}");
            return;
        }
        if (!exchange.getRequestMethod().equals("POST") || !statuses.matches()) {
            respond(exchange, 404, "{\"message\": \"Not Found\", \"documentation_url\": \"https://docs.github.com/rest\", \"status\": \"404\"}");
            return;
        }
        String owner = statuses.group(1);
        String repository = statuses.group(2);
        String sha = statuses.group(3);
        if (!owner.equals("acme")) {
            respond(exchange, 404, "{\"message\": \"Not Found\", \"documentation_url\": \"https://docs.github.com/rest/commits/statuses#create-a-commit-status\", \"status\": \"404\"}");
            return;
        }
        switch (repository) {
            case "odoo-addons" -> {
                if (!sha.equals(SHA)) {
                    respond(exchange, 422, "{\"message\": \"No commit found for SHA: " + sha + "\", "
                            + "\"documentation_url\": \"https://docs.github.com/rest/commits/statuses#create-a-commit-status\", \"status\": \"422\"}");
                    return;
                }
                ObjectNode status = (ObjectNode) mapper.readTree(body);
                ObjectNode created = mapper.createObjectNode();
                created.put("url", "https://api.github.com/repos/acme/odoo-addons/statuses/" + sha);
                created.put("avatar_url", "https://avatars.githubusercontent.com/u/1234567?v=4");
                created.put("id", 31337424242L);
                created.put("node_id", "SC_kwDOLeXh-c8AAAAHTg3Ycg");
                created.set("state", status.get("state"));
                created.set("description", status.get("description"));
                created.set("target_url", status.has("target_url") ? status.get("target_url") : mapper.nullNode());
                created.set("context", status.get("context"));
                created.put("created_at", "2024-03-14T10:16:02Z");
                created.put("updated_at", "2024-03-14T10:16:02Z");
                created.set("creator", mapper.readTree("{\"login\": \"stagehand-bot\", \"id\": 7654321, \"type\": \"Bot\", \"site_admin\": false}"));
                exchange.getResponseHeaders().set("Location", "https://api.github.com/repos/acme/odoo-addons/statuses/" + sha);
                respond(exchange, 201, mapper.writeValueAsString(created));
            }
            case "read-only" -> respond(exchange, 403, "{\"message\": \"Resource not accessible by personal access token\", "
                    + "\"documentation_url\": \"https://docs.github.com/rest/commits/statuses#create-a-commit-status\", \"status\": \"403\"}");
            case "busy" -> {
                exchange.getResponseHeaders().set("x-ratelimit-limit", "5000");
                exchange.getResponseHeaders().set("x-ratelimit-remaining", "0");
                exchange.getResponseHeaders().set("x-ratelimit-reset", "1710412562");
                respond(exchange, 403, "{\"message\": \"API rate limit exceeded for user ID 7654321.\", "
                        + "\"documentation_url\": \"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\", \"status\": \"403\"}");
            }
            case "unicorn" -> respond(exchange, 503, "<html><body>Unicorn! This page is taking too long to load.</body></html>");
            case "slow" -> {
                try {
                    releaseSlowAnswers.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                respond(exchange, 201, "{}");
            }
            default -> respond(exchange, 404, "{\"message\": \"Not Found\", \"documentation_url\": \"https://docs.github.com/rest/commits/statuses#create-a-commit-status\", \"status\": \"404\"}");
        }
    }

    private static void respond(HttpExchange exchange, int code, String body)
            throws IOException
    {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream output = exchange.getResponseBody()) {
            output.write(bytes);
        }
    }

    private static RemoteRepository repository(String url, Optional<String> token)
    {
        return new RemoteRepository(url, token, Optional.empty(), Optional.empty());
    }
}
