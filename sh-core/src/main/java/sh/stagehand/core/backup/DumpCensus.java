package sh.stagehand.core.backup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 */
final class DumpCensus
{
    private static final Pattern COPY = Pattern.compile("COPY (.+?) \\(.*\\) FROM stdin;");

    private DumpCensus() {}

    static Map<String, Long> rows(Path dump)
            throws IOException
    {
        Map<String, Long> rows = new TreeMap<>();
        // ISO-8859-1 maps every byte to a character: no line is mangled, whatever the encoding.
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(dump), StandardCharsets.ISO_8859_1), 1 << 16)) {
            String table = null;
            long count = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (table == null) {
                    Matcher matcher = COPY.matcher(line);
                    if (matcher.matches()) {
                        table = matcher.group(1);
                        count = 0;
                    }
                }
                else if (line.equals("\\.")) {
                    rows.put(table, count);
                    table = null;
                }
                else {
                    count++;
                }
            }
        }
        return rows;
    }
}
