package sh.stagehand.core.project;

import sh.stagehand.spi.vcs.RemoteRepository;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A customer's addons repository and what the platform knows of it.
 *
 * @param id short DNS-label id, see {@link ProjectIds}
 * @param repositoryUrl any git URL
 * @param repositoryToken token for https remotes (a secret)
 * @param webhookSecret the secret webhook deliveries are signed with (a secret)
 * @param createdAt when it was created
 * @param trialEndsAt for a trial project, when its production and staging branches go back to
 *         development, as on Odoo.sh
 */
public record Project(String id, String repositoryUrl, Optional<String> repositoryToken, String webhookSecret, Instant createdAt, Optional<Instant> trialEndsAt)
{
    private static final java.util.regex.Pattern REMOTE = java.util.regex.Pattern.compile("(?i)(https?|ssh|git)://[^/\\s]+/\\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\s]\\S*");

    public Project
    {
        ProjectIds.requireValid(id);
        requireNonNull(repositoryUrl, "repositoryUrl is null");
        requireNonNull(repositoryToken, "repositoryToken is null");
        requireNonNull(webhookSecret, "webhookSecret is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(trialEndsAt, "trialEndsAt is null");
    }

    /**
     * @return whether a repository URL names a remote repository (https, ssh, git, or scp-style
     *         {@code git@host:path}), not one on the platform's own disk (a path, {@code file://})
     */
    public static boolean isRemote(String repositoryUrl)
    {
        return REMOTE.matcher(repositoryUrl).matches();
    }

    public Project(String id, String repositoryUrl, Optional<String> repositoryToken, String webhookSecret, Instant createdAt)
    {
        this(id, repositoryUrl, repositoryToken, webhookSecret, createdAt, Optional.empty());
    }

    public Project withTrialEndsAt(Optional<Instant> trialEndsAt)
    {
        return new Project(id, repositoryUrl, repositoryToken, webhookSecret, createdAt, trialEndsAt);
    }

    public RemoteRepository repository()
    {
        return new RemoteRepository(repositoryUrl, repositoryToken);
    }

    @Override
    public String toString()
    {
        return "Project[" + id + ", " + repositoryUrl + "]";
    }
}
