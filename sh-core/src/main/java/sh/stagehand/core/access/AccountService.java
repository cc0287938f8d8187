package sh.stagehand.core.access;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.PublicKeyDirectory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.spi.RandomSecrets.randomToken;

/**
 * Accounts and what they may do: logins and sessions, API tokens, SSH keys, roles in projects
 * (Odoo.sh's matrix, {@link AccessPolicy}) and the audit log. Every check the platform makes of
 * who asks is here, so that an embedder's own front end gets the same rules as the reference
 * server. Its parts: {@link LoginSessions}, {@link ApiTokens}, {@link AccountSshKeys},
 * {@link ProjectRoles}, all writing to the {@link AuditTrail}. Thread-safe.
 */
@Singleton
public final class AccountService
{
    /** How every API token begins: what the proxy looks for to keep tokens from builds. */
    public static final String TOKEN_PREFIX = "sht_";
    /** A session's or a token's last use is recorded at most this often. */
    static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private final AccountStore store;
    private final Clock clock;
    private final Passwords passwords = new Passwords();
    private final AuditTrail audit;
    private final LoginSessions sessions;
    private final ApiTokens tokens;
    private final AccountSshKeys sshKeys;
    private final ProjectRoles roles;

    /**
     * A login's outcome: the session id goes in the browser's cookie, the CSRF token in every
     * state-changing request it sends. Neither is kept as it is.
     */
    public record IssuedSession(Account account, String sessionId, String csrfToken, Instant expiresAt)
    {
        @Override
        public String toString()
        {
            return "IssuedSession[" + account.login() + "]";
        }
    }

    /**
     * Who a request's credential names, with its session when it came from a browser.
     */
    public record Authenticated(Account account, Optional<Session> session) {}

    /**
     * A new token, shown once.
     */
    public record IssuedToken(ApiToken token, String secret)
    {
        @Override
        public String toString()
        {
            return "IssuedToken[" + token.id() + "]";
        }
    }

    /**
     * @param publishedKeys where GitHub users' public SSH keys are read, if a module (sh-github) binds it
     */
    @Inject
    public AccountService(AccountStore store, ProjectStore projects, AuthSettings settings, Clock clock, Optional<PublicKeyDirectory> publishedKeys)
    {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.audit = new AuditTrail(store, clock);
        this.sessions = new LoginSessions(store, settings, clock, passwords, audit);
        this.tokens = new ApiTokens(store, clock, audit);
        this.sshKeys = new AccountSshKeys(store, settings, clock, audit, publishedKeys);
        this.roles = new ProjectRoles(store, projects, audit);
    }

    /**
     * On a platform without accounts, creates the administrator {@code admin} with a random
     * password, to be shown to whoever installed the platform.
     *
     * @return the password, if the account was created now
     */
    public synchronized Optional<String> ensureAdministrator()
    {
        if (!store.listAccounts().isEmpty()) {
            return Optional.empty();
        }
        String password = randomToken(18);
        store.createAccount(new Account("admin", "Administrator", passwords.hash(password), true, clock.instant()));
        audit.record(Optional.empty(), "admin", AuditAction.ACCOUNT_CREATED, "admin, the platform's first administrator");
        return Optional.of(password);
    }

    /**
     * @throws StagehandException {@code PERMISSION_DENIED} unless the caller administers the platform
     */
    public Account createAccount(Account caller, String login, String name, String password, boolean platformAdmin)
    {
        requirePlatformAdmin(caller, "create accounts");
        Account.checkLogin(login);
        Passwords.checkNew(password, login);
        Account account = new Account(login, name == null || name.isBlank() ? login : name.strip(), passwords.hash(password), platformAdmin, clock.instant());
        store.createAccount(account);
        audit.record(Optional.empty(), caller.login(), AuditAction.ACCOUNT_CREATED, login + (platformAdmin ? ", a platform administrator" : ""));
        return account;
    }

    /**
     * Sets the caller's own mail address, where the platform writes to them (a production of
     * theirs down); empty forgets it.
     *
     * @throws StagehandException {@code INVALID_ARGUMENT} for one that is no address
     */
    public Account setEmail(Account caller, Optional<String> email)
    {
        Account account = account(caller.login()).withEmail(email.map(String::strip).filter(address -> !address.isEmpty()).map(Account::checkEmail));
        store.updateAccount(account);
        audit.record(Optional.empty(), account.login(), AuditAction.EMAIL_CHANGED, account.email().orElse("none"));
        return account;
    }

