package sh.stagehand.github;

import org.junit.jupiter.api.Test;
import sh.stagehand.github.internal.DeployKeys;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubmoduleRemoteTest
{
    private static final DeployKey KEY = DeployKeys.generate("acme");
    private static final RemoteRepository PROJECT = new RemoteRepository("https://github.com/acme/addons.git", Optional.of("project-token"), Optional.of(KEY), Optional.empty());

    @Test
    void testTokenAndDeployKeyGoToTheProjectsOwnHostOnly()
    {
        assertThat(SubmoduleRemotes.submoduleRemote(PROJECT, "https://github.com/acme/library.git", "vendor/library").token()).contains("project-token");
        assertThat(SubmoduleRemotes.submoduleRemote(PROJECT, "https://GitHub.com/OCA/web.git", "vendor/web").token()).contains("project-token");
        assertThat(SubmoduleRemotes.submoduleRemote(PROJECT, "git@github.com:acme/library.git", "vendor/library").deployKey()).contains(KEY);
        RemoteRepository elsewhere = SubmoduleRemotes.submoduleRemote(PROJECT, "https://attacker.example/collect.git", "vendor/x");
        assertThat(elsewhere.token()).isEmpty();
        assertThat(elsewhere.deployKey()).isEmpty();
        RemoteRepository gitlab = SubmoduleRemotes.submoduleRemote(PROJECT, "git@gitlab.com:acme/other.git", "vendor/y");
        assertThat(gitlab.token()).isEmpty();
        assertThat(gitlab.deployKey()).isEmpty();
    }

    @Test
    void testRemoteProjectCannotNameARepositoryOnThePlatformsDisk()
    {
        for (String url : new String[] {"/var/lib/stagehand/git-cache/other-project.git", "file:///srv/git/other.git"}) {
            assertThatThrownBy(() -> SubmoduleRemotes.submoduleRemote(PROJECT, url, "vendor/z"))
                    .as(url)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining("is refused")
                    .hasMessageContaining("vendor/z");
        }
    }

    @Test
    void testAHostedProjectsSubmodulesResolveAgainstItsPublicUrlAndAreNeverLocal()
    {
        RemoteRepository hosted = new RemoteRepository("/var/lib/stagehand/git/mallory.git", Optional.empty(), Optional.empty(), Optional.of("https://stagehand.example/git/mallory.git"));

        // as in a clone of it: the other project's URL, which needs that project's credentials
        String resolved = SubmoduleRemotes.resolveSubmoduleUrl(hosted.publicUrl().orElseThrow(), "../victim.git");
        assertThat(resolved).isEqualTo("https://stagehand.example/git/victim.git");
        assertThat(SubmoduleRemotes.submoduleRemote(hosted, resolved, "stolen")).isEqualTo(remote("https://stagehand.example/git/victim.git"));
        for (String url : new String[] {"/var/lib/stagehand/git/victim.git", "file:///var/lib/stagehand/git/victim.git"}) {
            assertThatThrownBy(() -> SubmoduleRemotes.submoduleRemote(hosted, url, "stolen"))
                    .as(url)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining("names a repository on the platform's disk");
        }
    }

    @Test
    void testLocalProjectMayUseLocalSubmodules()
    {
        RemoteRepository local = remote("/srv/git/addons");
        assertThat(SubmoduleRemotes.submoduleRemote(local, "/srv/git/library", "vendor/library")).isEqualTo(remote("/srv/git/library"));
        assertThat(SubmoduleRemotes.resolveSubmoduleUrl("/srv/git/addons", "../library")).isEqualTo("/srv/git/library");
    }

    private static RemoteRepository remote(String url)
    {
        return new RemoteRepository(url, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
