package sh.stagehand.store.postgres;

import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.store.postgres.internal.MailRows;
import sh.stagehand.store.postgres.internal.MetadataStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.Columns.instant;
import static sh.stagehand.store.postgres.internal.Columns.optionalInstant;

/**
 * Production's queue of outbound mail, of {@link PostgresPlatformStore}: each mail with its
 * delivery attempts. Thread-safe.
 */
final class OutboundMailTable
{
    private final MetadataStatements statements;

    OutboundMailTable(MetadataStatements statements)
    {
        this.statements = requireNonNull(statements, "statements is null");
    }

    OutboundMail enqueue(String projectId, MailMessage message, Instant at)
    {
        return statements.one("queue a mail of build " + message.buildId(),
                "INSERT INTO outbound_mail (project_id, queued_at, state, next_attempt_at, " + MailRows.COLUMNS + ") "
                        + "VALUES (:project, :at, 'QUEUED', :at, " + MailRows.VALUES + ") RETURNING *",
                query -> MailRows.bind(query, message).bind("project", projectId).bind("at", Timestamp.from(at)), OutboundMailTable::outboundMail);
    }

    List<OutboundMail> dueMail(Instant now, int limit)
    {
        return statements.list("read the due production mail", """
                        SELECT * FROM outbound_mail WHERE state = 'QUEUED' AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit
                        """,
                query -> query.bind("now", Timestamp.from(now)).bind("limit", limit), OutboundMailTable::outboundMail);
    }

    int makeAllDue(Instant now)
    {
        return statements.update("make the queued production mail due", "UPDATE outbound_mail SET next_attempt_at = :now WHERE state = 'QUEUED'",
                update -> update.bind("now", Timestamp.from(now)));
    }

    void recordAttempt(long id, OutboundMail.State state, Optional<Instant> nextAttemptAt, Optional<String> error, Optional<Instant> finishedAt)
    {
        int updated = statements.update("record a delivery of production mail " + id, """
                        UPDATE outbound_mail SET state = :state, attempts = attempts + 1, next_attempt_at = :next, last_error = :error, finished_at = :finished
                        WHERE id = :id
                        """,
                update -> update.bind("id", id)
                        .bind("state", state.name())
                        .bind("next", nextAttemptAt.map(Timestamp::from).orElse(null))
                        .bind("error", error.orElse(null))
                        .bind("finished", finishedAt.map(Timestamp::from).orElse(null)));
        if (updated == 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No outbound mail " + id);
        }
    }

    List<OutboundMail> listOutboundMail(String projectId, int limit)
    {
        return statements.list("list the production mail of " + projectId, "SELECT * FROM outbound_mail WHERE project_id = :project ORDER BY id DESC LIMIT :limit",
                query -> query.bind("project", projectId).bind("limit", limit), OutboundMailTable::outboundMail);
    }

    Optional<OutboundMail> findOutboundMail(long id)
    {
        return statements.findOne("read production mail " + id, "SELECT * FROM outbound_mail WHERE id = :id", query -> query.bind("id", id), OutboundMailTable::outboundMail);
    }

    private static OutboundMail outboundMail(ResultSet rs, StatementContext context)
            throws SQLException
    {
        MailMessage message = MailRows.message(rs);
        return new OutboundMail(
                rs.getString("project_id"),
                new CapturedMail(Long.toString(rs.getLong("id")), instant(rs, "queued_at"), message),
                OutboundMail.State.valueOf(rs.getString("state")),
                rs.getInt("attempts"),
                optionalInstant(rs, "next_attempt_at"),
                Optional.ofNullable(rs.getString("last_error")),
                optionalInstant(rs, "finished_at"));
    }
}
