package sh.stagehand.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.vcs.CommitInfo;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.spi.vcs.WebhookEvent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the repository says of commits, for people: a commit's message and author (cached: they
 * never change), and the commits a push brought, as a project's history shows them. Never fails
 * for a repository that cannot answer: the line goes without. Thread-safe.
 */
final class CommitDescriptions
{
    private static final int MAX_COMMITS_SHOWN = 3;
    private static final int MAX_COMMITS_LISTED = 100;
    private static final Logger log = LoggerFactory.getLogger(CommitDescriptions.class);

    private final VcsProvider vcs;
    private final ProjectStore projects;
    private final Map<String, Optional<CommitInfo>> commits = new LinkedHashMap<>(256, 0.75f, true)
    {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<CommitInfo>> eldest)
        {
            return size() > 10_000;
        }
    };

    CommitDescriptions(VcsProvider vcs, ProjectStore projects)
    {
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.projects = requireNonNull(projects, "projects is null");
    }

    // A commit's message and author never change: read once from the repository's cache.
    Optional<CommitInfo> commitInfo(Project project, String commitId)
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
    String headline(Project project, String commitId)
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
    String describePush(Project project, String branch, String commitId, List<WebhookEvent.PushedCommit> pushed)
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
}
