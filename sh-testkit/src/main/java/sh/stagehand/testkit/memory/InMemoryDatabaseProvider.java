package sh.stagehand.testkit.memory;

import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseNames;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.database.DumpLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A {@link DatabaseProvider} whose databases are {@link InMemoryDatabase}s: tables of rows in the
 * JVM, for tests of what the platform decides (a rollback, a recovery) in milliseconds. It keeps the
 * SPI's rules that a caller can observe (names checked, a role and password per database, snapshot,
 * rename and copy semantics, {@code NOT_FOUND} and {@code ALREADY_EXISTS}); it speaks no SQL of its
 * own: {@link #query} and {@link #execute} go to the {@link StatementHandler} the test gives, which
 * knows the few statements the code under test runs. Dumps are {@link InMemoryDatabase#dump text}
 * in {@code COPY} blocks, as a plain {@code pg_dump} lays rows out. Thread-safe.
 */
public final class InMemoryDatabaseProvider
        implements DatabaseProvider
{
    /**
     * Answers a statement on a database; throws for one it does not know, naming it.
     */
    @FunctionalInterface
    public interface StatementHandler
    {
        List<Map<String, Object>> run(InMemoryDatabase database, String sql, List<?> parameters);
    }


    private final Map<String, InMemoryDatabase> databases = new TreeMap<>();
    private final StatementHandler statements;
    private final Map<String, Integer> failures = new TreeMap<>();
    // Each database's reader, by the database's name: its password, and whether it may write.
    private final Map<String, Reader> readers = new TreeMap<>();

    private record Reader(String password, boolean writes) {}

    /** What credentials may do in a database, as a tenant connecting with them finds. */
    public enum Access
    {
        NONE, READ, WRITE
    }

    public InMemoryDatabaseProvider(StatementHandler statements)
    {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /**
     * The database itself, for a test to look at or to change as a tenant's code would.
     *
     * @throws StagehandException {@code NOT_FOUND}
     */
    public synchronized InMemoryDatabase database(String name)
    {
        return existing(name);
    }

    /**
     * Makes the next call of an SPI method (by its name: {@code "restoreSnapshot"}) fail with
     * {@code PROVIDER_ERROR}, as a database server that goes away at the worst moment; {@code times}
     * calls in a row fail.
     */
    public synchronized void failNext(String method, int times)
    {
        failures.put(method, times);
    }

    private synchronized void maybeFail(String method, String name)
    {
        Integer left = failures.get(method);
        if (left != null && left > 0) {
            failures.put(method, left - 1);
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "The database server failed " + method + " of " + name + " (a failure the test asked for)");
        }
    }

    /**
     * What {@code credentials} may do in the database: its role's write, its reader's read (or
     * write while allowed), any other none.
     */
    public synchronized Access access(String name, DatabaseConnection credentials)
    {
        InMemoryDatabase database = existing(name);
        if (database.connection().equals(credentials)) {
            return Access.WRITE;
        }
        Reader reader = readers.get(name);
        if (reader != null && credentials.equals(readerConnection(name, reader))) {
            return reader.writes() ? Access.WRITE : Access.READ;
        }
        return Access.NONE;
    }

    @Override
    public synchronized DatabaseConnection reader(String name)
    {
        existing(name);
        Reader previous = readers.get(name);
        Reader reader = previous == null ? new Reader(password(), false) : previous;
        readers.put(name, reader);
        return readerConnection(name, reader);
    }

    @Override
    public synchronized void allowReaderWrites(String name)
    {
        existing(name);
        Reader reader = readers.get(name);
        if (reader == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Database " + name + " has no reader yet");
        }
        readers.put(name, new Reader(reader.password(), true));
    }

    @Override
    public synchronized void revokeReaderWrites(String name)
    {
        readers.computeIfPresent(name, (database, reader) -> new Reader(reader.password(), false));
    }

    private static DatabaseConnection readerConnection(String name, Reader reader)
    {
        return new DatabaseConnection("127.0.0.1", 5432, name + "$reader", reader.password());
    }

    @Override
    public synchronized DatabaseConnection create(String name)
    {
        maybeFail("create", name);
        requireAbsent(name);
        InMemoryDatabase database = new InMemoryDatabase(name, name, password());
        databases.put(name, database);
        return database.connection();
    }

    @Override
    public synchronized boolean drop(String name)
    {
        maybeFail("drop", name);
        DatabaseNames.requireValid(name);
        readers.remove(name);
        return databases.remove(name) != null;
    }

    @Override
    public synchronized boolean exists(String name)
    {
        DatabaseNames.requireValid(name);
        return databases.containsKey(name);
    }

    @Override
    public synchronized List<String> list(String prefix)
    {
        DatabaseNames.requireValidPrefix(prefix);
        return databases.keySet().stream().filter(name -> name.startsWith(prefix)).toList();
    }

    @Override
    public synchronized DatabaseConnection copy(String source, String target)
    {
        maybeFail("copy", source);
        InMemoryDatabase original = existing(source);
        requireAbsent(target);
        InMemoryDatabase copy = original.copy(target, target, password());
        databases.put(target, copy);
        return copy.connection();
    }

    @Override
    public void dump(String name, Path target)
    {
        String text;
        synchronized (this) {
            text = existing(name).dump();
        }
        try {
            Files.writeString(target, text);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public DatabaseConnection restoreDump(String name, DumpLoader loader)
    {
        DatabaseConnection connection = create(name);
        try {
            loader.load(name, connection);
        }
        catch (RuntimeException e) {
            drop(name);
            throw e;
        }
        return connection;
    }

    @Override
    public void replaceWithDump(String name, DumpLoader loader, String thenRun)
    {
        InMemoryDatabase replaced = database(name);
        String scratch = name + "_replacing";
        DatabaseConnection connection = create(scratch);
        try {
            loader.load(scratch, connection);
            if (!thenRun.isBlank()) {
                execute(scratch, thenRun, List.of());
            }
        }
        catch (RuntimeException e) {
            drop(scratch);
            throw e;
        }
        synchronized (this) {
            InMemoryDatabase loaded = databases.remove(scratch);
            databases.put(name, loaded.copy(name, replaced.role(), replaced.password()));
        }
    }

    @Override
    public synchronized void snapshot(String name, String snapshotName)
    {
        maybeFail("snapshot", name);
        InMemoryDatabase database = existing(name);
        requireAbsent(snapshotName);
        databases.put(snapshotName, database.copy(snapshotName, database.role(), database.password()));
    }

    @Override
    public synchronized void restoreSnapshot(String snapshotName, String name)
    {
        maybeFail("restoreSnapshot", snapshotName);
        InMemoryDatabase snapshot = existing(snapshotName);
        DatabaseNames.requireValid(name);
        databases.remove(snapshotName);
        // The database's role stays, with the credentials it has now (renewed since the snapshot, perhaps).
        InMemoryDatabase current = databases.get(name);
        String role = current == null ? snapshot.role() : current.role();
        String password = current == null ? snapshot.password() : current.password();
        databases.put(name, snapshot.copy(name, role, password));
    }

    @Override
    public synchronized DatabaseConnection rename(String from, String to)
    {
        maybeFail("rename", from);
        InMemoryDatabase database = existing(from);
        requireAbsent(to);
        databases.remove(from);
        readers.remove(from);
        InMemoryDatabase renamed = database.copy(to, to, password());
        databases.put(to, renamed);
        return renamed.connection();
    }

    @Override
    public synchronized DatabaseConnection renewCredentials(String name)
    {
        maybeFail("renewCredentials", name);
        InMemoryDatabase database = existing(name);
        InMemoryDatabase renewed = database.copy(name, database.role(), password());
        databases.put(name, renewed);
        return renewed.connection();
    }

    /**
     * A page for its catalog and the size of its dump's text: it grows with what is written into it,
     * as a real database's does.
     */
    @Override
    public synchronized long size(String name)
    {
        return 8192 + existing(name).dump().length();
    }

    @Override
    public List<Map<String, Object>> query(String database, String sql, List<?> parameters)
    {
        return statements.run(database(database), sql, parameters);
    }

    @Override
    public int execute(String database, String sql, List<?> parameters)
    {
        List<Map<String, Object>> result = statements.run(database(database), sql, parameters);
        return result.isEmpty() ? 0 : ((Number) result.get(0).getOrDefault("count", 0)).intValue();
    }

    @Override
    public void close()
    {
    }

    private InMemoryDatabase existing(String name)
    {
        DatabaseNames.requireValid(name);
        InMemoryDatabase database = databases.get(name);
        if (database == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + name + " (there are " + new ArrayList<>(databases.keySet()) + ")");
        }
        return database;
    }

    private void requireAbsent(String name)
    {
        DatabaseNames.requireValid(name);
        if (databases.containsKey(name)) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Database " + name + " exists");
        }
    }

    private static String password()
    {
        return RandomSecrets.randomHex(16);
    }
}
