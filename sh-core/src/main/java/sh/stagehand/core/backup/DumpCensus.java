package sh.stagehand.core.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the rows of each table in a plain pg_dump: the lines of each {@code COPY … FROM stdin;}
 * block, up to its {@code \.}. A restored dump must hold as many. Tables are named as pg_dump
 * writes them ({@code public.res_partner}, quoted where it must be).
 *
 * <p>A row is the tenant's data, and may be a line of any length (a text field of a gigabyte): only
 * the start of each line is kept, enough to tell a {@code COPY} or its end, and the rest is counted
 * past.
 */
final class DumpCensus
{
    private static final Pattern COPY = Pattern.compile("COPY (.+?) \\(.*\\) FROM stdin;");

    private DumpCensus() {}

    // Far more than the longest COPY line a table of Odoo's has (its column names).
    private static final int MAX_KEPT_BYTES = 1 << 20;

    static Map<String, Long> rows(Path dump)
            throws IOException
    {
        Census census = new Census();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(dump)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                for (int index = 0; index < read; index++) {
                    census.accept(buffer[index]);
                }
            }
        }
        census.endOfFile();
        return census.rows;
    }

    private static final class Census
    {
        private final Map<String, Long> rows = new TreeMap<>();
        private final byte[] line = new byte[MAX_KEPT_BYTES];
        private long length;
        private String table;
        private long count;

        void accept(byte next)
        {
            if (next == '\n') {
                endOfLine();
            }
            else {
                if (length < line.length) {
                    line[(int) length] = next;
                }
                length++;
            }
        }

        void endOfFile()
        {
            if (length > 0) {
                endOfLine();
            }
        }

        private void endOfLine()
        {
            // A line longer than what is kept is a row: no COPY line, nor its end, is that long.
            boolean whole = length <= line.length;
            int end = (int) Math.min(length, line.length);
            if (whole && end > 0 && line[end - 1] == '\r') {
                end--;
            }
            // ISO-8859-1 maps every byte to a character: no line is mangled, whatever the encoding.
            String text = whole ? new String(line, 0, end, StandardCharsets.ISO_8859_1) : "";
            length = 0;
            if (table == null) {
                Matcher matcher = COPY.matcher(text);
                if (whole && matcher.matches()) {
                    table = matcher.group(1);
                    count = 0;
                }
            }
            else if (whole && text.equals("\\.")) {
                rows.put(table, count);
                table = null;
            }
            else {
                count++;
            }
        }
    }
}
