package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
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
import sh.stagehand.store.postgres.internal.MetadataDatabase;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.isUniqueViolation;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * Accounts in the platform's metadata database, beside its projects and builds. Thread-safe.
 */
public final class PostgresAccountStore
        implements AccountStore
{
    private final Jdbi jdbi;

    PostgresAccountStore(MetadataDatabase database)
    {
        this.jdbi = requireNonNull(database, "database is null").jdbi();
    }

    @Override
    public void createAccount(Account account)
    {
        run("create account " + account.login(), () -> {
            try {
                return jdbi.withHandle(handle -> handle.createUpdate("""
                                INSERT INTO account (login, name, password_hash, platform_admin, created_at) VALUES (:login, :name, :hash, :admin, :createdAt)
                                """)
                        .bind("login", account.login())
                        .bind("name", account.name())
                        .bind("hash", account.passwordHash())
                        .bind("admin", account.platformAdmin())
                        .bind("createdAt", Timestamp.from(account.createdAt()))
                        .execute());
            }
            catch (JdbiException e) {
                if (isUniqueViolation(e)) {
                    throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Login " + account.login() + " is taken; pick another", e);
                }
                throw e;
            }
        });
    }

    @Override
    public void updateAccount(Account account)
    {
        int updated = run("update account " + account.login(), () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE account SET name = :name, password_hash = :hash, platform_admin = :admin WHERE login = :login
                        """)
                .bind("login", account.login())
                .bind("name", account.name())
                .bind("hash", account.passwordHash())
                .bind("admin", account.platformAdmin())
                .execute()));
        if (updated == 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No account " + account.login());
        }
    }

    @Override
    public Optional<Account> findAccount(String login)
    {
        return run("find account " + login, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM account WHERE login = :login")
                .bind("login", login)
                .map(PostgresAccountStore::account)
                .findOne()));
    }

    @Override
    public List<Account> listAccounts()
    {
        return run("list accounts", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM account ORDER BY login")
                .map(PostgresAccountStore::account)
                .list()));
    }

    @Override
    public void saveSession(Session session)
    {
        run("save a session of " + session.login(), () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO account_session (id_hash, login, csrf_token, created_at, last_seen_at, expires_at)
                        VALUES (:id, :login, :csrf, :createdAt, :lastSeenAt, :expiresAt)
                        ON CONFLICT (id_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at
                        """)
                .bind("id", session.idHash())
                .bind("login", session.login())
                .bind("csrf", session.csrfToken())
                .bind("createdAt", Timestamp.from(session.createdAt()))
                .bind("lastSeenAt", Timestamp.from(session.lastSeenAt()))
                .bind("expiresAt", Timestamp.from(session.expiresAt()))
                .execute()));
    }

    @Override
    public Optional<Session> findSession(String idHash)
    {
        return run("find a session", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM account_session WHERE id_hash = :id")
                .bind("id", idHash)
                .map(PostgresAccountStore::session)
                .findOne()));
    }

    @Override
    public void deleteSession(String idHash)
    {
        run("end a session", () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM account_session WHERE id_hash = :id").bind("id", idHash).execute()));
    }

    @Override
    public void deleteSessions(String login)
    {
        run("end the sessions of " + login, () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM account_session WHERE login = :login").bind("login", login).execute()));
    }

    @Override
    public int deleteSessionsEndedBefore(Instant now)
    {
        return run("remove ended sessions", () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM account_session WHERE expires_at < :now")
                .bind("now", Timestamp.from(now))
                .execute()));
    }

    @Override
    public void saveToken(ApiToken token)
    {
        run("save token " + token.id(), () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO api_token (id, login, name, hash, created_at, last_used_at, revoked_at)
                        VALUES (:id, :login, :name, :hash, :createdAt, :lastUsedAt, :revokedAt)
                        ON CONFLICT (id) DO UPDATE SET last_used_at = excluded.last_used_at, revoked_at = excluded.revoked_at
                        """)
                .bind("id", token.id())
                .bind("login", token.login())
                .bind("name", token.name())
                .bind("hash", token.hash())
                .bind("createdAt", Timestamp.from(token.createdAt()))
                .bind("lastUsedAt", token.lastUsedAt().map(Timestamp::from).orElse(null))
                .bind("revokedAt", token.revokedAt().map(Timestamp::from).orElse(null))
                .execute()));
    }

    @Override
    public Optional<ApiToken> findTokenByHash(String hash)
    {
        return run("find a token", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM api_token WHERE hash = :hash")
                .bind("hash", hash)
                .map(PostgresAccountStore::token)
                .findOne()));
    }

    @Override
    public List<ApiToken> listTokens(String login)
    {
        return run("list the tokens of " + login, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM api_token WHERE login = :login ORDER BY created_at DESC, id DESC")
                .bind("login", login)
                .map(PostgresAccountStore::token)
                .list()));
    }

    @Override
    public void saveCollaborator(Collaborator collaborator)
    {
        run("give " + collaborator.login() + " a role in " + collaborator.projectId(), () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO collaborator (project_id, login, role) VALUES (:project, :login, :role)
                        ON CONFLICT (project_id, login) DO UPDATE SET role = excluded.role
                        """)
                .bind("project", collaborator.projectId())
                .bind("login", collaborator.login())
                .bind("role", collaborator.role().name())
                .execute()));
    }

    @Override
    public boolean deleteCollaborator(String projectId, String login)
    {
        return run("remove " + login + " from " + projectId, () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM collaborator WHERE project_id = :project AND login = :login")
                .bind("project", projectId)
                .bind("login", login)
                .execute() > 0));
    }

    @Override
    public List<Collaborator> listCollaborators(String projectId)
    {
        return run("list the collaborators of " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM collaborator WHERE project_id = :project ORDER BY login")
                .bind("project", projectId)
                .map((rs, context) -> new Collaborator(rs.getString("project_id"), rs.getString("login"), Role.valueOf(rs.getString("role"))))
                .list()));
    }

    @Override
    public Map<String, Role> rolesOf(String login)
    {
        return run("read the roles of " + login, () -> jdbi.withHandle(handle -> {
            Map<String, Role> roles = new LinkedHashMap<>();
            handle.createQuery("SELECT project_id, role FROM collaborator WHERE login = :login ORDER BY project_id")
                    .bind("login", login)
                    .map((rs, context) -> Map.entry(rs.getString("project_id"), Role.valueOf(rs.getString("role"))))
                    .forEach(entry -> roles.put(entry.getKey(), entry.getValue()));
            return roles;
        }));
    }

    @Override
    public void addSshKey(SshKey key)
    {
        run("add an SSH key of " + key.login(), () -> {
            int added = jdbi.withHandle(handle -> handle.createUpdate("""
                            INSERT INTO ssh_key (fingerprint, login, type, public_key, title, added_at) VALUES (:fingerprint, :login, :type, :key, :title, :addedAt)
                            ON CONFLICT (fingerprint) DO NOTHING
                            """)
                    .bind("fingerprint", key.fingerprint())
                    .bind("login", key.login())
                    .bind("type", key.type())
                    .bind("key", key.publicKey())
                    .bind("title", key.title())
                    .bind("addedAt", Timestamp.from(key.addedAt()))
                    .execute());
            if (added == 0) {
                Optional<SshKey> existing = jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM ssh_key WHERE fingerprint = :fingerprint")
                        .bind("fingerprint", key.fingerprint())
                        .map(PostgresAccountStore::sshKey)
                        .findOne());
                boolean own = existing.map(found -> found.login().equals(key.login())).orElse(false);
                throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, own
                        ? "You have that SSH key already, as '" + existing.get().title() + "'"
                        : "That SSH key is another account's; SSH access must tell its users apart, so make a key of your own (ssh-keygen -t ed25519)");
            }
            return null;
        });
    }

    @Override
    public List<SshKey> listSshKeys(String login)
    {
        return run("list the SSH keys of " + login, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM ssh_key WHERE login = :login ORDER BY added_at, fingerprint")
                .bind("login", login)
                .map(PostgresAccountStore::sshKey)
                .list()));
    }

    @Override
    public boolean deleteSshKey(String login, String fingerprint)
    {
        return run("remove an SSH key of " + login, () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM ssh_key WHERE login = :login AND fingerprint = :fingerprint")
                .bind("login", login)
                .bind("fingerprint", fingerprint)
                .execute() > 0));
    }

    @Override
    public AuditEvent appendAudit(AuditEvent event)
    {
        long id = run("append to the audit log", () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO audit_event (project_id, actor, action, detail, at) VALUES (:project, :actor, :action, :detail, :at)
                        """)
                .bind("project", event.projectId().orElse(null))
                .bind("actor", event.actor())
                .bind("action", event.action().name())
                .bind("detail", event.detail())
                .bind("at", Timestamp.from(event.at()))
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one()));
        return new AuditEvent(id, event.projectId(), event.actor(), event.action(), event.detail(), event.at());
    }

    @Override
    public List<AuditEvent> listAudit(Optional<String> projectId, int limit)
    {
        // Two queries, so that each uses the index on (project_id, id).
        String where = projectId.isPresent() ? "project_id = :project" : "project_id IS NULL";
        return run("read the audit log", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM audit_event WHERE " + where + " ORDER BY id DESC LIMIT :limit")
                .bind("project", projectId.orElse(null))
                .bind("limit", limit)
                .map(PostgresAccountStore::audit)
                .list()));
    }


    private static Account account(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new Account(rs.getString("login"), rs.getString("name"), rs.getString("password_hash"), rs.getBoolean("platform_admin"), rs.getTimestamp("created_at").toInstant());
    }

    private static Session session(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new Session(rs.getString("id_hash"), rs.getString("login"), rs.getString("csrf_token"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("last_seen_at").toInstant(), rs.getTimestamp("expires_at").toInstant());
    }

    private static ApiToken token(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new ApiToken(rs.getString("id"), rs.getString("login"), rs.getString("name"), rs.getString("hash"), rs.getTimestamp("created_at").toInstant(),
                Optional.ofNullable(rs.getTimestamp("last_used_at")).map(Timestamp::toInstant), Optional.ofNullable(rs.getTimestamp("revoked_at")).map(Timestamp::toInstant));
    }

    private static SshKey sshKey(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new SshKey(rs.getString("login"), rs.getString("fingerprint"), rs.getString("type"), rs.getString("public_key"), rs.getString("title"), rs.getTimestamp("added_at").toInstant());
    }

    private static AuditEvent audit(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new AuditEvent(rs.getLong("id"), Optional.ofNullable(rs.getString("project_id")), rs.getString("actor"), AuditAction.valueOf(rs.getString("action")), rs.getString("detail"),
                rs.getTimestamp("at").toInstant());
    }
}
