package sh.stagehand.postgres;

import org.jdbi.v3.core.Handle;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.postgres.RandomPasswords.newPassword;
import static sh.stagehand.postgres.ServerStatements.dropLoginRole;
import static sh.stagehand.postgres.ServerStatements.isOwnRole;
import static sh.stagehand.postgres.ServerStatements.quote;
import static sh.stagehand.postgres.ServerStatements.roleComment;
import static sh.stagehand.postgres.ServerStatements.terminateSessionsOf;

/**
 * Each build database's reader, the login of people's shells on a production: everything it does
 * is done from the maintenance database with role statements, never inside the tenant's database
 * (no grant there, so dumps, copies and snapshots carry no trace of it).
 *
 * <ul>
 * <li>{@code pg_hba.conf} lets a role into a database only if it is a member of the role named
 *     after it ({@code samerole}). The reader is, through a role of its own that does not
 *     inherit ({@code <name>$via}, {@code NOINHERIT}): it reaches that database (and the
 *     maintenance one) and holds no right of its own.
 * <li>Its sessions start as the database's role ({@code role}) in read-only transactions
 *     ({@code default_transaction_read_only}): it reads what the database's role reads, and a
 *     statement that writes is refused. Not {@code pg_read_all_data}: that role reads every
 *     table of every database it reaches, the catalog of the server's roles and their password
 *     hashes among them.
 * <li>Writes allowed, its sessions start as the database's role without read-only transactions.
 *     Either way its sessions open then are ended, so none keeps the rights of before, and
 *     whatever settings it gave itself are reset.
 * </ul>
 *
 * <p>A guard against mistakes, not a wall: a session may undo its read-only default
 * ({@code SET default_transaction_read_only = off}, {@code BEGIN READ WRITE}), and whoever has a
 * shell in the container reads Odoo's own configuration. What was typed is in {@code shell.log}.
 * Thread-safe: changes to one database's reader are serialized.
 */
final class DatabaseReaders
{
    // '$' is in no database name: no build's role is ever named as a reader.
    private static final String READER_SUFFIX = "$reader";
    private static final String VIA_SUFFIX = "$via";
    private static final String READ_ONLY = "stagehand reader of a build database, read-only";
    private static final String WRITES_ALLOWED = "stagehand reader of a build database, writes allowed";
    private static final String VIA = "stagehand way of a reader into a build database";

