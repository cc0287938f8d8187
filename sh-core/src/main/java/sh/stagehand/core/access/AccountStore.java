package sh.stagehand.core.access;

import sh.stagehand.spi.StagehandException;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Accounts and what hangs on them: sessions, API tokens, SSH keys, roles in projects, and the
 * audit log. Implementations are thread-safe.
 */
public interface AccountStore
{
    /**
     * @throws StagehandException {@code ALREADY_EXISTS} if the login is taken
     */
    void createAccount(Account account);

    /**
     * Replaces the stored account of that login (its password).
     *
     * @throws StagehandException {@code NOT_FOUND} if there is no such account
     */
    void updateAccount(Account account);

    Optional<Account> findAccount(String login);

    /**
     * @return every account, by login
     */
    List<Account> listAccounts();

    /**
     * Creates the session or replaces it (its last request).
     */
    void saveSession(Session session);

    Optional<Session> findSession(String idHash);

    void deleteSession(String idHash);

    /**
     * Ends every session of an account (a new password).
     */
    void deleteSessions(String login);

    /**
     * @return how many sessions ended before {@code now} were removed
     */
    int deleteSessionsEndedBefore(Instant now);

    /**
     * Creates the token or replaces it (its last use, its revocation).
     */
    void saveToken(ApiToken token);

    Optional<ApiToken> findTokenByHash(String hash);

    /**
     * @return the account's tokens, revoked ones included, newest first
     */
    List<ApiToken> listTokens(String login);

    /**
     * Gives an account a role in a project, or changes it.
     */
    void saveCollaborator(Collaborator collaborator);

    /**
     * @return whether the account was a collaborator of the project
     */
    boolean deleteCollaborator(String projectId, String login);

    /**
     * @return the project's collaborators, by login
     */
    List<Collaborator> listCollaborators(String projectId);

    /**
     * @return the account's role in each project it collaborates on
     */
    Map<String, Role> rolesOf(String login);

    /**
     * @throws StagehandException {@code ALREADY_EXISTS} if an account (this one or another) has a
     *         key of that fingerprint
     */
    void addSshKey(SshKey key);

    /**
     * @return the account's keys, oldest first
     */
    List<SshKey> listSshKeys(String login);

    /**
     * @return the key of that fingerprint, whichever account's it is
     */
    Optional<SshKey> findSshKey(String fingerprint);

    /**
     * @return whether the account had that key
     */
    boolean deleteSshKey(String login, String fingerprint);

    /**
     * @return the event as stored, with its id
     */
    AuditEvent appendAudit(AuditEvent event);

    /**
     * @param projectId a project's events, or empty for the accounts' own (logins, tokens, keys)
     * @return the newest events first
     */
    List<AuditEvent> listAudit(Optional<String> projectId, int limit);
}
