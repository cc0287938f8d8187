package sh.stagehand.store.postgres.internal;

import org.jdbi.v3.core.statement.Query;
import sh.stagehand.spi.mail.MailMessage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import static sh.stagehand.store.postgres.internal.Columns.strings;

/**
 * A mail message's columns, as both the caught mail ({@code captured_mail}) and production's queue
 * ({@code outbound_mail}) keep them: the build, the envelope, the parsed parts and the raw message.
 */
public final class MailRows
{
    /** The columns, for an INSERT's list. */
    public static final String COLUMNS = "build_id, envelope_from, envelope_recipients, subject, from_header, to_header, text_body, html_body, raw_message";
    /** The parameters, in the same order, for its VALUES: the message's own accessors. */
    public static final String VALUES = ":buildId, :envelopeFrom, :envelopeRecipients, :subject, :from, :to, :textBody, :htmlBody, :rawMessage";

    private MailRows() {}

    public static Query bind(Query query, MailMessage message)
    {
        return query.bindMethods(message)
                .bind("envelopeRecipients", message.envelopeRecipients().toArray(String[]::new));
    }

    public static MailMessage message(ResultSet rs)
            throws SQLException
    {
        return new MailMessage(
                rs.getString("build_id"),
                rs.getString("envelope_from"),
                strings(rs, "envelope_recipients"),
                rs.getBytes("raw_message"),
                rs.getString("subject"),
                rs.getString("from_header"),
                rs.getString("to_header"),
                Optional.ofNullable(rs.getString("text_body")),
                Optional.ofNullable(rs.getString("html_body")));
    }
}
