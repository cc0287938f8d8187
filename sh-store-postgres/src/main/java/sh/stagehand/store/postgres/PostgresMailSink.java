package sh.stagehand.store.postgres;

import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.store.postgres.internal.MailRows;
import sh.stagehand.store.postgres.internal.MetadataDatabase;
import sh.stagehand.store.postgres.internal.MetadataStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.Columns.instant;

/**
 * Captured mail kept in the platform's metadata database ({@code mail.type=postgres}): the raw
 * message byte for byte, and its parsed parts for listing. Thread-safe.
 */
public final class PostgresMailSink
        implements MailSink
{
    private final MetadataDatabase database;
    private final MetadataStatements statements;
    private final Clock clock;

    /**
     * @param secrets the platform's, which the metadata database's migrations need (it keeps no
     *         secret of its own: mail is the tenant's content, not the platform's credentials)
     */
    public PostgresMailSink(PostgresConfig config, SecretBox secrets, Clock clock)
    {
        this.database = new MetadataDatabase(requireNonNull(config, "config is null"), "stagehand-mail", requireNonNull(secrets, "secrets is null"));
        this.statements = database.statements();
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public CapturedMail accept(MailMessage message)
    {
        return statements.one("keep a mail of build " + message.buildId(),
                "INSERT INTO captured_mail (received_at, " + MailRows.COLUMNS + ") VALUES (:at, " + MailRows.VALUES + ") RETURNING *",
                query -> MailRows.bind(query, message).bind("at", Timestamp.from(clock.instant())), PostgresMailSink::capturedMail);
    }

    @Override
    public List<CapturedMail> list(String buildId)
    {
        return statements.list("list the mail of build " + buildId, "SELECT * FROM captured_mail WHERE build_id = :build ORDER BY id",
                query -> query.bind("build", buildId), PostgresMailSink::capturedMail);
    }

    @Override
    public Optional<CapturedMail> get(String id)
    {
        long numericId;
        try {
            numericId = Long.parseLong(id);
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
        return statements.findOne("read mail " + id, "SELECT * FROM captured_mail WHERE id = :id", query -> query.bind("id", numericId), PostgresMailSink::capturedMail);
    }

    @Override
    public int purge(String buildId)
    {
        return statements.update("purge the mail of build " + buildId, "DELETE FROM captured_mail WHERE build_id = :build", update -> update.bind("build", buildId));
    }

    @Override
    public void close()
    {
        database.close();
    }

    private static CapturedMail capturedMail(ResultSet rs, StatementContext context)
            throws SQLException
    {
        MailMessage message = MailRows.message(rs);
        return new CapturedMail(Long.toString(rs.getLong("id")), instant(rs, "received_at"), message);
    }
}
