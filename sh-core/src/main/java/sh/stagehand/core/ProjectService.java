package sh.stagehand.core;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.pipeline.BuildScheduler;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.CustomDomains;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.vcs.CommitInfo;
import sh.stagehand.spi.vcs.MergeResult;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.spi.vcs.WebhookRequest;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Projects, their branches, and what a push does: the entry point for webhooks and polling.
 * A new project is made by {@link ProjectCreation}, code arriving on a branch is acted on by
 * {@link BranchPushes}, commits are told by {@link CommitDescriptions}, deploy keys made by
 * {@link ProjectDeployKeys}. Thread-safe.
 */
@Singleton
public final class ProjectService
{
    private final ProjectStore projects;
    private final BuildStore builds;
    private final BuildScheduler scheduler;
    private final HostRouter hosts;
    private final PlatformSettings settings;
    private final Clock clock;
    private final ProjectHistory history;
    private final CommitDescriptions commits;
    private final ProjectDeployKeys deployKeys;
    private final BranchPushes pushes;
    private final ProjectCreation creation;

    @Inject
    public ProjectService(ProjectStore projects, BuildStore builds, VcsProvider vcs, BuildScheduler scheduler, DatabaseProvider databases, HostRouter hosts, PlatformSettings settings, Clock clock)
    {
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.history = new ProjectHistory(builds, clock);
        this.commits = new CommitDescriptions(vcs, projects);
        this.deployKeys = new ProjectDeployKeys(projects, vcs, settings);
        this.pushes = new BranchPushes(projects, vcs, scheduler, settings, history, commits);
        this.creation = new ProjectCreation(projects, vcs, scheduler, databases, clock, deployKeys, history, commits);
    }

    /**
     * Creates a project for a repository, as {@link #createProject(String, String, Optional, Optional)}
     * does, with the repository's default branch (its remote {@code HEAD}) as production.
     */
    public Project createProject(String id, String repositoryUrl, Optional<String> token)
    {
        return creation.create(id, repositoryUrl, token, Optional.empty(), Optional.empty(), true);
    }

    /**
     * Creates a project for a repository, which is fetched once to check it can be read. The
     * production branch is created from scratch without demo data by its first build; every other
     * branch is a development branch. Every branch head is queued for building at once, so that a
     * new project shows builds without waiting for a push.
     *
     * @param productionBranch the branch that becomes production; empty: none yet (a branch can be
     *         made production later)
     * @throws StagehandException {@code INVALID_ARGUMENT} for a bad id, or a production branch the
     *         repository does not have; {@code ALREADY_EXISTS}; {@code NOT_FOUND} /
     *         {@code PERMISSION_DENIED} / {@code PROVIDER_UNAVAILABLE} if the repository cannot be read
     */
    public Project createProject(String id, String repositoryUrl, Optional<String> token, Optional<String> productionBranch)
    {
        return creation.create(id, repositoryUrl, token, Optional.empty(), productionBranch, false);
    }

    /**
     * Creates a project whose repository the platform keeps on its own disk (a hosted one), as
     * {@link #createProject(String, String, Optional, Optional)} does.
     *
     * @param repositoryPath the repository on the platform's disk
     * @param hostedUrl where its users clone it from; its relative submodule URLs resolve against
     *         this, as in their clones, never to a path on the platform's disk
     * @param productionBranch absent: the repository's default branch
     */
    public Project createHostedProject(String id, String repositoryPath, String hostedUrl, Optional<Optional<String>> productionBranch)
    {
        requireNonNull(hostedUrl, "hostedUrl is null");
        return productionBranch.isEmpty()
                ? creation.create(id, repositoryPath, Optional.empty(), Optional.of(hostedUrl), Optional.empty(), true)
                : creation.create(id, repositoryPath, Optional.empty(), Optional.of(hostedUrl), productionBranch.get(), false);
    }

