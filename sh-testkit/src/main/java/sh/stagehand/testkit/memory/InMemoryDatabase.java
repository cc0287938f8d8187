package sh.stagehand.testkit.memory;

import sh.stagehand.spi.database.DatabaseConnection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * One database of an {@link InMemoryDatabaseProvider}: tables of rows (column to value, in
 * insertion order), owned by a role with a password. A copy shares nothing with its original.
 * Thread-safe.
 */
public final class InMemoryDatabase
{
    private final String name;
    private final String role;
    private final String password;
    private final Map<String, List<Map<String, Object>>> tables = new TreeMap<>();

    InMemoryDatabase(String name, String role, String password)
    {
        this.name = requireNonNull(name, "name is null");
        this.role = requireNonNull(role, "role is null");
        this.password = requireNonNull(password, "password is null");
    }

    public String name()
    {
        return name;
    }

    public String role()
    {
        return role;
    }

    public String password()
    {
        return password;
    }

    public DatabaseConnection connection()
    {
        return new DatabaseConnection("127.0.0.1", 5432, role, password);
    }

    /**
     * @return copies of the table's rows that match, in insertion order; none for a missing table
     */
    public synchronized List<Map<String, Object>> select(String table, Predicate<Map<String, Object>> where)
    {
        return tables.getOrDefault(table, List.of()).stream()
                .filter(where)
                .map(row -> (Map<String, Object>) new LinkedHashMap<>(row))
                .toList();
    }

    public synchronized void insert(String table, Map<String, Object> row)
    {
        tables.computeIfAbsent(table, ignored -> new ArrayList<>()).add(new LinkedHashMap<>(row));
    }

    /**
     * Sets {@code values} in the rows that match.
     *
     * @return how many rows matched
     */
    public synchronized int update(String table, Predicate<Map<String, Object>> where, Map<String, Object> values)
    {
        List<Map<String, Object>> matching = tables.getOrDefault(table, List.of()).stream().filter(where).toList();
        matching.forEach(row -> row.putAll(values));
        return matching.size();
    }

    /**
     * Sets {@code values} in the rows that match, or inserts them as a new row when none does.
     */
    public synchronized void upsert(String table, Predicate<Map<String, Object>> where, Map<String, Object> values)
    {
        List<Map<String, Object>> rows = tables.computeIfAbsent(table, ignored -> new ArrayList<>());
        List<Map<String, Object>> matching = rows.stream().filter(where).toList();
        if (matching.isEmpty()) {
            rows.add(new LinkedHashMap<>(values));
        }
        matching.forEach(row -> row.putAll(values));
    }

    /**
     * @return how many rows were deleted
     */
    public synchronized int delete(String table, Predicate<Map<String, Object>> where)
    {
        List<Map<String, Object>> rows = tables.getOrDefault(table, new ArrayList<>());
        int before = rows.size();
        rows.removeIf(where);
        return before - rows.size();
    }

    /**
     * @return a deep copy of every table, by name, for comparing one moment with another
     */
    public synchronized Map<String, List<Map<String, Object>>> tables()
    {
        Map<String, List<Map<String, Object>>> copy = new TreeMap<>();
        tables.forEach((table, rows) -> copy.put(table, rows.stream().map(row -> (Map<String, Object>) new LinkedHashMap<>(row)).toList()));
        return copy;
    }

    /**
     * The whole content as a plain {@code pg_dump} lays out rows: a {@code COPY} block a table.
     */
    public synchronized String dump()
    {
        StringBuilder text = new StringBuilder("-- in-memory dump of ").append(name).append('\n');
        tables.forEach((table, rows) -> {
            List<String> columns = rows.stream().flatMap(row -> row.keySet().stream()).distinct().toList();
            text.append("COPY public.").append(table).append(" (").append(String.join(", ", columns)).append(") FROM stdin;\n");
            for (Map<String, Object> row : rows) {
                text.append(columns.stream().map(column -> String.valueOf(row.getOrDefault(column, "\\N"))).collect(Collectors.joining("\t"))).append('\n');
            }
            text.append("\\.\n\n");
        });
        return text.toString();
    }

    synchronized InMemoryDatabase copy(String newName, String newRole, String newPassword)
    {
        InMemoryDatabase copy = new InMemoryDatabase(newName, newRole, newPassword);
        tables.forEach((table, rows) -> rows.forEach(row -> copy.insert(table, row)));
        return copy;
    }
}
