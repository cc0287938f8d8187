package sh.stagehand.core.store;

import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.spi.StagehandException;

import java.util.List;
import java.util.Optional;

/**
 * Projects and their branches. Implementations are thread-safe.
 */
public interface ProjectStore
{
    /**
     * @throws StagehandException {@code ALREADY_EXISTS} if a project of that id exists
     */
    void createProject(Project project);

    Optional<Project> findProject(String projectId);

    List<Project> listProjects();

    /**
     * Creates the branch or replaces its settings.
     *
     * @throws StagehandException {@code CONFLICT} if it would make a second production branch
     */
    void saveBranch(Branch branch);

    Optional<Branch> findBranch(String projectId, String name);

    List<Branch> listBranches(String projectId);

    /**
     * @return whether there was such a branch
     */
    boolean deleteBranch(String projectId, String name);

    /**
     * Records a webhook delivery id.
     *
     * @return whether it is new; {@code false} for a redelivery
     */
    boolean recordDelivery(String projectId, String deliveryId);
}
