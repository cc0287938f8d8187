package sh.stagehand.postgres;

import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.postgres.internal.PostgresClientTools.Login;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.postgres.RandomPasswords.newPassword;
import static sh.stagehand.postgres.ServerStatements.dropLoginRole;
import static sh.stagehand.postgres.ServerStatements.quote;
import static sh.stagehand.spi.RandomSecrets.randomHex;

/**
 * The platform's temporary logins into a build database: whatever the platform does inside one
 * (a query, a dump, a copy) it does as a role that is a member of that database's role and of
 * nothing else, valid for a day at most, dropped when done. Thread-safe.
 */
final class TemporaryLogins
{
    private static final Logger log = LoggerFactory.getLogger(TemporaryLogins.class);

    // Marks the platform's temporary logins into a build database; '$' is in no database name, so
    // no build's role is ever named so.
    private static final String LOGIN_MARKER = "stagehand temporary login";
    private static final String LOGIN_PREFIX = "stagehand$";
    private static final Duration LOGIN_LIFETIME = Duration.ofDays(1);

    private final ServerConnections connections;

    TemporaryLogins(ServerConnections connections)
    {
        this.connections = requireNonNull(connections, "connections is null");
    }

    /**
     * Runs {@code work} with a login of its own into {@code database}: a new role, member of the
     * database's role and of nothing else, whose password only this call knows, valid for a day
     * at most, dropped afterwards. Whatever tenant code the work reaches runs with the tenant's
     * privileges; even {@code RESET ROLE} leaves it no more.
     */
    <R> R asTemporaryLogin(String database, Function<Login, R> work)
    {
        String name = LOGIN_PREFIX + randomHex(8);
        String password = newPassword();
        Instant validUntil = Instant.now().plus(LOGIN_LIFETIME).truncatedTo(ChronoUnit.SECONDS);
        connections.withHandle("make a login into database " + database, handle -> {
            handle.execute("CREATE ROLE " + quote(name) + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT PASSWORD '" + password + "' VALID UNTIL '" + validUntil + "'");
            handle.execute("COMMENT ON ROLE " + quote(name) + " IS '" + LOGIN_MARKER + "'");
            handle.execute("GRANT " + quote(database) + " TO " + quote(name));
            // So that the platform may drop what it might come to own (DROP OWNED needs it).
            handle.execute("GRANT " + quote(name) + " TO CURRENT_USER");
            return null;
        });
        Login login = new Login(name, password);
        try {
            return work.apply(login);
        }
        finally {
            dropTemporaryLogin(database, login);
        }
    }

    /**
     * What tenant code run in the login's session may have given it (an object made after a
     * {@code RESET ROLE}, a privilege granted to it) goes to the database's role, or away, in that
     * session, before it ends: the login is dropped from the maintenance database afterwards.
     */
    static void giveBackWhatTheLoginOwns(Handle handle, String database)
    {
        handle.execute("RESET ROLE");
        handle.execute("REASSIGN OWNED BY SESSION_USER TO " + quote(database));
        handle.execute("DROP OWNED BY SESSION_USER");
    }

    /**
     * Drops the temporary logins a stopped platform left and whose time is over.
     */
    void dropExpiredLogins()
    {
        try {
            connections.withHandle("drop expired temporary logins", handle -> {
                List<String> expired = handle.createQuery("""
                                SELECT rolname FROM pg_catalog.pg_roles
                                WHERE starts_with(rolname, :prefix) AND (rolvaliduntil < now() OR NOT rolcanlogin) AND shobj_description(oid, 'pg_authid') = :marker
                                """)
                        .bind("prefix", LOGIN_PREFIX)
                        .bind("marker", LOGIN_MARKER)
                        .mapTo(String.class)
                        .list();
                for (String role : expired) {
                    dropLoginRole(handle, role);
                }
                return null;
            });
        }
        catch (RuntimeException e) {
            log.warn("Cannot drop expired temporary logins: {}", e.getMessage());
        }
    }

    /**
     * Makes the login log in no more, ends its sessions and drops it, from the maintenance
     * database only (tenant code may have changed its password meanwhile). One left behind (the
     * platform stopped meanwhile) expires within a day and is dropped by the next start.
     */
    private void dropTemporaryLogin(String database, Login login)
    {
        try {
            connections.withHandle("drop a login into database " + database, handle -> dropLoginRole(handle, login.user()));
        }
        catch (RuntimeException e) {
            log.warn("Cannot drop the temporary login {} into database {}; it expires by itself within {}: {}", login.user(), database, LOGIN_LIFETIME, e.getMessage());
        }
    }
}
