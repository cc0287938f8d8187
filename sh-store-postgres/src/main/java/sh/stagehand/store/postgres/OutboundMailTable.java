package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.store.postgres.internal.MailRows;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * Production's queue of outbound mail, of {@link PostgresPlatformStore}: each mail with its
 * delivery attempts. Thread-safe.
 */
final class OutboundMailTable
{
    private final Jdbi jdbi;

    OutboundMailTable(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    OutboundMail enqueue(String projectId, MailMessage message, Instant at)
    {
        return run("queue a mail of build " + message.buildId(), () -> jdbi.withHandle(handle -> MailRows.bind(handle.createQuery(
                                "INSERT INTO outbound_mail (project_id, queued_at, state, next_attempt_at, " + MailRows.COLUMNS + ") "
                                        + "VALUES (:project, :at, 'QUEUED', :at, " + MailRows.VALUES + ") RETURNING *"), message)
                .bind("project", projectId)
                .bind("at", Timestamp.from(at))
                .map(OutboundMailTable::outboundMail)
                .one()));
    }

    List<OutboundMail> dueMail(Instant now, int limit)
    {
        return run("read the due production mail", () -> jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT * FROM outbound_mail WHERE state = 'QUEUED' AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit
                        """)
                .bind("now", Timestamp.from(now))
                .bind("limit", limit)
                .map(OutboundMailTable::outboundMail)
                .list()));
    }

    int makeAllDue(Instant now)
    {
        return run("make the queued production mail due", () -> jdbi.withHandle(handle -> handle.createUpdate("UPDATE outbound_mail SET next_attempt_at = :now WHERE state = 'QUEUED'")
                .bind("now", Timestamp.from(now))
                .execute()));
    }

    void recordAttempt(long id, OutboundMail.State state, Optional<Instant> nextAttemptAt, Optional<String> error, Optional<Instant> finishedAt)
    {
        int updated = run("record a delivery of production mail " + id, () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE outbound_mail SET state = :state, attempts = attempts + 1, next_attempt_at = :next, last_error = :error, finished_at = :finished
                        WHERE id = :id
                        """)
                .bind("id", id)
                .bind("state", state.name())
                .bind("next", nextAttemptAt.map(Timestamp::from).orElse(null))
                .bind("error", error.orElse(null))
                .bind("finished", finishedAt.map(Timestamp::from).orElse(null))
                .execute()));
        if (updated == 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No outbound mail " + id);
        }
    }

    List<OutboundMail> listOutboundMail(String projectId, int limit)
    {
        return run("list the production mail of " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM outbound_mail WHERE project_id = :project ORDER BY id DESC LIMIT :limit")
                .bind("project", projectId)
                .bind("limit", limit)
                .map(OutboundMailTable::outboundMail)
                .list()));
    }

    Optional<OutboundMail> findOutboundMail(long id)
    {
        return run("read production mail " + id, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM outbound_mail WHERE id = :id")
                .bind("id", id)
                .map(OutboundMailTable::outboundMail)
                .findOne()));
    }

    private static OutboundMail outboundMail(ResultSet rs, StatementContext context)
            throws SQLException
    {
        MailMessage message = MailRows.message(rs);
        return new OutboundMail(
                rs.getString("project_id"),
                new CapturedMail(Long.toString(rs.getLong("id")), rs.getTimestamp("queued_at").toInstant(), message),
                OutboundMail.State.valueOf(rs.getString("state")),
                rs.getInt("attempts"),
                Optional.ofNullable(rs.getTimestamp("next_attempt_at")).map(Timestamp::toInstant),
                Optional.ofNullable(rs.getString("last_error")),
                Optional.ofNullable(rs.getTimestamp("finished_at")).map(Timestamp::toInstant));
    }
}
