package sh.stagehand.postgres;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * The statements on the maintenance database that the parts of a {@link PostgresDatabaseProvider}
 * share: looking up databases and roles, ending sessions, dropping a database or a role. Names
 * are validated first ({@link sh.stagehand.spi.database.DatabaseNames}), quoted here. Stateless.
 */
final class ServerStatements
{
    // Marks the roles Stagehand made for build databases: no other role is ever altered or dropped.
    static final String ROLE_MARKER = "stagehand build database role";

    private static final Logger log = LoggerFactory.getLogger(ServerStatements.class);
    private static final String OBJECT_IN_USE = "55006";

    private ServerStatements() {}

    static String quote(String name)
    {
        // Names are validated first; quoting keeps case and '-', '.' as Odoo's names may hold them.
        return "\"" + name + "\"";
    }

    static boolean exists(Handle handle, String name)
    {
        return handle.createQuery("SELECT count(*) > 0 FROM pg_database WHERE datname = :name")
                .bind("name", name)
                .mapTo(Boolean.class)
                .one();
    }

    /**
     * Whether {@code role} is one Stagehand made for a build database.
     */
    static boolean isOwnRole(Handle handle, String role)
    {
        return roleComment(handle, role).filter(ROLE_MARKER::equals).isPresent();
    }

    /**
     * The comment on {@code role} ({@code ""} for none); empty if there is no such role.
     */
    static Optional<String> roleComment(Handle handle, String role)
    {
        return handle.createQuery("SELECT coalesce(shobj_description(oid, 'pg_authid'), '') FROM pg_roles WHERE rolname = :name")
                .bind("name", role)
                .mapTo(String.class)
                .findOne();
    }

    static int serverVersion(Handle handle)
    {
        return handle.createQuery("SELECT current_setting('server_version_num')::int").mapTo(Integer.class).one();
    }

    /**
     * Closes the client sessions on the database, which are the platform's or its builds' roles'.
     * Not {@code DROP DATABASE … WITH (FORCE)}: that also terminates autovacuum workers (busy on
     * a freshly copied or updated database), which a role without superuser or
     * {@code pg_signal_backend} may not; a plain {@code DROP DATABASE} has the server stop them.
     */
    static void terminateConnections(Handle handle, String name)
    {
        handle.createQuery("""
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = :name AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND pg_has_role(usesysid, 'MEMBER')
                        """)
                .bind("name", name)
                .mapTo(Boolean.class)
                .list();
    }

    static void terminateSessionsOf(Handle handle, String role)
    {
        handle.createQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role AND pid <> pg_backend_pid()")
                .bind("role", role)
                .mapTo(Boolean.class)
                .list();
    }

    static void dropDatabase(Handle handle, String name)
    {
        // A terminated session takes a moment to leave: try again for a few seconds.
        for (int attempt = 1; ; attempt++) {
            terminateConnections(handle, name);
            try {
                handle.execute("DROP DATABASE IF EXISTS " + quote(name));
                return;
            }
            catch (JdbiException e) {
                boolean inUse = e.getCause() instanceof SQLException sql && OBJECT_IN_USE.equals(sql.getSQLState());
                if (!inUse || attempt == 50) {
                    throw e;
                }
            }
            sleep(Duration.ofMillis(100), "dropping database " + name);
        }
    }

    /**
     * Drops a role of the platform's making whose database is gone. What it may still own is in
     * the maintenance database, where every build role may log in (default privileges it gave
     * itself there): dropped first, by the platform, where no tenant code runs. A role that still
     * cannot go (its session lingering) logs in no more, and the next drop tries again.
     */
    static boolean dropLoginRole(Handle handle, String role)
    {
        handle.execute("ALTER ROLE " + quote(role) + " NOLOGIN");
        terminateSessionsOf(handle, role);
        try {
            handle.execute("DROP OWNED BY " + quote(role));
            handle.execute("DROP ROLE IF EXISTS " + quote(role));
            return true;
        }
        catch (JdbiException e) {
            log.warn("Role {} cannot be dropped yet ({}); it logs in no more, and its next drop tries again", role, ServerConnections.rootMessage(e));
            return false;
        }
    }

    static void sleep(Duration duration, String what)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted(what, e);
        }
    }
}
