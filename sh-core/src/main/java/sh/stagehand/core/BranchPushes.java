package sh.stagehand.core;

import sh.stagehand.core.ProjectService.CommitOutcome;
import sh.stagehand.core.ProjectService.MergeOutcome;
import sh.stagehand.core.ProjectService.WebhookOutcome;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.pipeline.BuildScheduler;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.MergeResult;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.spi.vcs.WebhookEvent;
import sh.stagehand.spi.vcs.WebhookRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * What code arriving on a project's branches does, however it arrives (a webhook, a poll, a merge
 * made here): a new branch is created in its stage, a moved head is recorded and built as the
 * branch's behaviour on new commit says, a deleted branch goes; each in the project's history.
 * Thread-safe.
 */
final class BranchPushes
{
    private static final String NO_COMMIT = "0000000000000000000000000000000000000000";

    private final ProjectStore projects;
    private final VcsProvider vcs;
    private final BuildScheduler scheduler;
    private final PlatformSettings settings;
    private final ProjectHistory history;
    private final CommitDescriptions commits;

    BranchPushes(ProjectStore projects, VcsProvider vcs, BuildScheduler scheduler, PlatformSettings settings, ProjectHistory history, CommitDescriptions commits)
    {
        this.projects = requireNonNull(projects, "projects is null");
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.history = requireNonNull(history, "history is null");
        this.commits = requireNonNull(commits, "commits is null");
    }

    /**
     * Merges branch {@code source} into branch {@code target}, two other branches of the project,
     * pushes the merge and acts on it as on any push.
     */
    MergeOutcome merge(Project project, String source, String target)
    {
        MergeResult result = vcs.merge(project.repository(), source, target, "Stagehand", "noreply@" + settings.domain());
        String how = switch (result.kind()) {
            case FAST_FORWARD -> "fast-forward to " + BuildNames.shortCommit(result.commitId());
            case MERGE_COMMIT -> "merge commit " + BuildNames.shortCommit(result.commitId());
            case UP_TO_DATE -> "nothing to merge: " + target + " has every commit of " + source;
        };
        history.record(project.id(), Optional.of(target), EventKind.MERGED, "Merged " + source + " into " + target + ": " + how);
        if (result.kind() == MergeResult.Kind.UP_TO_DATE) {
            return new MergeOutcome(result, Optional.empty());
        }
        return new MergeOutcome(result, pushed(project, target, result.commitId(), commits.describePush(project, target, result.commitId(), List.of())));
    }

    /**
     * Commits files a person changed over the branch's head and pushes them (the online editor);
     * the branch then acts on the commit as on any push.
     */
    CommitOutcome commit(Project project, String branch, String parentCommitId, Map<String, byte[]> files, String authorName, String authorEmail, String message)
    {
        String commitId = vcs.commit(project.repository(), branch, parentCommitId, files, authorName, authorEmail, message);
        String description = " (" + authorName + ", from the online editor: " + message.lines().findFirst().orElse("") + ")";
        return new CommitOutcome(commitId, pushed(project, branch, commitId, description));
    }

    /**
     * Acts on a webhook delivery for the project: verified first, so that nothing is queued for a
     * request with a wrong signature; a redelivery (same delivery id) does nothing.
     */
    WebhookOutcome handleWebhook(Project project, WebhookRequest request)
    {
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
        Optional<Build> build = pushed(project, push.branch(), push.afterCommitId(), commits.describePush(project, push.branch(), push.afterCommitId(), push.commits()));
        return new WebhookOutcome(WebhookOutcome.Kind.ACCEPTED, build.map(b -> "build " + b.id() + " queued").orElse("recorded"), build.stream().toList());
    }

    /**
     * Fetches and acts on every branch head that moved, appeared or disappeared since it was last seen.
     *
     * @return the builds queued
     */
    List<Build> poll(Project project)
    {
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
                pushed(project, head.name(), head.commitId(), commits.describePush(project, head.name(), head.commitId(), List.of())).ifPresent(queued::add);
            }
        }
        return queued;
    }

    // A project made from an empty repository has no production yet: as at creation, the
    // repository's default branch becomes it, once pushed; any other new branch is development.
    Stage newBranchStage(Project project, String branchName)
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
            history.record(project.id(), Optional.of(branchName), EventKind.BRANCH_CREATED, "Branch " + branchName + " created" + (production ? "; it is the production branch" : ""));
            return created;
        });
        projects.recordBranchHead(project.id(), branchName, commitId);
        if (branch.stage() != Stage.PRODUCTION && branch.onNewCommit() == OnNewCommit.DO_NOTHING) {
            history.record(project.id(), Optional.of(branchName), EventKind.PUSH, "Push to " + branchName + ": " + BuildNames.shortCommit(commitId) + commitsDescription
                    + "; not built: the branch's behaviour on new commit is 'do nothing' (rebuild it to build)");
            return Optional.empty();
        }
        history.record(project.id(), Optional.of(branchName), EventKind.PUSH, "Push to " + branchName + ": " + BuildNames.shortCommit(commitId) + commitsDescription);
        return Optional.of(scheduler.enqueue(project.id(), branch.name(), commitId, branch.stage()));
    }

    private void branchDeleted(Project project, String branchName)
    {
        if (projects.deleteBranch(project.id(), branchName)) {
            history.record(project.id(), Optional.of(branchName), EventKind.BRANCH_DELETED, "Branch " + branchName + " deleted; its builds are collected as they age");
        }
    }
}