    public List<Account> accounts(Account caller)
    {
        requirePlatformAdmin(caller, "list accounts");
        return store.listAccounts();
    }

    /**
     * @throws StagehandException {@code NOT_FOUND} if there is no such account
     */
    public Account account(String login)
    {
        return store.findAccount(login).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No account " + login));
    }

    /**
     * Changes the caller's password. Whoever knew the old one may have made tokens or opened
     * sessions with it: every API token of the account is revoked and every session ends, the
     * caller's own included, which goes on under a new session id (as GitHub and Odoo keep the
     * person who changed it logged in, and log everyone else out).
     *
     * @return the caller's new session, which replaces the one it changed the password in
     * @throws StagehandException {@code UNAUTHENTICATED} if the current password is wrong
     */
    public IssuedSession changePassword(Account caller, String current, String next)
    {
        Account account = account(caller.login());
        if (current == null || !passwords.matches(current, Optional.of(account.passwordHash()))) {
            throw new StagehandException(StandardErrorCode.UNAUTHENTICATED, "The current password is wrong; nothing was changed");
        }
        Passwords.checkNew(next, account.login());
        Instant now = clock.instant();
        store.updateAccount(account.withPasswordHash(passwords.hash(next)));
        store.deleteSessions(account.login());
        int revoked = 0;
        for (ApiToken token : store.listTokens(account.login())) {
            if (token.revokedAt().isEmpty()) {
                store.saveToken(token.withRevokedAt(now));
                revoked++;
            }
        }
        audit.record(Optional.empty(), account.login(), AuditAction.PASSWORD_CHANGED, "every other session ended, " + revoked + " API token" + (revoked == 1 ? "" : "s") + " revoked");
        return sessions.issue(account, now);
    }

    /**
     * Logs in with a password, throttled ({@code auth.login-attempts}).
     *
     * @param address where the attempt comes from, for the throttle
     * @throws StagehandException {@code UNAUTHENTICATED} for a wrong login or password (the same
     *         message for both); {@code TOO_MANY_REQUESTS}, saying how long to wait, after too many
     */
    public IssuedSession login(String login, String password, String address)
    {
        return sessions.login(login, password, address);
    }

    /**
     * @return who the session is, while it lasts; its last request is recorded (at most once a minute)
     */
    public Optional<Authenticated> session(String sessionId)
    {
        return sessions.session(sessionId);
    }

    public void logout(String sessionId)
    {
        sessions.logout(sessionId);
    }

    /**
     * Removes the sessions that ended, idle or not.
     *
     * @return how many
     */
    public int forgetEndedSessions()
    {
        return sessions.forgetEnded();
    }

    public IssuedToken createToken(Account caller, String name)
    {
        return tokens.create(caller, name);
    }

    /**
     * @return the token's account, if the token is one and is not revoked
     */
    public Optional<Account> authenticateToken(String secret)
    {
        return tokens.authenticate(secret);
    }

    public List<ApiToken> tokens(Account caller)
    {
        return tokens.list(caller);
    }

    /**
     * @throws StagehandException {@code NOT_FOUND} if the caller has no token of that id
     */
    public ApiToken revokeToken(Account caller, String tokenId)
    {
        return tokens.revoke(caller, tokenId);
    }

    public SshKey addSshKey(Account caller, String publicKey, String title)
    {
        return sshKeys.add(caller, publicKey, title);
    }

    public List<SshKey> sshKeys(Account caller)
    {
        return sshKeys.list(caller);
    }

    /**
     * The account whose profile has this SSH key, for an SSH server that a client proves it
     * holds the key to.
     *
     * @param publicKey as {@code authorized_keys} holds it ({@code ssh-ed25519 AAAA...})
     * @return empty for a key on no profile, or one that is not a key Stagehand takes
     */
    public Optional<Account> accountWithSshKey(String publicKey)
    {
        String fingerprint;
        try {
            fingerprint = SshKey.parse("ssh", publicKey, null, Instant.EPOCH).fingerprint();
        }
        catch (StagehandException e) {
            return Optional.empty();
        }
        return store.findSshKey(fingerprint).flatMap(key -> store.findAccount(key.login()));
    }

