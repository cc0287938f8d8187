package sh.stagehand.store.postgres.internal;

import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.Update;
import sh.stagehand.spi.StagehandException;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.isUniqueViolation;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * The metadata database's statements, each one action ({@link MetadataDatabase#run}) on a
 * connection of its own: a store says only the action, the SQL, its parameters and how a row
 * maps. Thread-safe.
 */
public final class MetadataStatements
{
    private final Jdbi jdbi;

    public MetadataStatements(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    /**
     * @return the row the query finds, if any
     */
    public <T> Optional<T> findOne(String action, String sql, Consumer<Query> parameters, RowMapper<T> mapper)
    {
        return run(action, () -> jdbi.withHandle(handle -> bound(handle.createQuery(sql), parameters).map(mapper).findOne()));
    }

    /**
     * @return the one row the query returns (an {@code INSERT … RETURNING *}, say)
     */
    public <T> T one(String action, String sql, Consumer<Query> parameters, RowMapper<T> mapper)
    {
        return run(action, () -> jdbi.withHandle(handle -> bound(handle.createQuery(sql), parameters).map(mapper).one()));
    }

    public <T> List<T> list(String action, String sql, Consumer<Query> parameters, RowMapper<T> mapper)
    {
        return run(action, () -> jdbi.withHandle(handle -> bound(handle.createQuery(sql), parameters).map(mapper).list()));
    }

    public <T> List<T> list(String action, String sql, RowMapper<T> mapper)
    {
        return list(action, sql, query -> {}, mapper);
    }

    /**
     * @return how many rows the statement changed
     */
    public int update(String action, String sql, Consumer<Update> parameters)
    {
        return run(action, () -> jdbi.withHandle(handle -> bound(handle.createUpdate(sql), parameters).execute()));
    }

    /**
     * An update that may break a unique constraint, which {@code duplicate} then explains.
     *
     * @return how many rows the statement changed
     */
    public int update(String action, String sql, Consumer<Update> parameters, Function<JdbiException, StagehandException> duplicate)
    {
        return run(action, () -> jdbi.withHandle(handle -> execute(bound(handle.createUpdate(sql), parameters), duplicate)));
    }

    /**
     * Runs statements that belong together in one transaction.
     */
    public <T> T inTransaction(String action, HandleCallback<T, RuntimeException> statements)
    {
        return run(action, () -> jdbi.inTransaction(statements));
    }

    /**
     * Executes an update that may break a unique constraint, which {@code duplicate} then explains.
     *
     * @return how many rows the statement changed
     */
    public static int execute(Update update, Function<JdbiException, StagehandException> duplicate)
    {
        try {
            return update.execute();
        }
        catch (JdbiException e) {
            if (isUniqueViolation(e)) {
                throw duplicate.apply(e);
            }
            throw e;
        }
    }

    private static <S extends SqlStatement<S>> S bound(S statement, Consumer<S> parameters)
    {
        parameters.accept(statement);
        return statement;
    }
}
