package sh.stagehand.core;

import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.pipeline.BuildScheduler;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.ProjectIds;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.VcsProvider;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A new project: its id and production database checked free, its webhook secret and deploy key
 * made, its repository fetched once, its branches recorded (one of them production, if asked) and
 * their heads queued for building. A repository that refuses the deploy key leaves the project
 * waiting for it. Thread-safe.
 */
final class ProjectCreation
{

    private final ProjectStore projects;
    private final VcsProvider vcs;
    private final BuildScheduler scheduler;
    private final DatabaseProvider databases;
    private final Clock clock;
    private final ProjectDeployKeys deployKeys;
    private final ProjectHistory history;
    private final CommitDescriptions commits;

    ProjectCreation(ProjectStore projects, VcsProvider vcs, BuildScheduler scheduler, DatabaseProvider databases, Clock clock, ProjectDeployKeys deployKeys, ProjectHistory history,
            CommitDescriptions commits)
    {
        this.projects = requireNonNull(projects, "projects is null");
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.deployKeys = requireNonNull(deployKeys, "deployKeys is null");
        this.history = requireNonNull(history, "history is null");
        this.commits = requireNonNull(commits, "commits is null");
    }

    /**
     * @param hostedUrl for a repository the platform keeps on its own disk, where its users clone it from
     * @param productionBranch the branch that becomes production, unless {@code defaultBranchIsProduction}
     * @param defaultBranchIsProduction the repository's default branch (its remote {@code HEAD}) becomes production
     */
    Project create(String id, String repositoryUrl, Optional<String> token, Optional<String> hostedUrl, Optional<String> productionBranch, boolean defaultBranchIsProduction)
    {
        ProjectIds.requireValid(id);
        if (projects.findProject(id).isPresent()) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Project " + id + " exists already; pick another id");
        }
        // Never adopt a production database nobody here made: a new project starts its own.
        String productionDatabase = BuildNames.productionDatabaseName(id);
        if (databases.exists(productionDatabase)) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "A database " + productionDatabase + " exists already on the database server, which would become this project's "
                    + "production (left by an earlier project " + id + ", or another platform?); drop it or pick another project id");
        }
        Project project = new Project(id, repositoryUrl, token, newSecret(), clock.instant(), Optional.empty(), deployKeys.newDeployKey(id), hostedUrl);
        List<BranchHead> heads;
        try {
            // The VCS provider checks the URL before anything connects: a refused one is INVALID_ARGUMENT.
            heads = vcs.fetch(project.repository());
        }
        catch (StagehandException e) {
            if (!ProjectDeployKeys.awaitsDeployKey(project, e)) {
                throw e;
            }
            // An ssh repository refuses the platform until its customer adds the deploy key this
            // answer shows: the project waits for it, and its branches come with the first fetch
            // that can read them (the default branch becoming production, as for an empty one).
            projects.createProject(project);
            history.record(project.id(), Optional.empty(), EventKind.DEPLOY_KEY_AWAITED, "The repository refused the project's deploy key: add " + project.deployKey().orElseThrow().publicKey()
                    + " to it as a read-only deploy key; its branches appear at the next push or poll"
                    + (productionBranch.isPresent() ? ", and its default branch becomes production (move " + productionBranch.get() + " there if it is another)" : ""));
            return project;
        }
        Optional<String> production = defaultBranchIsProduction ? vcs.defaultBranch(project.repository()) : productionBranch;
        if (production.isPresent() && heads.stream().noneMatch(head -> head.name().equals(production.get()))) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The repository " + repositoryUrl + " has no branch " + production.get()
                    + " to make production; it has " + heads.stream().map(BranchHead::name).toList());
        }
        projects.createProject(project);
        for (BranchHead head : heads) {
            Branch branch = Branch.development(id, head.name());
            if (production.equals(Optional.of(head.name()))) {
                branch = branch.movedTo(Stage.PRODUCTION);
            }
            projects.saveBranch(branch);
            projects.recordBranchHead(id, head.name(), head.commitId());
            history.record(project.id(), Optional.of(head.name()), EventKind.BRANCH_CREATED, "Branch " + head.name() + " found at " + BuildNames.shortCommit(head.commitId())
                    + commits.headline(project, head.commitId())
                    + (branch.stage() == Stage.PRODUCTION ? "; it is the production branch" : ""));
            scheduler.enqueue(project.id(), branch.name(), head.commitId(), branch.stage());
        }
        return project;
    }


    private static String newSecret()
    {
        return RandomSecrets.randomHex(24);
    }
}
