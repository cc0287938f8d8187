package sh.stagehand.core;

import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.spi.vcs.VcsProvider;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Each project's own ssh key, which its customer adds to an ssh repository as a read-only deploy
 * key: made by the VCS provider (in the format its ssh client reads) for a new project, and for
 * one made before projects had deploy keys when it is next read. Thread-safe.
 */
final class ProjectDeployKeys
{
    private final ProjectStore projects;
    private final VcsProvider vcs;
    private final PlatformSettings settings;
    // False once the VCS provider said it makes no ssh keys: not asked again for every project read.
    private volatile boolean deployKeysMade = true;

    ProjectDeployKeys(ProjectStore projects, VcsProvider vcs, PlatformSettings settings)
    {
        this.projects = requireNonNull(projects, "projects is null");
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /**
     * The project, with its deploy key made now if it has none yet (and the VCS provider makes them).
     */
    Project keyed(Project project)
    {
        return project.deployKey().isPresent() || !deployKeysMade ? project : withDeployKey(project.id());
    }

    private synchronized Project withDeployKey(String projectId)
    {
        Project project = projects.findProject(projectId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + projectId));
        if (project.deployKey().isPresent()) {
            return project;
        }
        Optional<DeployKey> key = newDeployKey(projectId);
        if (key.isEmpty()) {
            return project;
        }
        Project keyed = project.withDeployKey(key);
        projects.updateProject(keyed);
        return keyed;
    }

    /**
     * A new key for the project; none if the VCS provider speaks no ssh.
     */
    Optional<DeployKey> newDeployKey(String projectId)
    {
        try {
            return Optional.of(vcs.newDeployKey(projectId + "@" + settings.domain()));
        }
        catch (StagehandException e) {
            if (!e.errorCode().equals(StandardErrorCode.NOT_SUPPORTED.toErrorCode())) {
                throw e;
            }
            deployKeysMade = false;
            return Optional.empty();
        }
    }

    /**
     * Whether the repository refused the project because its deploy key is not added to it yet.
     */
    static boolean awaitsDeployKey(Project project, StagehandException failure)
    {
        return project.deployKey().isPresent() && Project.isSsh(project.repositoryUrl()) && failure.errorCode().equals(StandardErrorCode.PERMISSION_DENIED.toErrorCode());
    }
}
