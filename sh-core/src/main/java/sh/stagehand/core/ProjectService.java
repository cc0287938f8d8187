package sh.stagehand.core;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.pipeline.BuildScheduler;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.CustomDomains;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.ProjectIds;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.CommitInfo;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.spi.vcs.MergeResult;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.spi.vcs.WebhookEvent;
import sh.stagehand.spi.vcs.WebhookRequest;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Projects, their branches, and what a push does: the entry point for webhooks and polling.
 * Thread-safe.
 */
@Singleton
public final class ProjectService
{
    private static final int MAX_COMMITS_SHOWN = 3;
    private static final int MAX_COMMITS_LISTED = 100;
    private static final Logger log = LoggerFactory.getLogger(ProjectService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String NO_COMMIT = "0000000000000000000000000000000000000000";

    private final ProjectStore projects;
    private final BuildStore builds;
    private final VcsProvider vcs;
    private final BuildScheduler scheduler;
    private final DatabaseProvider databases;
    private final HostRouter hosts;
    private final PlatformSettings settings;
    private final Clock clock;
    // False once the VCS provider said it makes no ssh keys: not asked again for every project read.
    private volatile boolean deployKeysMade = true;
    private final Map<String, Optional<CommitInfo>> commits = new LinkedHashMap<>(256, 0.75f, true)
    {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<CommitInfo>> eldest)
        {
            return size() > 10_000;
        }
    };

