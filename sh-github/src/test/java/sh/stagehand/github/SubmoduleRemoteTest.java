package sh.stagehand.github;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubmoduleRemoteTest
{
    private static final RemoteRepository PROJECT = new RemoteRepository("https://github.com/acme/addons.git", Optional.of("project-token"));

    @Test
    void testTokenGoesToTheProjectsOwnHostOnly()
    {
        assertThat(GitVcsProvider.submoduleRemote(PROJECT, "https://github.com/acme/library.git", "vendor/library").token()).contains("project-token");
        assertThat(GitVcsProvider.submoduleRemote(PROJECT, "https://GitHub.com/OCA/web.git", "vendor/web").token()).contains("project-token");
        assertThat(GitVcsProvider.submoduleRemote(PROJECT, "https://attacker.example/collect.git", "vendor/x").token()).isEmpty();
        assertThat(GitVcsProvider.submoduleRemote(PROJECT, "git@gitlab.com:acme/other.git", "vendor/y").token()).isEmpty();
    }

    @Test
    void testRemoteProjectCannotNameARepositoryOnThePlatformsDisk()
    {
        for (String url : new String[] {"/var/lib/stagehand/git-cache/other-project.git", "file:///srv/git/other.git"}) {
            assertThatThrownBy(() -> GitVcsProvider.submoduleRemote(PROJECT, url, "vendor/z"))
                    .as(url)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PERMISSION_DENIED.toErrorCode()))
                    .hasMessageContaining("vendor/z");
        }
    }

    @Test
    void testLocalProjectMayUseLocalSubmodules()
    {
        RemoteRepository local = RemoteRepository.of("/srv/git/addons");
        assertThat(GitVcsProvider.submoduleRemote(local, "/srv/git/library", "vendor/library")).isEqualTo(RemoteRepository.of("/srv/git/library"));
    }
}
