package sh.stagehand.github;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GitConfigTest
{
    @Test
    void testDefaults()
    {
        assertThat(GitConfig.fromMap(Map.of()))
                .isEqualTo(new GitConfig(Optional.empty(), Duration.ofSeconds(300), URI.create("https://api.github.com")));
    }

    @Test
    void testExplicitPropertyMappings()
    {
        assertThat(GitConfig.fromMap(Map.of(
                "git.cache-directory", "/var/cache/stagehand/git",
                "git.timeout", "2m",
                "git.github-api-url", "https://github.acme.example/api/v3",
                "git.allowed-hosts", " GitLab.Internal.Example, git.acme.example.,,10.20.30.40, [fd00::5] ")))
                .isEqualTo(new GitConfig(Optional.of(Path.of("/var/cache/stagehand/git")), Duration.ofSeconds(120), URI.create("https://github.acme.example/api/v3"),
                        Set.of("gitlab.internal.example", "git.acme.example", "10.20.30.40", "[fd00::5]")));
    }

    @Test
    void testAllowedHostsAreNamesNotUrls()
    {
        for (String bad : new String[] {"https://gitlab.internal.example", "git@gitlab.internal.example", "gitlab.internal.example:8443", "gitlab.internal.example/acme", "*.internal.example"}) {
            assertThatThrownBy(() -> GitConfig.fromMap(Map.of("git.allowed-hosts", bad)))
                    .as(bad)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_CONFIGURATION.toErrorCode()))
                    .hasMessageContaining("git.allowed-hosts")
                    .hasMessageContaining("without scheme, user, port or path");
        }
    }

    @Test
    void testGitHubApiUrlLosesItsTrailingSlash()
    {
        assertThat(GitConfig.fromMap(Map.of("git.github-api-url", " HTTP://127.0.0.1:8443/api/v3/ ")).githubApiUrl())
                .isEqualTo(URI.create("http://127.0.0.1:8443/api/v3"));
        assertThat(GitConfig.fromMap(Map.of("git.github-api-url", "https://api.github.com/")).githubApiUrl())
                .isEqualTo(URI.create("https://api.github.com"));
    }

    @Test
    void testRejectsBadValuesWithTheKeyInTheMessage()
    {
        for (String badUrl : new String[] {"api.github.com", "ftp://api.github.com", "https://", "https://api.github.com/?per_page=100", "https://api.github.com/#x", "not a url"}) {
            assertThatThrownBy(() -> GitConfig.fromMap(Map.of("git.github-api-url", badUrl)))
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_CONFIGURATION.toErrorCode()))
                    .hasMessageContaining("git.github-api-url")
                    .hasMessageContaining("https://api.github.com");
        }
        assertThatThrownBy(() -> GitConfig.fromMap(Map.of("git.timeout", "0"))).isInstanceOf(StagehandException.class).hasMessageContaining("git.timeout");
        assertThatThrownBy(() -> GitConfig.fromMap(Map.of("git.timeout", "five"))).isInstanceOf(StagehandException.class).hasMessageContaining("git.timeout");
        assertThatThrownBy(() -> GitConfig.fromMap(Map.of("git.cache-directory", "a\0b"))).isInstanceOf(StagehandException.class).hasMessageContaining("git.cache-directory");
        assertThatThrownBy(() -> GitConfig.fromMap(Map.of("git.github-url", "https://api.github.com")))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("git.github-url")
                .hasMessageContaining("git.github-api-url");
    }

    @Test
    void testDoesNotRepeatCredentialsInAnApiUrl()
    {
        assertThatThrownBy(() -> GitConfig.fromMap(Map.of("git.github-api-url", "https://x-access-token:ghp_secret@api.github.com")))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("git.github-api-url")
                .hasMessageNotContaining("ghp_secret");
    }
}
