package sh.stagehand.core.access;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Accounts and what they may do: logins and sessions, API tokens, SSH keys, roles in projects
 * (Odoo.sh's matrix, {@link AccessPolicy}) and the audit log. Every check the platform makes of
 * who asks is here, so that an embedder's own front end gets the same rules as the reference
 * server. Thread-safe.
 */
@Singleton
public final class AccountService
{
    private static final Logger log = LoggerFactory.getLogger(AccountService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How every API token begins: what the proxy looks for to keep tokens from builds. */
    public static final String TOKEN_PREFIX = "sht_";
    private static final Pattern GITHUB_USER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    private static final Pattern VALID_LOGIN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final AccountStore store;
    private final ProjectStore projects;
    private final AuthSettings settings;
    private final Clock clock;
    private final Passwords passwords = new Passwords();
    private final LoginThrottle throttle;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();

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

    @Inject
    public AccountService(AccountStore store, ProjectStore projects, AuthSettings settings, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.throttle = new LoginThrottle(settings.loginAttempts(), settings.loginLockout());
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
        String password = randomText(18);
        store.createAccount(new Account("admin", "Administrator", passwords.hash(password), true, clock.instant()));
        audit(Optional.empty(), "admin", AuditAction.ACCOUNT_CREATED, "admin, the platform's first administrator");
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
        audit(Optional.empty(), caller.login(), AuditAction.ACCOUNT_CREATED, login + (platformAdmin ? ", a platform administrator" : ""));
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
        audit(Optional.empty(), account.login(), AuditAction.PASSWORD_CHANGED, "every other session ended, " + revoked + " API token" + (revoked == 1 ? "" : "s") + " revoked");
        return issueSession(account, now);
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
        String name = login == null ? "" : login.strip().toLowerCase(java.util.Locale.ROOT);
        Instant now = clock.instant();
        Optional<Duration> wait = throttle.waitFor(name, address, now);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            throw new StagehandException(StandardErrorCode.TOO_MANY_REQUESTS, "Too many failed logins; try again in " + seconds + " s");
        }
        if (!VALID_LOGIN.matcher(name).matches()) {
            // No account has such a login: not worth a hash, nor a line of the audit log.
            throttle.failedFrom(address, now);
            throw new StagehandException(StandardErrorCode.UNAUTHENTICATED, "Wrong login or password");
        }
        Optional<Account> account = store.findAccount(name);
        if (password == null || password.length() > Passwords.MAX_LENGTH || !passwords.matches(password, account.map(Account::passwordHash))) {
            boolean locked = throttle.failed(name, address, now);
            audit(Optional.empty(), name, AuditAction.LOGIN_FAILED, "from " + address);
            if (locked) {
                audit(Optional.empty(), name, AuditAction.LOGIN_THROTTLED, "from " + address + ": further logins wait");
            }
            throw new StagehandException(StandardErrorCode.UNAUTHENTICATED, "Wrong login or password");
        }
        throttle.succeeded(name, address);
        return issueSession(account.get(), now);
    }

    private IssuedSession issueSession(Account account, Instant now)
    {
        String sessionId = randomText(32);
        String csrf = randomText(32);
        Instant expires = now.plus(settings.sessionMax());
        store.saveSession(new Session(sha256(sessionId), account.login(), csrf, now, now, expires));
        return new IssuedSession(account, sessionId, csrf, expires);
    }

    /**
     * @return who the session is, while it lasts; its last request is recorded (at most once a minute)
     */
    public Optional<Authenticated> session(String sessionId)
    {
        if (sessionId == null || sessionId.isBlank()) {
            return Optional.empty();
        }
        String hash = sha256(sessionId);
        Instant now = clock.instant();
        Optional<Session> found = store.findSession(hash);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Session session = found.get();
        if (!now.isBefore(session.expiresAt()) || !now.isBefore(session.lastSeenAt().plus(settings.sessionIdle()))) {
            store.deleteSession(hash);
            return Optional.empty();
        }
        Optional<Account> account = store.findAccount(session.login());
        if (account.isEmpty()) {
            store.deleteSession(hash);
            return Optional.empty();
        }
        if (session.lastSeenAt().plus(TOUCH_EVERY).isBefore(now)) {
            session = session.withLastSeenAt(now);
            store.saveSession(session);
        }
        return Optional.of(new Authenticated(account.get(), Optional.of(session)));
    }

    public void logout(String sessionId)
    {
        if (sessionId != null) {
            store.deleteSession(sha256(sessionId));
        }
    }

    /**
     * Removes the sessions that ended, idle or not.
     *
     * @return how many
     */
    public int forgetEndedSessions()
    {
        return store.deleteSessionsEndedBefore(clock.instant());
    }

    public IssuedToken createToken(Account caller, String name)
    {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Name the token (1 to 200 characters), e.g. {\"name\": \"CI deploy\"}, to know it again when revoking it");
        }
        String id = HexFormat.of().formatHex(randomBytes(6));
        String secret = TOKEN_PREFIX + id + "_" + randomText(32);
        ApiToken token = new ApiToken(id, caller.login(), name.strip(), sha256(secret), clock.instant(), Optional.empty(), Optional.empty());
        store.saveToken(token);
        audit(Optional.empty(), caller.login(), AuditAction.TOKEN_CREATED, token.name() + " (" + id + ")");
        return new IssuedToken(token, secret);
    }

    /**
     * @return the token's account, if the token is one and is not revoked
     */
    public Optional<Account> authenticateToken(String secret)
    {
        if (secret == null || !secret.startsWith(TOKEN_PREFIX)) {
            return Optional.empty();
        }
        Optional<ApiToken> token = store.findTokenByHash(sha256(secret.strip())).filter(found -> found.revokedAt().isEmpty());
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (token.get().lastUsedAt().map(last -> last.plus(TOUCH_EVERY).isBefore(now)).orElse(true)) {
            store.saveToken(token.get().withLastUsedAt(now));
        }
        return store.findAccount(token.get().login());
    }

    public List<ApiToken> tokens(Account caller)
    {
        return store.listTokens(caller.login());
    }

    /**
     * @throws StagehandException {@code NOT_FOUND} if the caller has no token of that id
     */
    public ApiToken revokeToken(Account caller, String tokenId)
    {
        ApiToken token = store.listTokens(caller.login()).stream()
                .filter(found -> found.id().equals(tokenId))
                .findFirst()
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "You have no token " + tokenId));
        if (token.revokedAt().isPresent()) {
            return token;
        }
        ApiToken revoked = token.withRevokedAt(clock.instant());
        store.saveToken(revoked);
        audit(Optional.empty(), caller.login(), AuditAction.TOKEN_REVOKED, token.name() + " (" + tokenId + ")");
        return revoked;
    }

    public SshKey addSshKey(Account caller, String publicKey, String title)
    {
        SshKey key = SshKey.parse(caller.login(), publicKey, title, clock.instant());
        store.addSshKey(key);
        audit(Optional.empty(), caller.login(), AuditAction.SSH_KEY_ADDED, key.title() + " (" + key.fingerprint() + ")");
        return key;
    }

    public List<SshKey> sshKeys(Account caller)
    {
        return store.listSshKeys(caller.login());
    }

    /**
     * @throws StagehandException {@code NOT_FOUND} if the caller has no key of that fingerprint
     */
    public void removeSshKey(Account caller, String fingerprint)
    {
        if (!store.deleteSshKey(caller.login(), fingerprint)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "You have no SSH key " + fingerprint);
        }
        audit(Optional.empty(), caller.login(), AuditAction.SSH_KEY_REMOVED, fingerprint);
    }

    /**
     * Adds the public keys a GitHub account publishes ({@code https://github.com/<user>.keys}) that
     * the caller does not have yet.
     *
     * @return the keys added
     * @throws StagehandException {@code NOT_FOUND} for an unknown GitHub user; {@code PROVIDER_UNAVAILABLE}
     *         if GitHub cannot be reached
     */
    public List<SshKey> importGitHubKeys(Account caller, String githubUser)
    {
        if (githubUser == null || !GITHUB_USER.matcher(githubUser.strip()).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "'" + githubUser + "' is not a GitHub user name; send {\"github\": \"octocat\"}");
        }
        URI url = URI.create(settings.githubUrl() + "/" + githubUser.strip() + ".keys");
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot read " + url + ": " + e.getMessage() + "; try again, or paste the keys by hand", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StagehandException(StandardErrorCode.INTERRUPTED, "Interrupted while reading " + url, e);
        }
        if (response.statusCode() == 404) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "GitHub has no user " + githubUser.strip());
        }
        if (response.statusCode() != 200) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, url + " answered " + response.statusCode() + "; try again, or paste the keys by hand");
        }
        List<String> known = store.listSshKeys(caller.login()).stream().map(SshKey::fingerprint).toList();
        List<SshKey> added = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            SshKey key = SshKey.parse(caller.login(), line, "GitHub " + githubUser.strip(), clock.instant());
            if (!known.contains(key.fingerprint())) {
                store.addSshKey(key);
                audit(Optional.empty(), caller.login(), AuditAction.SSH_KEY_ADDED, key.title() + " (" + key.fingerprint() + ")");
                added.add(key);
            }
        }
        return added;
    }

    /**
     * @return the caller's role in the project (a platform administrator is an admin of each)
     * @throws StagehandException {@code NOT_FOUND} if the caller is no collaborator of it, as if
     *         there were no such project: who is not on a project does not learn it exists
     */
    public Role roleIn(Account caller, String projectId)
    {
        if (caller.platformAdmin()) {
            return Role.ADMIN;
        }
        Role role = store.rolesOf(caller.login()).get(projectId);
        if (role == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + projectId);
        }
        return role;
    }

    /**
     * @return whether the caller sees the project at all
     */
    public boolean sees(Account caller, String projectId)
    {
        return caller.platformAdmin() || store.rolesOf(caller.login()).containsKey(projectId);
    }

    /**
     * @throws StagehandException {@code PERMISSION_DENIED} naming the role, the tool and the stage
     */
    public void requireTool(Account caller, String projectId, Stage stage, Tool tool)
    {
        Role role = roleIn(caller, projectId);
        if (!AccessPolicy.allows(role, stage, tool)) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "A " + role.name().toLowerCase(java.util.Locale.ROOT) + " of project " + projectId + " has no "
                    + tool.name().toLowerCase(java.util.Locale.ROOT) + " on " + stage.name().toLowerCase(java.util.Locale.ROOT) + " branches; ask one of its admins");
        }
    }

    /**
     * @throws StagehandException {@code PERMISSION_DENIED} unless the caller is an admin of the project
     */
    public void requireAdmin(Account caller, String projectId)
    {
        Role role = roleIn(caller, projectId);
        if (!AccessPolicy.managesProject(role)) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "Only an admin of project " + projectId + " manages its settings, collaborators and audit log; you are a "
                    + role.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * Makes the creator of a project its first admin.
     */
    public void addCreator(Account creator, String projectId)
    {
        store.saveCollaborator(new Collaborator(projectId, creator.login(), Role.ADMIN));
        audit(Optional.of(projectId), creator.login(), AuditAction.PROJECT_CREATED, projectId + ", created by " + creator.login() + ", its admin");
    }

    public List<Collaborator> collaborators(Account caller, String projectId)
    {
        requireAdmin(caller, projectId);
        return store.listCollaborators(projectId);
    }

    /**
     * Gives an account a role in the project, or changes it.
     *
     * @throws StagehandException {@code CONFLICT} if it would leave the project without an admin
     */
    public synchronized Collaborator setRole(Account caller, String projectId, String login, Role role)
    {
        requireAdmin(caller, projectId);
        projects.findProject(projectId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + projectId));
        Account account = account(login);
        Optional<Role> previous = Optional.ofNullable(store.rolesOf(login).get(projectId));
        if (previous.equals(Optional.of(Role.ADMIN)) && role != Role.ADMIN) {
            requireAnotherAdmin(projectId, login);
        }
        Collaborator collaborator = new Collaborator(projectId, account.login(), role);
        store.saveCollaborator(collaborator);
        audit(Optional.of(projectId), caller.login(), AuditAction.ROLE_CHANGED, login + ": " + previous.map(Enum::name).orElse("none") + " → " + role.name());
        return collaborator;
    }

    /**
     * @throws StagehandException {@code CONFLICT} if it would leave the project without an admin
     */
    public synchronized void removeCollaborator(Account caller, String projectId, String login)
    {
        requireAdmin(caller, projectId);
        if (Optional.ofNullable(store.rolesOf(login).get(projectId)).equals(Optional.of(Role.ADMIN))) {
            requireAnotherAdmin(projectId, login);
        }
        if (!store.deleteCollaborator(projectId, login)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, login + " is no collaborator of project " + projectId);
        }
        audit(Optional.of(projectId), caller.login(), AuditAction.COLLABORATOR_REMOVED, login);
    }

    private void requireAnotherAdmin(String projectId, String login)
    {
        boolean another = store.listCollaborators(projectId).stream().anyMatch(other -> other.role() == Role.ADMIN && !other.login().equals(login));
        if (!another) {
            throw new StagehandException(StandardErrorCode.CONFLICT, login + " is the last admin of project " + projectId + "; make someone else an admin first");
        }
    }

    /**
     * @return the project's audit log, newest first
     */
    public List<AuditEvent> audit(Account caller, String projectId, int limit)
    {
        requireAdmin(caller, projectId);
        return store.listAudit(Optional.of(projectId), limit);
    }

    /**
     * @return each project the caller sees, with its role there
     */
    public Map<String, Role> roles(Account caller)
    {
        if (caller.platformAdmin()) {
            Map<String, Role> all = new java.util.TreeMap<>();
            projects.listProjects().forEach(project -> all.put(project.id(), Role.ADMIN));
            return all;
        }
        return store.rolesOf(caller.login());
    }

    /**
     * Records a privileged action in the project's audit log.
     */
    public void audit(Account caller, String projectId, AuditAction action, String detail)
    {
        audit(Optional.of(projectId), caller.login(), action, detail);
    }

    private void audit(Optional<String> projectId, String actor, AuditAction action, String detail)
    {
        store.appendAudit(new AuditEvent(0, projectId, actor, action, detail, clock.instant()));
        log.info("Audit: {} {} {}{}", actor, action, detail, projectId.map(project -> " in " + project).orElse(""));
    }

    private void requirePlatformAdmin(Account caller, String what)
    {
        if (!caller.platformAdmin()) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "Only a platform administrator may " + what);
        }
    }

    private static String randomText(int bytes)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }

    private static byte[] randomBytes(int bytes)
    {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return random;
    }

    static String sha256(String text)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
