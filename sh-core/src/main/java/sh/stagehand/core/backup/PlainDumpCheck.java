package sh.stagehand.core.backup;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Reads a plain SQL dump as {@code psql} will, and refuses one in which {@code psql} would run a
 * command of its own: a backslash outside a string, a quoted identifier, a comment or a
 * {@code COPY}'s data starts a meta-command ({@code \!} runs a shell command, {@code \o} writes a
 * file, {@code \c} connects elsewhere), which pg_dump never writes but for its {@code restrict}
 * and {@code unrestrict} key lines (each a backslash, the word and the key). A dump is a tenant's
 * content, and this check gives its sender a plain answer, naming the line, before anything
 * changes; the guarantee is elsewhere: {@link ContainerDumpLoader} runs psql in its restricted
 * mode under a key of the platform's, which refuses every meta-command, and in a throw-away
 * container.
 *
 * <p>It follows {@code psql}'s lexer ({@code src/fe_utils/psqlscan.l}): standard strings,
 * {@code E'…'} strings with backslash escapes, quoted identifiers, dollar quotes ({@code $tag$}),
 * {@code --} and nested block comments, statements ending at {@code ;}, and after a
 * {@code COPY … FROM STDIN} statement the data lines up to {@code \.}, which psql reads from the line
 * after the statement's. Standard strings are read as pg_dump writes them, with
 * {@code standard_conforming_strings} on (a backslash is a character); a file that sets it otherwise
 * is refused, since psql would then read strings, and so commands, elsewhere. What could still
 * change it unseen (a function called by the dump) is for the other wall: the check gives the
 * sender a plain answer naming the line, the container keeps the host safe. Not thread-safe: one
 * per check.
 */
public final class PlainDumpCheck
{
    private static final Pattern RESTRICT_LINE = Pattern.compile("\\\\(un)?restrict [A-Za-z0-9]+\r?");
    private static final int END = -1;

    private final Reader in;
    private final String fileName;
    // The statement's last two words outside quotes and comments, and its first: enough to tell a
    // COPY … FROM STDIN, whose data psql then reads from the lines after it.
    private final StringBuilder word = new StringBuilder();
    private String firstWord = "";
    private String previousWord = "";
    private String lastWord = "";
    private int words;
    private boolean copyFromStdin;
    private boolean standardStringsSet;
    private int copiesPending;

    private PlainDumpCheck(InputStream in, String fileName)
    {
        this.in = new Reader(in);
        this.fileName = requireNonNull(fileName, "fileName is null");
    }