    private final PostgresConfig config;
    private final ServerConnections connections;
    private final BuildDatabases databases;
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    DatabaseReaders(PostgresConfig config, ServerConnections connections, BuildDatabases databases)
    {
        this.config = requireNonNull(config, "config is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.databases = requireNonNull(databases, "databases is null");
    }

    /**
     * The reader's name: the database's and {@value #READER_SUFFIX}, when it fits in
     * PostgreSQL's 63 characters, else the database's first characters, a hash of it and the suffix.
     */
    static String readerOf(String database)
    {
        return base(database) + READER_SUFFIX;
    }

    private static String viaOf(String database)
    {
        return base(database) + VIA_SUFFIX;
    }

    private static String base(String database)
    {
        if (database.length() + READER_SUFFIX.length() <= 63) {
            return database;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(database.getBytes(StandardCharsets.UTF_8));
            return database.substring(0, 63 - READER_SUFFIX.length() - 9) + "~" + HexFormat.of().formatHex(hash, 0, 4);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    DatabaseConnection reader(String database)
    {
        databases.requireOwnRole(database);
        // One password for as long as this runs: a shell's psql keeps working when another opens.
        String password = passwords.computeIfAbsent(database, ignored -> newPassword());
        String reader = readerOf(database);
        synchronized (lockFor(database)) {
            connections.withHandle("make the reader of database " + database, handle -> {
                Optional<String> comment = roleComment(handle, reader);
                boolean writes = comment.filter(WRITES_ALLOWED::equals).isPresent();
                if (comment.isEmpty()) {
                    // One transaction: no role is ever left without the comment that says it is ours.
                    handle.useTransaction(transaction -> {
                        transaction.execute("CREATE ROLE " + quote(reader) + " LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '" + password + "'");
                        transaction.execute("COMMENT ON ROLE " + quote(reader) + " IS '" + READ_ONLY + "'");
                        // So that the platform may end its sessions and drop it.
                        transaction.execute("GRANT " + quote(reader) + " TO CURRENT_USER");
                    });
                }
                else if (comment.get().equals(READ_ONLY) || writes) {
                    handle.execute("ALTER ROLE " + quote(reader) + " LOGIN NOINHERIT PASSWORD '" + password + "'");
                }
                else {
                    throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "A role named " + reader + " exists on " + config.url()
                            + " and was not made by Stagehand as the reader of " + database + "; drop it, or rename it");
                }
                handle.useTransaction(transaction -> {
                    grant(transaction, database, reader);
                    startAs(transaction, reader, database, writes);
                });
                return null;
            });
        }
        return new DatabaseConnection(config.containerHost(), config.containerPort(), reader, password);
    }

    void allowWrites(String database)
    {
        databases.requireOwnRole(database);
        String reader = readerOf(database);
        synchronized (lockFor(database)) {
            connections.withHandle("allow the reader of database " + database + " to write", handle -> {
                if (roleComment(handle, reader).filter(comment -> comment.equals(READ_ONLY) || comment.equals(WRITES_ALLOWED)).isEmpty()) {
                    throw new StagehandException(StandardErrorCode.NOT_FOUND, "Database " + database + " has no reader yet; open a shell on it first");
                }
                // The mark and the settings together, or neither; the sessions of before end once they hold.
                handle.useTransaction(transaction -> {
                    transaction.execute("COMMENT ON ROLE " + quote(reader) + " IS '" + WRITES_ALLOWED + "'");
                    grant(transaction, database, reader);
                    startAs(transaction, reader, database, true);
                });
                terminateSessionsOf(handle, reader);
                return null;
            });
        }
    }

    void revokeWrites(String database)
    {
        String reader = readerOf(database);
        synchronized (lockFor(database)) {
            connections.withHandle("make the reader of database " + database + " read-only", handle -> {
                Optional<String> comment = roleComment(handle, reader);
                if (comment.filter(text -> text.equals(READ_ONLY) || text.equals(WRITES_ALLOWED)).isPresent()) {
                    handle.useTransaction(transaction -> {
                        transaction.execute("COMMENT ON ROLE " + quote(reader) + " IS '" + READ_ONLY + "'");
                        startAs(transaction, reader, database, false);
                    });
                    terminateSessionsOf(handle, reader);
                }
                return null;
            });
        }
    }

    // One database's reader is changed by one call at a time (a shell opening must not undo a
    // revoke that ran meanwhile).
    private Object lockFor(String database)
    {
        return locks.computeIfAbsent(database, ignored -> new Object());
    }

    /**
     * Drops the database's reader, if it has one of Stagehand's making.
     */
    void drop(String database)
    {
        String reader = readerOf(database);
        String via = viaOf(database);
        synchronized (lockFor(database)) {
            passwords.remove(database);
            connections.withHandle("drop the reader of database " + database, handle -> {
                if (roleComment(handle, reader).filter(comment -> comment.equals(READ_ONLY) || comment.equals(WRITES_ALLOWED)).isPresent()) {
                    dropLoginRole(handle, reader);
                }
                if (roleComment(handle, via).filter(VIA::equals).isPresent()) {
                    dropLoginRole(handle, via);
                }
                return null;
            });
        }
    }

    // A database restored in its place took none of the grants on the old one: CONNECT and the
    // way in are granted again each time.
    private static void grant(Handle handle, String database, String reader)
    {
        if (!isOwnRole(handle, database)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Database " + database + " has no role of its own made by Stagehand");
        }
        String via = viaOf(database);
        Optional<String> viaComment = roleComment(handle, via);
        if (viaComment.isEmpty()) {
            handle.useTransaction(transaction -> {
                transaction.execute("CREATE ROLE " + quote(via) + " NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION");
                transaction.execute("COMMENT ON ROLE " + quote(via) + " IS '" + VIA + "'");
                transaction.execute("GRANT " + quote(via) + " TO CURRENT_USER");
            });
        }
        else if (!viaComment.get().equals(VIA)) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "A role named " + via + " exists and was not made by Stagehand; drop it, or rename it");
        }
        handle.execute("GRANT " + quote(database) + " TO " + quote(via));
        handle.execute("GRANT " + quote(via) + " TO " + quote(reader));
        // What a reader of an earlier version held: it read the server's role catalog.
        handle.execute("REVOKE pg_read_all_data FROM " + quote(reader));
        handle.execute("GRANT CONNECT ON DATABASE " + quote(database) + " TO " + quote(reader));
    }

    // What the reader's sessions start as: the database's role, in read-only transactions unless
    // writes are allowed; whatever settings it gave itself, in any database, go.
    private static void startAs(Handle handle, String reader, String database, boolean writes)
    {
        List<String> databasesWithSettings = handle.createQuery("""
                        SELECT d.datname FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
                        WHERE s.setrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = :reader)
                        """)
                .bind("reader", reader)
                .mapTo(String.class)
                .list();
        for (String other : databasesWithSettings) {
            handle.execute("ALTER ROLE " + quote(reader) + " IN DATABASE " + quote(other) + " RESET ALL");
        }
        handle.execute("ALTER ROLE " + quote(reader) + " RESET ALL");
        handle.execute("ALTER ROLE " + quote(reader) + " SET role = " + quote(database));
        if (!writes) {
            handle.execute("ALTER ROLE " + quote(reader) + " SET default_transaction_read_only = on");
        }
    }
}
