package sh.stagehand.store.postgres.internal;

import org.jdbi.v3.core.statement.Query;
import sh.stagehand.spi.mail.MailMessage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A mail message's columns, as both the caught mail ({@code captured_mail}) and production's queue
 * ({@code outbound_mail}) keep them: the build, the envelope, the parsed parts and the raw message.
 */
public final class MailRows
{
    /** The columns, for an INSERT's list. */
    public static final String COLUMNS = "build_id, envelope_from, envelope_recipients, subject, from_header, to_header, text_body, html_body, raw_message";
    /** The parameters, in the same order, for its VALUES. */
    public static final String VALUES = ":build, :envelopeFrom, :recipients, :subject, :from, :to, :text, :html, :raw";

    private MailRows() {}

    public static Query bind(Query query, MailMessage message)
    {
        query.bind("build", message.buildId())
                .bind("envelopeFrom", message.envelopeFrom())
                .bind("recipients", message.envelopeRecipients().toArray(String[]::new))
                .bind("subject", message.subject())
                .bind("from", message.from())
                .bind("to", message.to())
                .bind("text", message.textBody().orElse(null))
                .bind("html", message.htmlBody().orElse(null))
                .bind("raw", message.rawMessage());
        return query;
    }

    public static MailMessage message(ResultSet rs)
            throws SQLException
    {
        return new MailMessage(
                rs.getString("build_id"),
                rs.getString("envelope_from"),
                List.of((String[]) rs.getArray("envelope_recipients").getArray()),
                rs.getBytes("raw_message"),
                rs.getString("subject"),
                rs.getString("from_header"),
                rs.getString("to_header"),
                Optional.ofNullable(rs.getString("text_body")),
                Optional.ofNullable(rs.getString("html_body")));
    }
}
