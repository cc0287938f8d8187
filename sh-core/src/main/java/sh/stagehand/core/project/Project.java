package sh.stagehand.core.project;

import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

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
 * @param deployKey the project's own ssh key pair, which its ssh fetches log in with (the private
 *         half a secret); its customer adds the public half to the repository
 * @param hostedUrl for a repository the platform keeps on its own disk, the URL its users clone it
 *         from: its relative submodule URLs resolve against it, never to a path on the disk
 */
public record Project(String id, String repositoryUrl, Optional<String> repositoryToken, String webhookSecret, Instant createdAt, Optional<Instant> trialEndsAt,
        Optional<DeployKey> deployKey, Optional<String> hostedUrl)
{
    // Lower-case schemes only: JGit reads "HTTPS://../x" as a relative path on the platform's disk.
    private static final Pattern REMOTE = Pattern.compile("(https?|ssh|git|git\\+ssh|ssh\\+git)://[^/\\s]+/\\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\s]\\S*");
    private static final Pattern SSH = Pattern.compile("(ssh|git\\+ssh|ssh\\+git)://\\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\s]\\S*");

    public Project
    {
        ProjectIds.requireValid(id);
        requireNonNull(repositoryUrl, "repositoryUrl is null");
        requireNonNull(repositoryToken, "repositoryToken is null");
        requireNonNull(webhookSecret, "webhookSecret is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(trialEndsAt, "trialEndsAt is null");
        requireNonNull(deployKey, "deployKey is null");
        requireNonNull(hostedUrl, "hostedUrl is null");
    }

    public Project(String id, String repositoryUrl, Optional<String> repositoryToken, String webhookSecret, Instant createdAt, Optional<Instant> trialEndsAt)
    {
        this(id, repositoryUrl, repositoryToken, webhookSecret, createdAt, trialEndsAt, Optional.empty(), Optional.empty());
    }

    public Project(String id, String repositoryUrl, Optional<String> repositoryToken, String webhookSecret, Instant createdAt)
    {
        this(id, repositoryUrl, repositoryToken, webhookSecret, createdAt, Optional.empty());
    }

    /**
     * @return whether a repository URL names a remote repository (https, ssh, git, or scp-style
     *         {@code git@host:path}), not one on the platform's own disk (a path, {@code file://})
     */
    public static boolean isRemote(String repositoryUrl)
    {
        return REMOTE.matcher(repositoryUrl).matches();
    }

    /**
     * @return whether a repository URL is reached over ssh ({@code ssh://} or scp-style
     *         {@code git@host:path}), where the project's deploy key logs in
     */
    public static boolean isSsh(String repositoryUrl)
    {
        return SSH.matcher(repositoryUrl).matches();
    }

    public Project withTrialEndsAt(Optional<Instant> trialEndsAt)
    {
        return new Project(id, repositoryUrl, repositoryToken, webhookSecret, createdAt, trialEndsAt, deployKey, hostedUrl);
    }

    public Project withDeployKey(Optional<DeployKey> deployKey)
    {
        return new Project(id, repositoryUrl, repositoryToken, webhookSecret, createdAt, trialEndsAt, deployKey, hostedUrl);
    }

    public Project withHostedUrl(Optional<String> hostedUrl)
    {
        return new Project(id, repositoryUrl, repositoryToken, webhookSecret, createdAt, trialEndsAt, deployKey, hostedUrl);
    }

    /**
     * The repository as every VCS call reaches it: its token, its deploy key, and for a hosted
     * one the URL its submodules resolve against.
     */
    public RemoteRepository repository()
    {
        return new RemoteRepository(repositoryUrl, repositoryToken, deployKey, hostedUrl);
    }

    @Override
    public String toString()
    {
        return "Project[" + id + ", " + repositoryUrl + "]";
    }
}
