package sh.stagehand.github;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GitHubPublicKeysTest
{
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    private static final String OTHER_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7";

    private final GitHubPublicKeys keys = new GitHubPublicKeys();

    @Test
    void testAUsersPublishedKeys()
            throws Exception
    {
        // A GitHub user's published keys, as https://github.com/<user>.keys serves them: one per line.
        HttpServer github = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        github.createContext("/", exchange -> {
            byte[] body = (KEY + "\n" + OTHER_KEY + "\n\n").getBytes(StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            int status = path.equals("/azure-interior.keys") ? 200 : path.equals("/down.keys") ? 502 : 404;
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        github.start();
        try {
            URI host = URI.create("http://127.0.0.1:" + github.getAddress().getPort());
            assertThat(keys.publicKeys(host, " azure-interior ")).as("blank lines left out").containsExactly(KEY, OTHER_KEY);
            assertThatThrownBy(() -> keys.publicKeys(host, "nobody"))
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()))
                    .hasMessageContaining("GitHub has no user nobody");
            assertThatThrownBy(() -> keys.publicKeys(host, "down"))
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PROVIDER_UNAVAILABLE.toErrorCode()))
                    .hasMessageContaining("answered 502");
            assertThatThrownBy(() -> keys.publicKeys(host, "../etc/passwd"))
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining("not a GitHub user name");
            assertThatThrownBy(() -> keys.publicKeys(host, null)).hasMessageContaining("not a GitHub user name");
        }
        finally {
            github.stop(0);
        }
    }
}
