package sh.stagehand.spi.vcs;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What a verified webhook delivery says. Every event carries the delivery's id, unique per
 * delivery and kept on redelivery, so that a redelivered webhook can be recognised.
 */
public sealed interface WebhookEvent
        permits WebhookEvent.Ping, WebhookEvent.BranchPush, WebhookEvent.Ignored
{
    String deliveryId();

    /**
     * The hook was just set up.
     */
    record Ping(String deliveryId) implements WebhookEvent
    {
        public Ping
        {
            requireNonNull(deliveryId, "deliveryId is null");
        }
    }

    /**
     * A branch was created, moved or deleted.
     *
     * @param branch the branch's short name
     * @param change what happened to it
     * @param beforeCommitId the head before the push (all zeros when created)
     * @param afterCommitId the head after the push (all zeros when deleted)
     * @param commits the pushed commits, oldest first, as the sender lists them (may be truncated)
     */
    record BranchPush(String deliveryId, String branch, Change change, String beforeCommitId, String afterCommitId, List<PushedCommit> commits)
            implements WebhookEvent
    {
        public enum Change
        {
            CREATED,
            UPDATED,
            DELETED,
        }

        public BranchPush
        {
            requireNonNull(deliveryId, "deliveryId is null");
            requireNonNull(branch, "branch is null");
            requireNonNull(change, "change is null");
            requireNonNull(beforeCommitId, "beforeCommitId is null");
            requireNonNull(afterCommitId, "afterCommitId is null");
            commits = List.copyOf(requireNonNull(commits, "commits is null"));
        }
    }

    /**
     * A verified delivery of an event the platform does not act on (a tag push, an issue comment).
     *
     * @param eventType the sender's name for the event, e.g. {@code issues}
     * @param reason why it is ignored, for the sender's delivery log
     */
    record Ignored(String deliveryId, String eventType, String reason) implements WebhookEvent
    {
        public Ignored
        {
            requireNonNull(deliveryId, "deliveryId is null");
            requireNonNull(eventType, "eventType is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /**
     * One pushed commit.
     */
    record PushedCommit(String commitId, String message, String authorName, String authorEmail)
    {
        public PushedCommit
        {
            requireNonNull(commitId, "commitId is null");
            requireNonNull(message, "message is null");
            requireNonNull(authorName, "authorName is null");
            requireNonNull(authorEmail, "authorEmail is null");
        }
    }
}
