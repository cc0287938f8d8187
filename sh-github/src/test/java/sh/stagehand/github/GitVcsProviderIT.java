package sh.stagehand.github;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.spi.vcs.WebhookEvent;
import sh.stagehand.spi.vcs.WebhookRequest;
import sh.stagehand.testkit.BaseVcsProviderContractTest;
import sh.stagehand.testkit.TestingGitRepository;

import com.sun.net.httpserver.HttpServer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GitVcsProviderIT
        extends BaseVcsProviderContractTest
{
    private static Path cache;
    private static GitVcsProvider provider;

    @BeforeAll
    static void createProvider()
            throws IOException
    {
        cache = Files.createTempDirectory("stagehand-git-cache");
        provider = new GitVcsProvider(cache, Duration.ofSeconds(60));
    }

    @AfterAll
    static void closeProvider()
    {
        if (provider != null) {
            provider.close();
        }
    }

    @Override
    protected VcsProvider provider()
    {
        return provider;
    }

    @Test
    void testFetchesFromBareRepositoryAsFromAServer()
    {
        TestingGitRepository bare = TestingGitRepository.init(temp.resolve("bare.git"), "main");
        bare.git("config", "core.bare", "true");
        gitOrigin().git("push", "--quiet", bare.url(), "main", "feature/invoice-ü");

        RemoteRepository remote = remote("file://" + bare.url());
        assertThat(provider.fetch(remote)).containsExactly(
                new BranchHead("feature/invoice-ü", featureCommit),
                new BranchHead("main", secondCommit));
    }

    @Test
    void testResolvesRelativeSubmoduleUrlsAgainstTheSuperproject()
    {
        TestingGitRepository library = TestingGitRepository.init(temp.resolve("library"), "main");
        library.writeFile("web_theme/__manifest__.py", "{'name': 'Theme'}\n").commit("Add theme");
        origin.addSubmodule(library, "vendor/library");
        gitOrigin().git("config", "--file", ".gitmodules", "submodule.vendor/library.url", "../library");
        String commit = origin.commit("Add library with a relative URL");

        provider.fetch(remote);
        Path workspace = temp.resolve("relative-workspace");
        provider.checkout(remote, commit, workspace);

        assertThat(workspace.resolve("vendor/library/web_theme/__manifest__.py")).exists();
    }

    @Test
    void testVerifiesAndParsesGitHubWebhooks()
            throws GeneralSecurityException
    {
        byte[] body = "{\"zen\": \"Speak like a human.\", \"hook_id\": 468117063}".getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        WebhookRequest ping = new WebhookRequest(Map.of(
                "X-GitHub-Event", "ping",
                "X-GitHub-Delivery", "5c1b4b5e-e1f6-11ee-8d37-2b6f4c1c9a10",
                "X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body))), body);

        assertThat(provider.parseWebhook(ping, "s3cret")).isEqualTo(new WebhookEvent.Ping("5c1b4b5e-e1f6-11ee-8d37-2b6f4c1c9a10"));
        assertThatThrownBy(() -> provider.parseWebhook(ping, "another secret"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.UNAUTHENTICATED.toErrorCode()));
    }

    @Test
    void testUrlsThatPointInsideAreRefusedBeforeAnythingConnects()
            throws IOException
    {
        for (String url : new String[] {"ssh://git@127.0.0.1:1/acme/addons.git", "https://localhost/acme/addons.git", "git://127.0.0.1/acme/addons.git",
                "https://169.254.169.254/latest/meta-data/", "HTTPS://../../etc/repository.git"}) {
            assertThatThrownBy(() -> provider.fetch(new RemoteRepository(url, Optional.of("project-token"), Optional.of(provider.newDeployKey("acme")), Optional.empty())))
                    .as(url)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining("is refused")
                    .hasMessageContaining("git.allowed-hosts");
        }
        try (Stream<Path> cached = Files.list(cache)) {
            assertThat(cached.map(path -> path.getFileName().toString())).as("nothing was cloned").noneMatch(name -> name.startsWith("addons") || name.startsWith("meta-data"));
        }
    }

    @Test
    void testAHostThatCannotBeReachedAndOneThatAnswersLookAlike()
            throws IOException
    {
        // An operator's host (allowed), so that what the platform says of a remote's answer shows.
        GitVcsProvider allowing = new GitVcsProvider(temp.resolve("allowing-cache"), Duration.ofSeconds(10), URI.create("https://api.github.com"), Set.of("127.0.0.1"));
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            byte[] banner = "Jenkins 2.440 internal admin console".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, banner.length);
            exchange.getResponseBody().write(banner);
            exchange.close();
        });
        http.start();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (ServerSocket banner = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread speaker = new Thread(() -> {
                while (!banner.isClosed()) {
                    try (Socket accepted = banner.accept()) {
                        accepted.getOutputStream().write("SSH-2.0-OpenSSH_9.2 internal-bastion\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    catch (IOException e) {
                        // closed
                    }
                }
            });
            speaker.setDaemon(true);
            speaker.start();
            List<String> messages = new ArrayList<>();
            for (int port : new int[] {closedPort, http.getAddress().getPort(), banner.getLocalPort()}) {
                String url = "http://127.0.0.1:" + port + "/acme/addons.git";
                assertThatThrownBy(() -> allowing.fetch(remote(url)))
                        .isInstanceOfSatisfying(StagehandException.class, e -> {
                            assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PROVIDER_UNAVAILABLE.toErrorCode());
                            messages.add(e.getMessage().replace(url, "URL"));
                        });
            }
            assertThat(messages).hasSize(3).allSatisfy(message -> assertThat(message)
                    .isEqualTo(messages.get(0))
                    .doesNotContain("Jenkins")
                    .doesNotContain("500")
                    .doesNotContain("OpenSSH")
                    .doesNotContainIgnoringCase("refused"));
        }
        finally {
            http.stop(0);
            allowing.close();
        }
    }

    @Test
    void testARedirectToAnAddressInsideIsRefusedBeforeItsConnection()
            throws IOException
    {
        // An operator's host (allowed) that a tenant's repository redirects from, to the platform's loopback.
        GitVcsProvider allowing = new GitVcsProvider(temp.resolve("redirect-cache"), Duration.ofSeconds(10), URI.create("https://api.github.com"), Set.of("localhost"));
        try (ServerSocket inside = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> reached = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!inside.isClosed()) {
                    try (Socket accepted = inside.accept()) {
                        reached.add(String.valueOf(accepted.getRemoteSocketAddress()));
                    }
                    catch (IOException e) {
                        // closed
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/", exchange -> {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + inside.getLocalPort() + exchange.getRequestURI());
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
            });
            http.start();
            try {
                assertThatThrownBy(() -> allowing.fetch(remote("http://localhost:" + http.getAddress().getPort() + "/acme/addons.git")))
                        .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                        .hasMessageContaining("The repository URL http://127.0.0.1:" + inside.getLocalPort() + "/ is refused");
                assertThat(reached).as("connections to the address redirected to").isEmpty();
            }
            finally {
                http.stop(0);
            }
        }
        finally {
            allowing.close();
        }
    }

    private TestingGitRepository gitOrigin()
    {
        return (TestingGitRepository) origin;
    }
}
