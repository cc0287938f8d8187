package sh.stagehand.github;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.eclipse.jgit.util.FS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.testkit.TestingGitRepository;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ssh fetches against a real SSH server (Apache MINA sshd) on loopback, while the platform's own
 * home holds a key of its operator's and a {@code known_hosts} that trusts the server: a tenant's
 * ssh URL never logs in with what the platform's {@code ~/.ssh} holds, only with the project's
 * own deploy key, and the server's host key is pinned for that project at its first fetch.
 */
class SshDeployKeyIT
{
    @TempDir
    Path temp;

    private File originalHome;
    private String operatorKey;
    private TestingSshGitServer server;
    private String commit;
    private GitVcsProvider provider;
    private DeployKey projectKey;

    @BeforeEach
    void createServerAndHome()
            throws IOException, GeneralSecurityException
    {
        TestingGitRepository work = TestingGitRepository.init(temp.resolve("work"), "main");
        commit = work.writeFile("sale_extra/__manifest__.py", "{'name': 'Sale Extra'}\n").commit("Add sale_extra");
        TestingGitRepository bare = TestingGitRepository.init(temp.resolve("served/acme/addons.git"), "main");
        bare.git("config", "core.bare", "true");
        work.git("push", "--quiet", bare.url(), "main");

        // The platform makes the project's key; the customer adds its public half to the repository.
        provider = new GitVcsProvider(temp.resolve("cache"), Duration.ofSeconds(30), URI.create("https://api.github.com"), Set.of("127.0.0.1"));
        projectKey = provider.newDeployKey("acme");
        server = new TestingSshGitServer(temp.resolve("served"), key -> PublicKeyEntry.toString(key).equals(withoutComment(projectKey.publicKey())));

        // The platform's own ~/.ssh: a key with access to its operator's repositories, and a known_hosts that trusts the server.
        Path home = temp.resolve("home");
        Files.createDirectories(home.resolve(".ssh"));
        KeyPair operator = KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 3072);
        try (OutputStream out = Files.newOutputStream(home.resolve(".ssh/id_rsa"))) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(operator, "operator@platform", null, out);
        }
        operatorKey = TestingSshGitServer.authorizedKey(operator.getPublic());
        Files.writeString(home.resolve(".ssh/known_hosts"), server.knownHostsLine() + "\n");
        originalHome = FS.DETECTED.userHome();
        FS.DETECTED.setUserHome(home.toFile());
    }

    @AfterEach
    void restoreHome()
            throws IOException
    {
        FS.DETECTED.setUserHome(originalHome);
        if (provider != null) {
            provider.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void testAnSshFetchNeverOffersThePlatformsOwnKeys()
    {
        RemoteRepository tenant = remote("ssh://git@127.0.0.1:" + server.port() + "/acme/addons.git");
        assertThatThrownBy(() -> provider.fetch(tenant))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                .hasMessageContaining("has no deploy key");
        assertThat(server.offeredKeys()).as("keys offered to a tenant's ssh server").doesNotContain(operatorKey).isEmpty();
    }

    @Test
    void testAnSshFetchLogsInWithTheProjectsDeployKeyAlone()
    {
        RemoteRepository project = new RemoteRepository("ssh://git@127.0.0.1:" + server.port() + "/acme/addons.git", Optional.empty(), Optional.of(projectKey), Optional.empty());

        assertThat(provider.fetch(project)).containsExactly(new BranchHead("main", commit));
        assertThat(provider.defaultBranch(project)).contains("main");
        assertThat(server.offeredKeys()).isNotEmpty().allSatisfy(key -> assertThat(key).isEqualTo(withoutComment(projectKey.publicKey())));
        assertThat(projectKey.publicKey()).startsWith("ssh-ed25519 ").endsWith(" acme");
        assertThat(projectKey.toString()).doesNotContain("PRIVATE");

    }

    @Test
    void testAnotherProjectsKeyDoesNotOpenTheRepository()
    {
        DeployKey otherKey = provider.newDeployKey("other");
        RemoteRepository other = new RemoteRepository("ssh://git@127.0.0.1:" + server.port() + "/acme/addons.git", Optional.empty(), Optional.of(otherKey), Optional.empty());

        assertThatThrownBy(() -> provider.fetch(other))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PERMISSION_DENIED.toErrorCode()))
                .hasMessageContaining("refused the project's credentials")
                .hasMessageContaining("deploy key");
        assertThat(server.offeredKeys()).isNotEmpty().allSatisfy(key -> assertThat(key).isEqualTo(withoutComment(otherKey.publicKey())));
    }

    @Test
    void testTheHostKeyIsPinnedAtTheFirstFetch()
            throws IOException
    {
        RemoteRepository project = new RemoteRepository("ssh://git@127.0.0.1:" + server.port() + "/acme/addons.git", Optional.empty(), Optional.of(projectKey), Optional.empty());
        provider.fetch(project);
        int port = server.port();
        PublicKey pinned = server.hostKey();
        server.close();

        // Someone else answers on the same address, with their own host key.
        server = new TestingSshGitServer(temp.resolve("served"), key -> true, port, TestingSshGitServer.newHostKey());
        assertThat(server.hostKey()).isNotEqualTo(pinned);
        assertThatThrownBy(() -> provider.fetch(project))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PERMISSION_DENIED.toErrorCode()))
                .hasMessageContaining("showed a host key other than the one pinned");
        assertThat(server.offeredKeys()).as("no key is offered to a host that is not the pinned one").isEmpty();
    }

    private static String withoutComment(String publicKey)
    {
        String[] fields = publicKey.split(" ");
        return fields[0] + " " + fields[1];
    }

    private static RemoteRepository remote(String url)
    {
        return new RemoteRepository(url, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
