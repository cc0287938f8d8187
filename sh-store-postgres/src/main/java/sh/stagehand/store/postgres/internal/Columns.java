package sh.stagehand.store.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads a metadata row's columns as the model keeps them: timestamps as instants, a NULL as
 * empty, a text array as a list.
 */
public final class Columns
{
    private Columns() {}

    public static Instant instant(ResultSet rs, String column)
            throws SQLException
    {
        return rs.getTimestamp(column).toInstant();
    }

    public static Optional<Instant> optionalInstant(ResultSet rs, String column)
            throws SQLException
    {
        return Optional.ofNullable(rs.getTimestamp(column)).map(Timestamp::toInstant);
    }

    public static Optional<Long> optionalLong(ResultSet rs, String column)
            throws SQLException
    {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(value);
    }

    public static Optional<Integer> optionalInt(ResultSet rs, String column)
            throws SQLException
    {
        int value = rs.getInt(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(value);
    }

    public static List<String> strings(ResultSet rs, String column)
            throws SQLException
    {
        return List.of((String[]) rs.getArray(column).getArray());
    }
}
