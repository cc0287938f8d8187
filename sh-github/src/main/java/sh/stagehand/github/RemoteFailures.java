package sh.stagehand.github;

import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.github.internal.RefusedConnectionException;
import sh.stagehand.github.internal.RemoteAccess;
import sh.stagehand.github.internal.RepositoryUrlPolicy;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.util.Locale;

/**
 * What a failed operation on a remote tells its caller. For a network remote, never what the
 * remote answered: a host that cannot be reached, refuses the connection or answers something else
 * than git gives one message ({@link RepositoryUrlPolicy#unreachable}); only "no such repository"
 * and "credentials refused" are told apart, as they say what to fix. The whole answer is logged for
 * the platform's operator.
 */
final class RemoteFailures
{
    private static final Logger log = LoggerFactory.getLogger(RemoteFailures.class);

    private RemoteFailures() {}

    /**
     * @param doing what was being done to the remote, as in "Cannot fetch ..."
     */
    static StagehandException of(RemoteAccess access, RemoteRepository remote, String doing, Exception e)
    {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RefusedConnectionException refused) {
                return refused.refusal();
            }
            if (cause instanceof StagehandException stagehand) {
                return stagehand;
            }
        }
        if (access.refusedAHostKey()) {
            return new StagehandException(StandardErrorCode.PERMISSION_DENIED, "The ssh host of " + RepositoryUrlPolicy.shown(remote.url())
                    + " showed a host key other than the one pinned at this project's first fetch from it (a man in the middle, or a new key of the host's); nothing was "
                    + "fetched. If the host really has a new key, ask the platform's operator to forget the pinned one");
        }
        boolean local = access.target() instanceof RepositoryUrlPolicy.Local;
        log.info("Cannot {} {}: {}", doing, remote, describe(e));
        boolean missing = e instanceof InvalidRemoteException;
        boolean refusedCredentials = false;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            missing |= cause instanceof NoRemoteRepositoryException || cause instanceof NotSupportedException;
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            refusedCredentials |= cause instanceof TransportException
                    && (message.contains("not authorized") || message.contains("authentication") || message.contains("auth fail") || message.contains("cannot log in")
                    || message.contains("no more authentication methods"));
        }
        if (local) {
            // A path a platform administrator named: nothing of a tenant's network to hide.
            if (missing) {
                return new StagehandException(StandardErrorCode.NOT_FOUND, "There is no git repository at " + remote.url() + ": " + e.getMessage() + ". Check the project's repository URL", e);
            }
            return new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot " + doing + " " + remote + ": " + e.getMessage(), e);
        }
        String shown = RepositoryUrlPolicy.shown(remote.url());
        if (refusedCredentials) {
            return new StagehandException(StandardErrorCode.PERMISSION_DENIED, "The host of " + shown + " refused the project's credentials. Check its token, or that "
                    + "its deploy key (shown on the project) is added to the repository", e);
        }
        if (missing) {
            return new StagehandException(StandardErrorCode.NOT_FOUND, "There is no git repository at " + shown + " that the project's credentials can read. "
                    + "Check the URL, and its token or deploy key", e);
        }
        return RepositoryUrlPolicy.unreachable(remote.url(), e);
    }

    private static String describe(Throwable e)
    {
        StringBuilder text = new StringBuilder(e.toString());
        for (Throwable cause = e.getCause(); cause != null && text.length() < 2000; cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString();
    }
}