    /**
     * @param displayName the name the sender knows the file by, for the message
     * @throws StagehandException {@code INVALID_ARGUMENT} naming the line of the first command psql
     *         would run, or of an ambiguous string
     */
    public static void requireNoMetaCommands(Path dump, String displayName)
    {
        try (InputStream in = Files.newInputStream(dump)) {
            new PlainDumpCheck(in, displayName).run();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + displayName + " to check it: " + e.getMessage(), e);
        }
    }

    static void requireNoMetaCommands(String sql, String displayName)
    {
        try {
            new PlainDumpCheck(new ByteArrayInputStream(sql.getBytes(StandardCharsets.UTF_8)), displayName).run();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run()
            throws IOException
    {
        for (int c = in.read(); c != END; c = in.read()) {
            if (c == 0) {
                throw refused("holds a NUL byte, after which psql reads nothing of its line");
            }
            // '$' continues an identifier (a$b), never a number (1$a$ is 1, then a dollar quote).
            if (isWordCharacter(c) && !(c == '$' && (word.isEmpty() || Character.isDigit(word.charAt(0))))) {
                word.append((char) c);
                continue;
            }
            boolean escapeString = c == '\'' && word.length() == 1 && Character.toUpperCase(word.charAt(0)) == 'E';
            endWord();
            switch (c) {
                case '\'' -> skipString(escapeString);
                case '"' -> skipQuotedIdentifier();
                case '-' -> {
                    if (in.peek() == '-') {
                        skipLineComment();
                    }
                }
                case '/' -> {
                    if (in.peek() == '*') {
                        in.read();
                        skipBlockComment();
                    }
                }
                case '$' -> skipDollarQuoteIfAny();
                case ';' -> endStatement();
                case '\\' -> metaCommand();
                case '\n' -> skipCopyData();
                default -> {
                    // an operator, a parenthesis, white space: nothing psql acts on
                }
            }
        }
    }

    private void skipString(boolean escapes)
            throws IOException
    {
        for (int c = in.read(); c != END; c = in.read()) {
            if (c == '\\' && escapes) {
                in.read();
            }
            else if (c == '\'') {
                if (in.peek() != '\'') {
                    return;
                }
                in.read();
            }
        }
    }

    private void skipQuotedIdentifier()
            throws IOException
    {
        StringBuilder name = new StringBuilder();
        for (int c = in.read(); c != END; c = in.read()) {
            if (c == '"') {
                if (in.peek() != '"') {
                    break;
                }
                in.read();
            }
            if (name.length() < 64) {
                name.append((char) c);
            }
        }
        // A setting may be named in quotes too (SET "standard_conforming_strings" = off).
        if (name.toString().toUpperCase(Locale.ROOT).equals("STANDARD_CONFORMING_STRINGS")) {
            standardStringsSet = true;
            words++;
        }
    }

    // psql's lexer ends a comment at a line feed or a carriage return.
    private void skipLineComment()
            throws IOException
    {
        while (in.peek() != END && in.peek() != '\n' && in.peek() != '\r') {
            in.read();
        }
    }

    private void skipBlockComment()
            throws IOException
    {
        int depth = 1;
        for (int c = in.read(); c != END; c = in.read()) {
            if (c == '/' && in.peek() == '*') {
                in.read();
                depth++;
            }
            else if (c == '*' && in.peek() == '/') {
                in.read();
                if (--depth == 0) {
                    return;
                }
            }
        }
    }

    // $tag$ … $tag$ (or $$ … $$); a '$' followed by a digit is a parameter, and one that does not
    // close its tag is an operator character, as psql lexes them: what follows it is read again.
    private void skipDollarQuoteIfAny()
            throws IOException
    {
        StringBuilder tag = new StringBuilder("$");
        int offset = 0;
        if (in.peekAt(0) != END && Character.isDigit(in.peekAt(0))) {
            return;
        }
        while (in.peekAt(offset) != END && isWordCharacter(in.peekAt(offset)) && in.peekAt(offset) != '$') {
            tag.append((char) in.peekAt(offset++));
            if (tag.length() > 64) {
                return;
            }
        }
        if (in.peekAt(offset) != '$') {
            return;
        }
        for (int i = 0; i <= offset; i++) {
            in.read();
        }
        tag.append('$');
        String delimiter = tag.toString();
        int matched = 0;
        for (int c = in.read(); c != END; c = in.read()) {
            if (c == delimiter.charAt(matched)) {
                if (++matched == delimiter.length()) {
                    return;
                }
            }
            else {
                matched = c == '$' ? 1 : 0;
            }
        }
    }

    private void metaCommand()
            throws IOException
    {
        long line = in.line();
        boolean atLineStart = in.column() == 1;
        StringBuilder text = new StringBuilder("\\");
        boolean whole = true;
        while (in.peek() != END && in.peek() != '\n') {
            int c = in.read();
            if (text.length() < 256) {
                text.append((char) c);
            }
            else {
                whole = false;
            }
        }
        if (atLineStart && whole && RESTRICT_LINE.matcher(text).matches()) {
            // pg_dump's key lines: psql refuses every other meta-command until the key's unrestrict line.
            return;
        }
        String command = text.toString().split("[\\s\r]", 2)[0];
        throw refused(line, "holds the psql command '" + printable(command) + "', which psql would run on the machine restoring the dump");
    }

    private void skipCopyData()
            throws IOException
    {
        while (copiesPending > 0) {
            if (in.peek() == END) {
                return;
            }
            StringBuilder start = new StringBuilder();
            int c;
            while ((c = in.read()) != END && c != '\n') {
                if (start.length() < 4) {
                    start.append((char) c);
                }
            }
            String text = start.toString();
            if (text.equals("\\.") || text.equals("\\.\r")) {
                copiesPending--;
            }
        }
    }

    private void endStatement()
            throws IOException
    {
        // pg_dump's own "SET standard_conforming_strings = on;" (three words) is the only one allowed.
        if (standardStringsSet && !(firstWord.equals("SET") && lastWord.equals("ON") && words == 3)) {
            throw refused("sets standard_conforming_strings otherwise than pg_dump does (on): psql would then read strings, and commands, elsewhere than this check");
        }
        standardStringsSet = false;
        words = 0;
        // Data follows only a statement that ends "FROM stdin", as pg_dump writes it: a COPY whose
        // query names a table stdin (COPY (SELECT … FROM stdin) TO STDOUT) reads none.
        copyFromStdin = firstWord.equals("COPY") && previousWord.equals("FROM") && lastWord.equals("STDIN");
        if (copyFromStdin) {
            copiesPending++;
            // psql reads the data from the next line on, then lexes what is left of this one: text
            // there would be read in another order than the file's. pg_dump writes none.
            while (in.peek() == ' ' || in.peek() == '\t' || in.peek() == '\r') {
                in.read();
            }
            if (in.peek() == '-') {
                in.read();
                if (in.peek() != '-') {
                    throw refused("goes on after a COPY … FROM stdin; statement, whose data starts on the next line");
                }
                skipLineComment();
            }
            else if (in.peek() != '\n' && in.peek() != END) {
                throw refused("goes on after a COPY … FROM stdin; statement, whose data starts on the next line");
            }
        }
        firstWord = "";
        previousWord = "";
        lastWord = "";
        copyFromStdin = false;
    }

    private void endWord()
    {
        if (word.isEmpty()) {
            return;
        }
        String current = word.toString().toUpperCase(Locale.ROOT);
        word.setLength(0);
        words++;
        if (current.equals("STANDARD_CONFORMING_STRINGS")) {
            standardStringsSet = true;
        }
        if (firstWord.isEmpty()) {
            firstWord = current;
        }
        previousWord = lastWord;
        lastWord = current;
    }

    private static boolean isWordCharacter(int c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
    }

    private static String printable(String text)
    {
        StringBuilder printable = new StringBuilder();
        for (char c : text.toCharArray()) {
            printable.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return printable.length() > 20 ? printable.substring(0, 20) + "…" : printable.toString();
    }

    private StagehandException refused(String what)
    {
        return refused(in.line(), what);
    }

    private StagehandException refused(long line, String what)
    {
        return new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Refused " + fileName + ": line " + line + " " + what
                + ". A dump made by pg_dump or by Odoo's database manager has no such line, and nothing was imported; send one of those");
    }

    // Bytes with one of look-ahead, counting lines. All of psql's syntax is ASCII, and every
    // encoding a dump may be in keeps ASCII bytes for ASCII characters (pg_dump writes UTF8).
    private static final class Reader
    {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int position;
        private int limit;
        private long line = 1;
        private long column;

        Reader(InputStream in)
        {
            this.in = in;
        }

        int read()
                throws IOException
        {
            int c = peek();
            if (c != END) {
                position++;
                if (c == '\n') {
                    line++;
                    column = 0;
                }
                else {
                    column++;
                }
            }
            return c;
        }

        int peek()
                throws IOException
        {
            return peekAt(0);
        }

        // The byte offset places after the next, without reading it (offset below 1024).
        int peekAt(int offset)
                throws IOException
        {
            while (limit - position <= offset) {
                if (position > 0) {
                    System.arraycopy(buffer, position, buffer, 0, limit - position);
                    limit -= position;
                    position = 0;
                }
                int read = in.read(buffer, limit, buffer.length - limit);
                if (read <= 0) {
                    return END;
                }
                limit += read;
            }
            return buffer[position + offset] & 0xff;
        }

        // The line of the character read last.
        long line()
        {
            return column == 0 ? line - 1 : line;
        }

        // The column of the character read last, from 1.
        long column()
        {
            return column;
        }
    }
}
