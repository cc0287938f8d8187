package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * The projects' event log of {@link PostgresPlatformStore}. Thread-safe.
 */
final class EventTable
{
    private final Jdbi jdbi;

    EventTable(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    Event appendEvent(Event event)
    {
        return run("append an event to " + event.projectId(), () -> jdbi.withHandle(handle -> handle.createQuery("""
                        INSERT INTO event (project_id, branch, build_id, kind, message, at)
                        VALUES (:project, :branch, :build, :kind, :message, :at)
                        RETURNING *
                        """)
                .bind("project", event.projectId())
                .bind("branch", event.branch().orElse(null))
                .bind("build", event.buildId().orElse(null))
                .bind("kind", event.kind().name())
                .bind("message", event.message())
                .bind("at", Timestamp.from(event.at()))
                .map(EventTable::event)
                .one()));
    }

    List<Event> listEvents(String projectId, Optional<String> branch, int limit)
    {
        return run("list events of " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT * FROM event
                        WHERE project_id = :project AND (CAST(:branch AS text) IS NULL OR branch = :branch)
                        ORDER BY id DESC LIMIT :limit
                        """)
                .bind("project", projectId)
                .bind("branch", branch.orElse(null))
                .bind("limit", limit)
                .map(EventTable::event)
                .list()));
    }

    private static Event event(ResultSet rs, StatementContext context)
            throws SQLException
    {
        long buildId = rs.getLong("build_id");
        Optional<Long> build = rs.wasNull() ? Optional.empty() : Optional.of(buildId);
        return new Event(rs.getLong("id"), rs.getString("project_id"), Optional.ofNullable(rs.getString("branch")), build,
                EventKind.valueOf(rs.getString("kind")), rs.getString("message"), rs.getTimestamp("at").toInstant());
    }
}
