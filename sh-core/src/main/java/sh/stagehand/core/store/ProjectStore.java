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

    /**
     * Replaces the stored project of that id (its trial end and deploy key; its id, repository
     * and creation stay). The deploy key's private half is a secret, kept as the repository token is.
     *
     * @throws StagehandException {@code NOT_FOUND} if there is no such project
     */
    void updateProject(Project project);

    List<Project> listProjects();

    /**
     * Creates the branch or replaces its settings.
     *
     * @throws StagehandException {@code CONFLICT} if it would make a second production branch, or
     *         give a custom domain another branch has
     */
    void saveBranch(Branch branch);

    /**
     * Changes the branch's apps in one step, whatever else changes it meanwhile: {@code added}
     * appended unless there, {@code removed} taken off. {@link #saveBranch} of a branch that exists
     * leaves its apps as they are: only this changes them.
     *
     * @return the branch as it is now, empty if there is no such branch
     */
    Optional<Branch> changeBranchApps(String projectId, String name, List<String> added, List<String> removed);

    /**
     * Changes the apps production is to uninstall at its next update, as {@link #changeBranchApps}
     * changes its apps; {@link #saveBranch} leaves them as they are too.
     *
     * @return the branch as it is now, empty if there is no such branch
     */
    Optional<Branch> changeAppsToRemove(String projectId, String name, List<String> added, List<String> removed);

    Optional<Branch> findBranch(String projectId, String name);

    List<Branch> listBranches(String projectId);

    /**
     * @return every branch of every project that has custom domains
     */
    List<Branch> listBranchesWithDomains();

    /**
     * @return whether there was such a branch
     */
    boolean deleteBranch(String projectId, String name);

    /**
     * Records the head a branch was last seen at (by a push or a poll).
     */
    void recordBranchHead(String projectId, String name, String commitId);

    /**
     * @return the head the branch was last seen at, if any
     */
    Optional<String> branchHead(String projectId, String name);

    /**
     * Records a webhook delivery id.
     *
     * @return whether it is new; {@code false} for a redelivery
     */
    boolean recordDelivery(String projectId, String deliveryId);

    /**
     * Forgets a delivery whose handling failed, so that the sender's redelivery is acted on.
     */
    void forgetDelivery(String projectId, String deliveryId);
}
