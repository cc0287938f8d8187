package sh.stagehand.store.postgres;

import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountStore;
import sh.stagehand.core.access.ApiToken;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.access.AuditEvent;
import sh.stagehand.core.access.Collaborator;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.access.Session;
import sh.stagehand.core.access.SshKey;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.store.postgres.internal.MetadataDatabase;
import sh.stagehand.store.postgres.internal.MetadataStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.toMap;
import static sh.stagehand.store.postgres.internal.Columns.instant;
import static sh.stagehand.store.postgres.internal.Columns.optionalInstant;

/**
 * Accounts in the platform's metadata database, beside its projects and builds. Thread-safe.
 */
public final class PostgresAccountStore
        implements AccountStore
{
    private final MetadataStatements statements;

    PostgresAccountStore(MetadataDatabase database)
    {
        this.statements = requireNonNull(database, "database is null").statements();
    }

    @Override
    public void createAccount(Account account)
    {
        statements.update("create account " + account.login(), """
                        INSERT INTO account (login, name, password_hash, platform_admin, created_at, email) VALUES (:login, :name, :passwordHash, :platformAdmin, :createdAt, :email)
                        """,
                update -> update.bindMethods(account).bind("email", account.email().orElse(null)),
                e -> new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Login " + account.login() + " is taken; pick another", e));
    }

    @Override
    public void updateAccount(Account account)
    {
        int updated = statements.update("update account " + account.login(), """
                        UPDATE account SET name = :name, password_hash = :passwordHash, platform_admin = :platformAdmin, email = :email WHERE login = :login
                        """,
                update -> update.bindMethods(account).bind("email", account.email().orElse(null)));
        if (updated == 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No account " + account.login());
        }
    }

    @Override
    public Optional<Account> findAccount(String login)
    {
        return statements.findOne("find account " + login, "SELECT * FROM account WHERE login = :login", query -> query.bind("login", login), PostgresAccountStore::account);
    }

    @Override
    public List<Account> listAccounts()
    {
        return statements.list("list accounts", "SELECT * FROM account ORDER BY login", PostgresAccountStore::account);
    }

    @Override
    public void saveSession(Session session)
    {
        statements.update("save a session of " + session.login(), """
                        INSERT INTO account_session (id_hash, login, csrf_token, created_at, last_seen_at, expires_at)
                        VALUES (:idHash, :login, :csrfToken, :createdAt, :lastSeenAt, :expiresAt)
                        ON CONFLICT (id_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at
                        """,
                update -> update.bindMethods(session));
    }

    @Override
    public Optional<Session> findSession(String idHash)
    {
        return statements.findOne("find a session", "SELECT * FROM account_session WHERE id_hash = :id", query -> query.bind("id", idHash), PostgresAccountStore::session);
    }

    @Override
    public void deleteSession(String idHash)
    {
        statements.update("end a session", "DELETE FROM account_session WHERE id_hash = :id", update -> update.bind("id", idHash));
    }

    @Override
    public void deleteSessions(String login)
    {
        statements.update("end the sessions of " + login, "DELETE FROM account_session WHERE login = :login", update -> update.bind("login", login));
    }

    @Override
    public int deleteSessionsEndedBefore(Instant now)
    {
        return statements.update("remove ended sessions", "DELETE FROM account_session WHERE expires_at < :now", update -> update.bind("now", Timestamp.from(now)));
    }

    @Override
    public void saveToken(ApiToken token)
    {
        statements.update("save token " + token.id(), """
                        INSERT INTO api_token (id, login, name, hash, created_at, last_used_at, revoked_at)
                        VALUES (:id, :login, :name, :hash, :createdAt, :lastUsedAt, :revokedAt)
                        ON CONFLICT (id) DO UPDATE SET last_used_at = excluded.last_used_at, revoked_at = excluded.revoked_at
                        """,
                update -> update.bindMethods(token));
    }

    @Override
    public Optional<ApiToken> findTokenByHash(String hash)
    {
        return statements.findOne("find a token", "SELECT * FROM api_token WHERE hash = :hash", query -> query.bind("hash", hash), PostgresAccountStore::token);
    }

    @Override
    public List<ApiToken> listTokens(String login)
    {
        return statements.list("list the tokens of " + login, "SELECT * FROM api_token WHERE login = :login ORDER BY created_at DESC, id DESC",
                query -> query.bind("login", login), PostgresAccountStore::token);
    }

    @Override
    public void saveCollaborator(Collaborator collaborator)
    {
        statements.update("give " + collaborator.login() + " a role in " + collaborator.projectId(), """
                        INSERT INTO collaborator (project_id, login, role) VALUES (:projectId, :login, :role)
                        ON CONFLICT (project_id, login) DO UPDATE SET role = excluded.role
                        """,
                update -> update.bindMethods(collaborator));
    }

    @Override
    public boolean deleteCollaborator(String projectId, String login)
    {
        return statements.update("remove " + login + " from " + projectId, "DELETE FROM collaborator WHERE project_id = :project AND login = :login",
                update -> update.bind("project", projectId).bind("login", login)) > 0;
    }

    @Override
    public List<Collaborator> listCollaborators(String projectId)
    {
        return statements.list("list the collaborators of " + projectId, "SELECT * FROM collaborator WHERE project_id = :project ORDER BY login",
                query -> query.bind("project", projectId), PostgresAccountStore::collaborator);
    }

    @Override
    public Map<String, Role> rolesOf(String login)
    {
        return statements.list("read the roles of " + login, "SELECT * FROM collaborator WHERE login = :login ORDER BY project_id",
                        query -> query.bind("login", login), PostgresAccountStore::collaborator)
                .stream()
                .collect(toMap(Collaborator::projectId, Collaborator::role, (first, second) -> second, LinkedHashMap::new));
    }

    @Override
    public void addSshKey(SshKey key)
    {
        int added = statements.update("add an SSH key of " + key.login(), """
                        INSERT INTO ssh_key (fingerprint, login, type, public_key, title, added_at) VALUES (:fingerprint, :login, :type, :publicKey, :title, :addedAt)
                        ON CONFLICT (fingerprint) DO NOTHING
                        """,
                update -> update.bindMethods(key));
        if (added == 0) {
            Optional<SshKey> existing = statements.findOne("add an SSH key of " + key.login(), "SELECT * FROM ssh_key WHERE fingerprint = :fingerprint",
                    query -> query.bind("fingerprint", key.fingerprint()), PostgresAccountStore::sshKey);
            boolean own = existing.map(found -> found.login().equals(key.login())).orElse(false);
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, own
                    ? "You have that SSH key already, as '" + existing.get().title() + "'"
                    : "That SSH key is another account's; SSH access must tell its users apart, so make a key of your own (ssh-keygen -t ed25519)");
        }
    }

    @Override
    public List<SshKey> listSshKeys(String login)
    {
        return statements.list("list the SSH keys of " + login, "SELECT * FROM ssh_key WHERE login = :login ORDER BY added_at, fingerprint",
                query -> query.bind("login", login), PostgresAccountStore::sshKey);
    }

    @Override
    public Optional<SshKey> findSshKey(String fingerprint)
    {
        return statements.findOne("look up SSH key " + fingerprint, "SELECT * FROM ssh_key WHERE fingerprint = :fingerprint",
                query -> query.bind("fingerprint", fingerprint), PostgresAccountStore::sshKey);
    }

    @Override
    public boolean deleteSshKey(String login, String fingerprint)
    {
        return statements.update("remove an SSH key of " + login, "DELETE FROM ssh_key WHERE login = :login AND fingerprint = :fingerprint",
                update -> update.bind("login", login).bind("fingerprint", fingerprint)) > 0;
    }

    @Override
    public AuditEvent appendAudit(AuditEvent event)
    {
        long id = statements.one("append to the audit log", """
                        INSERT INTO audit_event (project_id, actor, action, detail, at) VALUES (:projectId, :actor, :action, :detail, :at) RETURNING id
                        """,
                query -> query.bindMethods(event), (rs, context) -> rs.getLong("id"));
        return new AuditEvent(id, event.projectId(), event.actor(), event.action(), event.detail(), event.at());
    }

    @Override
    public List<AuditEvent> listAudit(Optional<String> projectId, int limit)
    {
        // Two queries, so that each uses the index on (project_id, id).
        String where = projectId.isPresent() ? "project_id = :project" : "project_id IS NULL";
        return statements.list("read the audit log", "SELECT * FROM audit_event WHERE " + where + " ORDER BY id DESC LIMIT :limit",
                query -> query.bind("project", projectId.orElse(null)).bind("limit", limit), PostgresAccountStore::audit);
    }

    private static Collaborator collaborator(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new Collaborator(rs.getString("project_id"), rs.getString("login"), Role.valueOf(rs.getString("role")));
    }

    private static Account account(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new Account(rs.getString("login"), rs.getString("name"), rs.getString("password_hash"), rs.getBoolean("platform_admin"), instant(rs, "created_at"),
                Optional.ofNullable(rs.getString("email")));
    }

    private static Session session(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new Session(rs.getString("id_hash"), rs.getString("login"), rs.getString("csrf_token"), instant(rs, "created_at"),
                instant(rs, "last_seen_at"), instant(rs, "expires_at"));
    }

    private static ApiToken token(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new ApiToken(rs.getString("id"), rs.getString("login"), rs.getString("name"), rs.getString("hash"), instant(rs, "created_at"),
                optionalInstant(rs, "last_used_at"), optionalInstant(rs, "revoked_at"));
    }

    private static SshKey sshKey(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new SshKey(rs.getString("login"), rs.getString("fingerprint"), rs.getString("type"), rs.getString("public_key"), rs.getString("title"), instant(rs, "added_at"));
    }

    private static AuditEvent audit(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new AuditEvent(rs.getLong("id"), Optional.ofNullable(rs.getString("project_id")), rs.getString("actor"), AuditAction.valueOf(rs.getString("action")), rs.getString("detail"),
                instant(rs, "at"));
    }
}