    /**
     * Builds the branch's head again, as a push of it would.
     *
     * @throws StagehandException {@code NOT_FOUND} for an unknown project or branch, or a branch
     *         whose head is not known yet
     */
    public Build rebuildBranch(String projectId, String branchName)
    {
        Project project = project(projectId);
        Branch branch = branch(projectId, branchName);
        String head = projects.branchHead(projectId, branchName)
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "Branch " + branchName + " of " + projectId + " has no known head yet; push to it, or poll the project"));
        history.record(projectId, Optional.of(branchName), EventKind.REBUILD_REQUESTED, "Rebuild of " + branchName + " at " + BuildNames.shortCommit(head) + " requested");
        return queueBuild(project, branch, head);
    }

    /**
     * Builds a build's commit again, as a new build of its branch.
     *
     * @throws StagehandException {@code NOT_FOUND} for an unknown build, or when its branch is gone
     */
    public Build rebuild(long buildId)
    {
        Build build = builds.findBuild(buildId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + buildId));
        Project project = project(build.projectId());
        Branch branch = projects.findBranch(build.projectId(), build.branch())
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "Build " + build.id() + " was of branch " + build.branch() + ", which is gone; nothing to rebuild"));
        history.record(build.projectId(), Optional.of(build.branch()), EventKind.REBUILD_REQUESTED, "Rebuild of build " + build.id() + " (" + BuildNames.shortCommit(build.commitId()) + ") requested");
        return queueBuild(project, branch, build.commitId());
    }

    private Build queueBuild(Project project, Branch branch, String commitId)
    {
        return scheduler.enqueue(project.id(), branch.name(), commitId, branch.stage());
    }

    /**
     * A project; one made before projects had deploy keys gets its key now.
     */
    public Project project(String projectId)
    {
        Project project = projects.findProject(projectId)
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + projectId));
        return deployKeys.keyed(project);
    }

    public List<Project> projects()
    {
        return projects.listProjects();
    }

    public List<Branch> branches(String projectId)
    {
        return projects.listBranches(project(projectId).id());
    }

    /**
     * A branch as the project's page shows it.
     *
     * @param branch the branch and its settings
     * @param head the commit its newest build is of, with its message and author, where the
     *        repository says
     * @param builds its newest builds, newest first, at most {@code buildsPerBranch}
     * @param hostname its stable host name, {@code <project>-<branch>.<domain>} (production's:
     *        {@code <project>.<domain>})
     */
    public record BranchOverview(Branch branch, Optional<CommitInfo> head, List<Build> builds, String hostname)
    {
        public BranchOverview
        {
            requireNonNull(branch, "branch is null");
            requireNonNull(head, "head is null");
            builds = List.copyOf(requireNonNull(builds, "builds is null"));
            requireNonNull(hostname, "hostname is null");
        }
    }

    /**
     * Everything the project's page shows at a glance, in one call: each branch with its head
     * commit and newest builds.
     */
    public List<BranchOverview> overview(String projectId, int buildsPerBranch)
    {
        Project project = project(projectId);
        List<BranchOverview> overview = new ArrayList<>();
        Map<String, List<Build>> recentBuilds = builds.listRecentBuilds(projectId, buildsPerBranch);
        for (Branch branch : projects.listBranches(projectId)) {
            List<Build> recent = recentBuilds.getOrDefault(branch.name(), List.of());
            Optional<CommitInfo> head = recent.isEmpty() ? Optional.empty() : commits.commitInfo(project, recent.get(0).commitId());
            String hostname = branch.stage() == Stage.PRODUCTION ? BuildNames.productionHostname(projectId, settings.domain()) : BuildNames.branchHostname(projectId, branch.name(), settings.domain());
            overview.add(new BranchOverview(branch, head, recent, hostname));
        }
        return overview;
    }

    public Branch branch(String projectId, String name)
    {
        return projects.findBranch(projectId, name)
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No branch " + name + " in project " + projectId));
    }

    /**
     * Saves a branch's settings (module selection, test tags) and stage; a stage change is
     * recorded in the branch's history, and a move to staging or production builds the branch's
     * head there.
     *
     * @throws StagehandException {@code CONFLICT} if it would make a second production branch
     */
    public Branch saveBranch(Branch branch)
    {
        Branch previous = branch(branch.projectId(), branch.name());
        branch = branch.withDomains(CustomDomains.normalize(branch.domains(), settings.domain(), java.util.Set.of(CustomDomains.hostOf(settings.publicUrl()))));
        if (branch.stage() == Stage.PRODUCTION && previous.stage() != Stage.PRODUCTION) {
            Optional<Branch> production = projects.listBranches(branch.projectId()).stream().filter(other -> other.stage() == Stage.PRODUCTION).findFirst();
            if (production.isPresent()) {
                throw new StagehandException(StandardErrorCode.CONFLICT, "Project " + branch.projectId() + " has a production branch already, " + production.get().name()
                        + "; a project has exactly one. Move " + production.get().name() + " to staging or development first");
            }
        }
        projects.saveBranch(branch);
        if (!previous.domains().equals(branch.domains())) {
            hosts.refresh();
            history.record(branch.projectId(), Optional.of(branch.name()), EventKind.DOMAINS_CHANGED, branch.domains().isEmpty()
                    ? "Branch " + branch.name() + " has no custom domain any more"
                    : "Branch " + branch.name() + " answers on " + String.join(", ", branch.domains()));
        }
        if (previous.stage() != branch.stage()) {
            history.record(branch.projectId(), Optional.of(branch.name()), EventKind.STAGE_CHANGED, "Branch " + branch.name() + " moved from " + previous.stage() + " to " + branch.stage()
                    + (previous.stage() == Stage.PRODUCTION ? "; production's database is kept for the next production branch" : ""));
            // As on Odoo.sh, a branch moved to staging gets its staging build (a copy of
            // production), one moved to production serves it; back to development, nothing is built.
            Optional<String> head = projects.branchHead(branch.projectId(), branch.name());
            if (branch.stage() != Stage.DEVELOPMENT && head.isPresent()) {
                queueBuild(project(branch.projectId()), branch, head.get());
            }
        }
        return branch;
    }

    /**
     * Makes the project a trial, as on Odoo.sh: {@code platform.trial-length} after its creation its
     * production and staging branches go back to development ({@link #endTrials}); or no longer a
     * trial.
     */
    public Project setTrial(String projectId, boolean trial)
    {
        Project project = project(projectId);
        Project updated = project.withTrialEndsAt(trial ? Optional.of(project.createdAt().plus(settings.trialLength())) : Optional.empty());
        projects.updateProject(updated);
        history.record(projectId, Optional.empty(), EventKind.TRIAL_CHANGED, trial
                ? "Trial project: its production and staging branches go back to development on " + updated.trialEndsAt().orElseThrow()
                : "No longer a trial project");
        return updated;
    }

    /**
     * Ends the trials that are due: each such project's production and staging branches go back to
     * development (with the behaviour on new commit of that move), which its history records; its
     * databases stay until collected.
     *
     * @return the projects whose trial ended
     */
    public List<Project> endTrials()
    {
        List<Project> ended = new ArrayList<>();
        for (Project project : projects.listProjects()) {
            if (project.trialEndsAt().filter(end -> !end.isAfter(clock.instant())).isEmpty()) {
                continue;
            }
            for (Branch branch : projects.listBranches(project.id())) {
                if (branch.stage() != Stage.DEVELOPMENT) {
                    saveBranch(branch.movedTo(Stage.DEVELOPMENT));
                }
            }
            Project done = project.withTrialEndsAt(Optional.empty());
            projects.updateProject(done);
            history.record(project.id(), Optional.empty(), EventKind.TRIAL_CHANGED, "Trial ended: production and staging branches moved to development");
            ended.add(done);
        }
        return ended;
    }

    /**
     * Merges branch {@code source} into branch {@code target}, as Odoo.sh does when a branch is
     * dragged onto another: only code moves (never a database); the merge is pushed to the
     * repository, then {@code target} acts on it as on any push (a staging branch builds, production
     * updates).
     *
     * @throws StagehandException {@code CONFLICT} if the branches conflict (nothing is pushed);
     *         {@code NOT_FOUND} for an unknown project or branch; {@code INVALID_ARGUMENT} for a
     *         branch merged into itself
     */
    public MergeOutcome merge(String projectId, String source, String target)
    {
        Project project = project(projectId);
        branch(projectId, source);
        branch(projectId, target);
        if (source.equals(target)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Branch " + source + " cannot be merged into itself; pick another target branch");
        }
        return pushes.merge(project, source, target);
    }

    /**
     * Commits files a person changed over the branch's head, as {@link VcsProvider#commit}, and
     * pushes them; the branch acts on the commit as on any push (a development branch builds it).
     *
     * @throws StagehandException {@code CONFLICT} if the branch moved on from {@code parentCommitId}
     */
    public CommitOutcome commitFiles(String projectId, String branch, String parentCommitId, Map<String, byte[]> files, String authorName, String authorEmail, String message)
    {
        Project project = project(projectId);
        branch(projectId, branch);
        return pushes.commit(project, branch, parentCommitId, files, authorName, authorEmail, message);
    }

    /**
     * What a commit of changed files did: the commit, and the build it queued, if any.
     */
    public record CommitOutcome(String commitId, Optional<Build> build)
    {
        public CommitOutcome
        {
            requireNonNull(commitId, "commitId is null");
            requireNonNull(build, "build is null");
        }
    }

    /**
     * What a merge did: the target's new head, and the build it queued, if any.
     */
    public record MergeOutcome(MergeResult result, Optional<Build> build)
    {
        public MergeOutcome
        {
            requireNonNull(result, "result is null");
            requireNonNull(build, "build is null");
        }
    }

    /**
     * Acts on a webhook delivery for the project: verified first, so that nothing is queued for a
     * request with a wrong signature; a redelivery (same delivery id) does nothing.
     *
     * @throws StagehandException {@code UNAUTHENTICATED} for a bad signature; {@code NOT_FOUND}
     *         for an unknown project
     */
    public WebhookOutcome handleWebhook(String projectId, WebhookRequest request)
    {
        return pushes.handleWebhook(project(projectId), request);
    }

    /**
     * For remotes without webhooks: fetches and acts on every branch head that moved, appeared or
     * disappeared since it was last seen.
     *
     * @return the builds queued
     */
    public List<Build> poll(String projectId)
    {
        return pushes.poll(project(projectId));
    }

    /**
     * The stage a push to the branch lands on: the branch's, or for a branch the push would
     * create, the one it is created in.
     */
    public Stage stageOfPush(String projectId, String branchName)
    {
        Project project = project(projectId);
        return projects.findBranch(projectId, branchName).map(Branch::stage).orElseGet(() -> pushes.newBranchStage(project, branchName));
    }

    /**
     * What a webhook delivery did.
     */
    public record WebhookOutcome(Kind kind, String message, List<Build> queued)
    {
        public enum Kind
        {
            ACCEPTED,
            IGNORED,
            DUPLICATE,
        }

        public WebhookOutcome
        {
            requireNonNull(kind, "kind is null");
            requireNonNull(message, "message is null");
            queued = List.copyOf(requireNonNull(queued, "queued is null"));
        }
    }
}
