package sh.stagehand.core.odoo;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The first line of one record of Odoo's log:
 * {@code 2024-05-02 10:15:42,123 4711 INFO acme-main-1 odoo.modules.loading: Modules loaded.}
 * The lines that follow a record without this form (a traceback, a multi-line message) belong to
 * it; {@link LogAnalyzer} attaches them.
 *
 * @param timestamp the server's local time, as Odoo writes it (without a zone)
 * @param pid the process that logged it
 * @param level Odoo's level name: {@code DEBUG}, {@code INFO}, {@code WARNING}, {@code ERROR}, {@code CRITICAL}
 * @param database the database the record concerns; empty when Odoo writes {@code ?}
 * @param logger the Python logger, e.g. {@code odoo.addons.sale.tests.test_sale_order}
 * @param message the message's first line
 */
public record OdooLogLine(LocalDateTime timestamp, long pid, String level, Optional<String> database, String logger, String message)
{
    private static final Pattern LINE = Pattern.compile("(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}) (\\d{1,18}) ([A-Z_]+) (\\S+) (\\S+?):(?: (.*))?");
    // Odoo colours the level when it logs to a terminal.
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss,SSS").withResolverStyle(ResolverStyle.STRICT);

    public OdooLogLine
    {
        requireNonNull(timestamp, "timestamp is null");
        requireNonNull(level, "level is null");
        requireNonNull(database, "database is null");
        requireNonNull(logger, "logger is null");
        requireNonNull(message, "message is null");
    }

    /**
     * @return the record this line starts, or empty for a line that continues the previous record
     */
    public static Optional<OdooLogLine> parse(String line)
    {
        requireNonNull(line, "line is null");
        Matcher matcher = LINE.matcher(withoutColors(line).stripTrailing());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        LocalDateTime timestamp;
        try {
            timestamp = LocalDateTime.parse(matcher.group(1), TIMESTAMP);
        }
        catch (DateTimeParseException e) {
            return Optional.empty();
        }
        String database = matcher.group(4);
        return Optional.of(new OdooLogLine(
                timestamp,
                Long.parseLong(matcher.group(2)),
                matcher.group(3),
                database.equals("?") ? Optional.empty() : Optional.of(database),
                matcher.group(5),
                matcher.group(6) == null ? "" : matcher.group(6)));
    }

    /**
     * {@code ERROR} or {@code CRITICAL}: a failed build.
     */
    public boolean isError()
    {
        return level.equals("ERROR") || level.equals("CRITICAL");
    }

    public boolean isWarning()
    {
        return level.equals("WARNING");
    }

    static String withoutColors(String line)
    {
        return line.indexOf('\u001B') < 0 ? line : ANSI_ESCAPE.matcher(line).replaceAll("");
    }
}
