package sh.stagehand.core.build;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Names derived from a build: its database {@code <project>-<branch>-<id>} and its host name
 * {@code <project>-<branch>-<id>.<domain>}, as on Odoo.sh. A git branch name may hold anything
 * ({@code feature/Ünïcode#1}); it is folded to a DNS label: ASCII lower-case letters, digits and
 * '-', shortened so the whole stays within PostgreSQL's and DNS's 63 characters. The build id
 * keeps every name unique.
 */
public final class BuildNames
{
    private static final int MAX_LABEL = 63;

    private BuildNames() {}

    public static String databaseName(String projectId, String branch, long buildId)
    {
        String suffix = "-" + buildId;
        String prefix = projectId + "-";
        int room = MAX_LABEL - prefix.length() - suffix.length();
        String slug = branchSlug(branch);
        if (slug.length() > room) {
            slug = slug.substring(0, Math.max(0, room)).replaceAll("-+$", "");
        }
        return prefix + (slug.isEmpty() ? "branch" : slug) + suffix;
    }

    public static String hostname(String projectId, String branch, long buildId, String domain)
    {
        return databaseName(projectId, branch, buildId) + "." + domain;
    }

    /**
     * A branch's stable host name, {@code <project>-<branch>.<domain>}: its newest running build,
     * whichever that is.
     */
    public static String branchHostname(String projectId, String branch, String domain)
    {
        String prefix = projectId + "-";
        String slug = branchSlug(branch);
        int room = MAX_LABEL - prefix.length();
        if (slug.length() > room) {
            slug = slug.substring(0, Math.max(0, room)).replaceAll("-+$", "");
        }
        return prefix + (slug.isEmpty() ? "branch" : slug) + "." + domain;
    }

    /**
     * The production database of a project: one for the project's life, whichever build serves it.
     */
    public static String productionDatabaseName(String projectId)
    {
        return projectId + "-production";
    }

    /**
     * Production's host name, {@code <project>.<domain>}, as on Odoo.sh.
     */
    public static String productionHostname(String projectId, String domain)
    {
        return projectId + "." + domain;
    }

    /**
     * The snapshot of production taken before build {@code buildId} updates it.
     */
    public static String snapshotDatabaseName(String projectId, long buildId)
    {
        return snapshotDatabasePrefix(projectId) + buildId;
    }

    /**
     * What the names of the project's production snapshots start with.
     */
    public static String snapshotDatabasePrefix(String projectId)
    {
        // '_' never appears in a build's database name: no branch can be named into a snapshot's.
        return projectId + "_snapshot_";
    }

    /**
     * Folds a branch name to lower-case ASCII letters, digits and single '-'.
     */
    public static String branchSlug(String branch)
    {
        String ascii = Normalizer.normalize(branch, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        return ascii.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
    }

    /**
     * A commit's id as people read it: its first eight characters.
     */
    public static String shortCommit(String commitId)
    {
        return commitId.substring(0, Math.min(8, commitId.length()));
    }
}