    @Inject
    public ProjectService(ProjectStore projects, BuildStore builds, VcsProvider vcs, BuildScheduler scheduler, DatabaseProvider databases, HostRouter hosts, PlatformSettings settings, Clock clock)
    {
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Creates a project for a repository, as {@link #createProject(String, String, Optional, Optional)}
     * does, with the repository's default branch (its remote {@code HEAD}) as production.
     */
    public Project createProject(String id, String repositoryUrl, Optional<String> token)
    {
        return create(id, repositoryUrl, token, Optional.empty(), Optional.empty(), true);
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
        return create(id, repositoryUrl, token, Optional.empty(), productionBranch, false);
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
                ? create(id, repositoryPath, Optional.empty(), Optional.of(hostedUrl), Optional.empty(), true)
                : create(id, repositoryPath, Optional.empty(), Optional.of(hostedUrl), productionBranch.get(), false);
    }

    private Project create(String id, String repositoryUrl, Optional<String> token, Optional<String> hostedUrl, Optional<String> productionBranch, boolean defaultBranchIsProduction)
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
        Project project = new Project(id, repositoryUrl, token, newSecret(), clock.instant(), Optional.empty(), newDeployKey(id), hostedUrl);
        List<BranchHead> heads;
        try {
            // The VCS provider checks the URL before anything connects: a refused one is INVALID_ARGUMENT.
            heads = vcs.fetch(project.repository());
        }
        catch (StagehandException e) {
            if (!awaitsDeployKey(project, e)) {
                throw e;
            }
            // An ssh repository refuses the platform until its customer adds the deploy key this
            // answer shows: the project waits for it, and its branches come with the first fetch
            // that can read them (the default branch becoming production, as for an empty one).
            projects.createProject(project);
            event(project.id(), Optional.empty(), EventKind.DEPLOY_KEY_AWAITED, "The repository refused the project's deploy key: add " + project.deployKey().orElseThrow().publicKey()
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
            event(project.id(), Optional.of(head.name()), EventKind.BRANCH_CREATED, "Branch " + head.name() + " found at " + BuildNames.shortCommit(head.commitId())
                    + headline(project, head.commitId())
                    + (branch.stage() == Stage.PRODUCTION ? "; it is the production branch" : ""));
            queueBuild(project, branch, head.commitId());
        }
        return project;
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
        event(projectId, Optional.of(branchName), EventKind.REBUILD_REQUESTED, "Rebuild of " + branchName + " at " + BuildNames.shortCommit(head) + " requested");
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
        event(build.projectId(), Optional.of(build.branch()), EventKind.REBUILD_REQUESTED, "Rebuild of build " + build.id() + " (" + BuildNames.shortCommit(build.commitId()) + ") requested");
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

    // The project's own ssh key, made by the VCS provider (in the format its ssh client reads); none if it speaks no ssh.
    private Optional<DeployKey> newDeployKey(String projectId)
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

    private static boolean awaitsDeployKey(Project project, StagehandException failure)
    {
        return project.deployKey().isPresent() && Project.isSsh(project.repositoryUrl()) && failure.errorCode().equals(StandardErrorCode.PERMISSION_DENIED.toErrorCode());
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
            Optional<CommitInfo> head = recent.isEmpty() ? Optional.empty() : commitInfo(project, recent.get(0).commitId());
            String hostname = branch.stage() == Stage.PRODUCTION ? BuildNames.productionHostname(projectId, settings.domain()) : BuildNames.branchHostname(projectId, branch.name(), settings.domain());
            overview.add(new BranchOverview(branch, head, recent, hostname));
        }
        return overview;
    }

    // A commit's message and author never change: read once from the repository's cache.
    private Optional<CommitInfo> commitInfo(Project project, String commitId)
    {
        String key = project.id() + "@" + commitId;
        synchronized (commits) {
            Optional<CommitInfo> known = commits.get(key);
            if (known != null) {
                return known;
            }
        }
        Optional<CommitInfo> info;
        try {
            info = vcs.commits(project.repository(), Optional.empty(), commitId, 1).stream().findFirst();
        }
        catch (RuntimeException e) {
            // Not asked again on every page refresh: the page shows it without its message.
            log.debug("Cannot read commit {} of {}: {}", commitId, project.id(), e.getMessage());
            info = Optional.empty();
        }
        synchronized (commits) {
            commits.put(key, info);
        }
        return info;
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
            event(branch.projectId(), Optional.of(branch.name()), EventKind.DOMAINS_CHANGED, branch.domains().isEmpty()
                    ? "Branch " + branch.name() + " has no custom domain any more"
                    : "Branch " + branch.name() + " answers on " + String.join(", ", branch.domains()));
        }
        if (previous.stage() != branch.stage()) {
            event(branch.projectId(), Optional.of(branch.name()), EventKind.STAGE_CHANGED, "Branch " + branch.name() + " moved from " + previous.stage() + " to " + branch.stage()
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
        event(projectId, Optional.empty(), EventKind.TRIAL_CHANGED, trial
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
            event(project.id(), Optional.empty(), EventKind.TRIAL_CHANGED, "Trial ended: production and staging branches moved to development");
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
        MergeResult result = vcs.merge(project.repository(), source, target, "Stagehand", "noreply@" + settings.domain());
        String how = switch (result.kind()) {
            case FAST_FORWARD -> "fast-forward to " + BuildNames.shortCommit(result.commitId());
            case MERGE_COMMIT -> "merge commit " + BuildNames.shortCommit(result.commitId());
            case UP_TO_DATE -> "nothing to merge: " + target + " has every commit of " + source;
        };
        event(projectId, Optional.of(target), EventKind.MERGED, "Merged " + source + " into " + target + ": " + how);
        if (result.kind() == MergeResult.Kind.UP_TO_DATE) {
            return new MergeOutcome(result, Optional.empty());
        }
        return new MergeOutcome(result, pushed(project, target, result.commitId(), describePush(project, target, result.commitId(), List.of())));
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
        Project project = project(projectId);
        WebhookEvent event = vcs.parseWebhook(request, project.webhookSecret());
        if (!projects.recordDelivery(project.id(), event.deliveryId())) {
            return new WebhookOutcome(WebhookOutcome.Kind.DUPLICATE, "delivery " + event.deliveryId() + " was handled already", List.of());
        }
        try {
            return handle(project, event);
        }
        catch (RuntimeException e) {
            // Not handled: the sender's redelivery of it must be acted on.
            projects.forgetDelivery(project.id(), event.deliveryId());
            throw e;
        }
    }

    private WebhookOutcome handle(Project project, WebhookEvent event)
    {
        if (event instanceof WebhookEvent.Ping) {
            return new WebhookOutcome(WebhookOutcome.Kind.ACCEPTED, "pong", List.of());
        }
        if (event instanceof WebhookEvent.Ignored ignored) {
            return new WebhookOutcome(WebhookOutcome.Kind.IGNORED, ignored.reason(), List.of());
        }
        WebhookEvent.BranchPush push = (WebhookEvent.BranchPush) event;
        if (push.change() == WebhookEvent.BranchPush.Change.DELETED) {
            branchDeleted(project, push.branch());
            return new WebhookOutcome(WebhookOutcome.Kind.ACCEPTED, "branch " + push.branch() + " deleted", List.of());
        }
        vcs.fetch(project.repository());
        Optional<Build> build = pushed(project, push.branch(), push.afterCommitId(), describePush(project, push.branch(), push.afterCommitId(), push.commits()));
        return new WebhookOutcome(WebhookOutcome.Kind.ACCEPTED, build.map(b -> "build " + b.id() + " queued").orElse("recorded"), build.stream().toList());
    }

    /**
     * For remotes without webhooks: fetches and acts on every branch head that moved, appeared or
     * disappeared since it was last seen.
     *
     * @return the builds queued
     */
    public List<Build> poll(String projectId)
    {
        Project project = project(projectId);
        Map<String, BranchHead> heads = vcs.fetch(project.repository()).stream().collect(Collectors.toMap(BranchHead::name, Function.identity()));
        List<Build> queued = new ArrayList<>();
        for (Branch branch : projects.listBranches(project.id())) {
            if (!heads.containsKey(branch.name())) {
                branchDeleted(project, branch.name());
            }
        }
        for (BranchHead head : heads.values()) {
            boolean moved = projects.findBranch(project.id(), head.name()).isEmpty()
                    || !projects.branchHead(project.id(), head.name()).equals(Optional.of(head.commitId()));
            if (moved) {
                pushed(project, head.name(), head.commitId(), describePush(project, head.name(), head.commitId(), List.of())).ifPresent(queued::add);
            }
        }
        return queued;
    }

    /**
     * "(2 commits: 'Fix the invoice total' by Ada Lovelace; 'Add tests' by Ada Lovelace)", the
     * newest last, as GitHub sends them; at most a few shown.
     */
    static String describe(List<CommitInfo> commits)
    {
        if (commits.isEmpty()) {
            return "";
        }
        List<String> shown = commits.stream()
                .skip(Math.max(0, commits.size() - MAX_COMMITS_SHOWN))
                .map(commit -> "'" + commit.subject() + "'" + (commit.authorName().isEmpty() ? "" : " by " + commit.authorName()))
                .toList();
        String count = commits.size() >= MAX_COMMITS_LISTED ? MAX_COMMITS_LISTED + "+ commits" : commits.size() + " commit" + (commits.size() == 1 ? "" : "s");
        return " (" + count + ": " + (commits.size() > shown.size() ? "…; " : "") + String.join("; ", shown) + ")";
    }

    // " ('Fix the invoice total' by Ada Lovelace)": a commit's subject and author.
    private String headline(Project project, String commitId)
    {
        try {
            return vcs.commits(project.repository(), Optional.empty(), commitId, 1).stream()
                    .map(commit -> " ('" + commit.subject() + "'" + (commit.authorName().isEmpty() ? "" : " by " + commit.authorName()) + ")")
                    .findFirst()
                    .orElse("");
        }
        catch (RuntimeException e) {
            log.warn("Cannot read commit {} of {}: {}", commitId, project.id(), e.getMessage());
            return "";
        }
    }

    // What the webhook said was pushed, or else what the repository says the branch gained.
    private String describePush(Project project, String branch, String commitId, List<WebhookEvent.PushedCommit> pushed)
    {
        if (!pushed.isEmpty()) {
            return describe(pushed.stream().map(commit -> new CommitInfo(commit.commitId(), commit.message(), commit.authorName(), commit.authorEmail())).toList());
        }
        try {
            return describe(vcs.commits(project.repository(), projects.branchHead(project.id(), branch), commitId, MAX_COMMITS_LISTED));
        }
        catch (RuntimeException e) {
            // A history line without messages is better than a push not acted on.
            log.warn("Cannot list the commits pushed to {} of {}: {}", branch, project.id(), e.getMessage());
            return "";
        }
    }

    /**
     * The stage a push to the branch lands on: the branch's, or for a branch the push would
     * create, the one it is created in.
     */
    public Stage stageOfPush(String projectId, String branchName)
    {
        Project project = project(projectId);
        return projects.findBranch(projectId, branchName).map(Branch::stage).orElseGet(() -> newBranchStage(project, branchName));
    }

    // A project made from an empty repository has no production yet: as at creation, the
    // repository's default branch becomes it, once pushed; any other new branch is development.
    private Stage newBranchStage(Project project, String branchName)
    {
        boolean production = projects.listBranches(project.id()).stream().noneMatch(other -> other.stage() == Stage.PRODUCTION)
                && vcs.defaultBranch(project.repository()).filter(branchName::equals).isPresent();
        return production ? Stage.PRODUCTION : Stage.DEVELOPMENT;
    }

    private Optional<Build> pushed(Project project, String branchName, String commitId, String commitsDescription)
    {
        if (commitId.equals(NO_COMMIT)) {
            return Optional.empty();
        }
        Branch branch = projects.findBranch(project.id(), branchName).orElseGet(() -> {
            Branch created = Branch.development(project.id(), branchName);
            boolean production = newBranchStage(project, branchName) == Stage.PRODUCTION;
            if (production) {
                created = created.movedTo(Stage.PRODUCTION);
            }
            projects.saveBranch(created);
            event(project.id(), Optional.of(branchName), EventKind.BRANCH_CREATED, "Branch " + branchName + " created" + (production ? "; it is the production branch" : ""));
            return created;
        });
        projects.recordBranchHead(project.id(), branchName, commitId);
        if (branch.stage() != Stage.PRODUCTION && branch.onNewCommit() == OnNewCommit.DO_NOTHING) {
            event(project.id(), Optional.of(branchName), EventKind.PUSH, "Push to " + branchName + ": " + BuildNames.shortCommit(commitId) + commitsDescription
                    + "; not built: the branch's behaviour on new commit is 'do nothing' (rebuild it to build)");
            return Optional.empty();
        }
        event(project.id(), Optional.of(branchName), EventKind.PUSH, "Push to " + branchName + ": " + BuildNames.shortCommit(commitId) + commitsDescription);
        return Optional.of(queueBuild(project, branch, commitId));
    }

    private void branchDeleted(Project project, String branchName)
    {
        if (projects.deleteBranch(project.id(), branchName)) {
            event(project.id(), Optional.of(branchName), EventKind.BRANCH_DELETED, "Branch " + branchName + " deleted; its builds are collected as they age");
        }
    }

    private void event(String projectId, Optional<String> branch, EventKind kind, String message)
    {
        builds.appendEvent(new Event(0, projectId, branch, Optional.empty(), kind, message, clock.instant()));
    }

    private static String newSecret()
    {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
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
