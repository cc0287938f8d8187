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

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

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
        origin.git("push", "--quiet", bare.url(), "main", "feature/invoice-ü");

        RemoteRepository remote = RemoteRepository.of("file://" + bare.url());
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
        origin.git("config", "--file", ".gitmodules", "submodule.vendor/library.url", "../library");
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
    void testSshRemotesAreSpokenTo()
    {
        // Nothing listens on port 1. JGit's own ssh client (org.eclipse.jgit.ssh.apache) says the
        // connection was refused; without it JGit would fall back to an ssh binary, if the host has one.
        RemoteRepository ssh = RemoteRepository.of("ssh://git@127.0.0.1:1/acme/addons.git");
        assertThatThrownBy(() -> provider.fetch(ssh))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PROVIDER_UNAVAILABLE.toErrorCode()))
                .hasMessageContaining("127.0.0.1")
                .hasMessageContaining("Connection refused");
    }
}
