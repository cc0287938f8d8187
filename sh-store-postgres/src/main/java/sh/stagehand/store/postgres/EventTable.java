package sh.stagehand.store.postgres;

import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.store.postgres.internal.MetadataStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.Columns.instant;
import static sh.stagehand.store.postgres.internal.Columns.optionalLong;

/**
 * The projects' event log of {@link PostgresPlatformStore}. Thread-safe.
 */
final class EventTable
{
    private final MetadataStatements statements;

    EventTable(MetadataStatements statements)
    {
        this.statements = requireNonNull(statements, "statements is null");
    }

    Event appendEvent(Event event)
    {
        return statements.one("append an event to " + event.projectId(), """
                        INSERT INTO event (project_id, branch, build_id, kind, message, at)
                        VALUES (:projectId, :branch, :buildId, :kind, :message, :at)
                        RETURNING *
                        """,
                query -> query.bindMethods(event), EventTable::event);
    }

    List<Event> listEvents(String projectId, Optional<String> branch, int limit)
    {
        return statements.list("list events of " + projectId, """
                        SELECT * FROM event
                        WHERE project_id = :project AND (CAST(:branch AS text) IS NULL OR branch = :branch)
                        ORDER BY id DESC LIMIT :limit
                        """,
                query -> query.bind("project", projectId).bind("branch", branch.orElse(null)).bind("limit", limit), EventTable::event);
    }

    private static Event event(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new Event(rs.getLong("id"), rs.getString("project_id"), Optional.ofNullable(rs.getString("branch")), optionalLong(rs, "build_id"),
                EventKind.valueOf(rs.getString("kind")), rs.getString("message"), instant(rs, "at"));
    }
}