    /**
     * @throws StagehandException {@code NOT_FOUND} if the caller has no key of that fingerprint
     */
    public void removeSshKey(Account caller, String fingerprint)
    {
        sshKeys.remove(caller, fingerprint);
    }

    /**
     * Adds the public keys a GitHub account publishes ({@code https://github.com/<user>.keys}, at
     * {@code auth.github-url}) that the caller does not have yet. They are read by the
     * {@link PublicKeyDirectory} the embedder gives (sh-github's {@code GitHubPublicKeys}).
     *
     * @return the keys added
     * @throws StagehandException {@code INVALID_ARGUMENT} for a name that is no GitHub user name;
     *         {@code NOT_FOUND} for an unknown GitHub user; {@code PROVIDER_UNAVAILABLE} if GitHub
     *         cannot be reached; {@code NOT_SUPPORTED} if no module reads GitHub's keys
     */
    public List<SshKey> importGitHubKeys(Account caller, String githubUser)
    {
        return sshKeys.importFromGitHub(caller, githubUser);
    }

    /**
     * @return the caller's role in the project (a platform administrator is an admin of each)
     * @throws StagehandException {@code NOT_FOUND} if the caller is no collaborator of it, as if
     *         there were no such project: who is not on a project does not learn it exists
     */
    public Role roleIn(Account caller, String projectId)
    {
        return roles.roleIn(caller, projectId);
    }

    /**
     * @return whether the caller sees the project at all
     */
    public boolean sees(Account caller, String projectId)
    {
        return roles.sees(caller, projectId);
    }

    /**
     * @throws StagehandException {@code PERMISSION_DENIED} naming the role, the tool and the stage
     */
    public void requireTool(Account caller, String projectId, Stage stage, Tool tool)
    {
        roles.requireTool(caller, projectId, stage, tool);
    }

    /**
     * @throws StagehandException {@code PERMISSION_DENIED} unless the caller is an admin of the project
     */
    public void requireAdmin(Account caller, String projectId)
    {
        roles.requireAdmin(caller, projectId);
    }

    /**
     * Makes the creator of a project its first admin.
     */
    public void addCreator(Account creator, String projectId)
    {
        roles.addCreator(creator, projectId);
    }

    /**
     * The platform's own question, unchecked: where the project's admins are written to.
     *
     * @return the mail addresses of the project's admins that gave one, in login order
     */
    public List<String> adminAddresses(String projectId)
    {
        return store.listCollaborators(projectId).stream()
                .filter(collaborator -> collaborator.role() == Role.ADMIN)
                .sorted(java.util.Comparator.comparing(Collaborator::login))
                .flatMap(collaborator -> store.findAccount(collaborator.login()).flatMap(Account::email).stream())
                .distinct()
                .toList();
    }

    public List<Collaborator> collaborators(Account caller, String projectId)
    {
        return roles.collaborators(caller, projectId);
    }

    /**
     * Gives an account a role in the project, or changes it.
     *
     * @throws StagehandException {@code CONFLICT} if it would leave the project without an admin
     */
    public Collaborator setRole(Account caller, String projectId, String login, Role role)
    {
        return roles.setRole(caller, projectId, login, role);
    }

    /**
     * @throws StagehandException {@code CONFLICT} if it would leave the project without an admin
     */
    public void removeCollaborator(Account caller, String projectId, String login)
    {
        roles.removeCollaborator(caller, projectId, login);
    }

    /**
     * @return the project's audit log, newest first
     */
    public List<AuditEvent> audit(Account caller, String projectId, int limit)
    {
        return roles.auditLog(caller, projectId, limit);
    }

    /**
     * @return each project the caller sees, with its role there
     */
    public Map<String, Role> roles(Account caller)
    {
        return roles.roles(caller);
    }

    /**
     * Records a privileged action in the project's audit log.
     */
    public void audit(Account caller, String projectId, AuditAction action, String detail)
    {
        audit.record(Optional.of(projectId), caller.login(), action, detail);
    }

    private void requirePlatformAdmin(Account caller, String what)
    {
        if (!caller.platformAdmin()) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "Only a platform administrator may " + what);
        }
    }
}
