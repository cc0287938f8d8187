package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.store.postgres.internal.MailRows;
import sh.stagehand.store.postgres.internal.MetadataDatabase;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * Captured mail kept in the platform's metadata database ({@code mail.type=postgres}): the raw
 * message byte for byte, and its parsed parts for listing. Thread-safe.
 */
public final class PostgresMailSink
        implements MailSink
{
    private final MetadataDatabase database;
    private final Jdbi jdbi;
    private final Clock clock;

    /**
     * @param secrets the platform's, which the metadata database's migrations need (it keeps no
     *         secret of its own: mail is the tenant's content, not the platform's credentials)
     */
    public PostgresMailSink(PostgresConfig config, SecretBox secrets, Clock clock)
    {
        this.database = new MetadataDatabase(requireNonNull(config, "config is null"), "stagehand-mail", requireNonNull(secrets, "secrets is null"));
        this.jdbi = database.jdbi();
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public CapturedMail accept(MailMessage message)
    {
        return run("keep a mail of build " + message.buildId(), () -> jdbi.withHandle(handle -> MailRows.bind(handle.createQuery(
                                "INSERT INTO captured_mail (received_at, " + MailRows.COLUMNS + ") VALUES (:at, " + MailRows.VALUES + ") RETURNING *"), message)
                .bind("at", Timestamp.from(clock.instant()))
                .map(PostgresMailSink::capturedMail)
                .one()));
    }

    @Override
    public List<CapturedMail> list(String buildId)
    {
        return run("list the mail of build " + buildId, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM captured_mail WHERE build_id = :build ORDER BY id")
                .bind("build", buildId)
                .map(PostgresMailSink::capturedMail)
                .list()));
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
        return run("read mail " + id, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM captured_mail WHERE id = :id")
                .bind("id", numericId)
                .map(PostgresMailSink::capturedMail)
                .findOne()));
    }

    @Override
    public int purge(String buildId)
    {
        return run("purge the mail of build " + buildId, () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM captured_mail WHERE build_id = :build")
                .bind("build", buildId)
                .execute()));
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
        return new CapturedMail(Long.toString(rs.getLong("id")), rs.getTimestamp("received_at").toInstant(), message);
    }
}
