package sh.stagehand.core.odoo;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Splits a {@code __manifest__.py} into the tokens of the part of Python that literals are made
 * of: strings (all quotes, prefixes {@code r}, {@code u}, {@code b}, escapes), integers and
 * floats, names, punctuation, and the end of a line outside brackets. It follows Python's lexical
 * rules: comments run to the end of the line, a newline inside brackets or after a backslash joins
 * lines, a newline elsewhere ends the expression.
 *
 * <p>Not thread-safe: one instance reads one file once.
 */
final class PythonLiteralTokenizer
{
    private static final Set<String> STRING_PREFIXES = Set.of("r", "u", "b", "br", "rb", "f", "fr", "rf");
    private static final String DIGIT_PART = "[0-9](?:_?[0-9])*";
    private static final String EXPONENT = "[eE][+-]?" + DIGIT_PART;
    private static final Pattern NUMBER = Pattern.compile(
            "(?<hex>0[xX](?:_?[0-9a-fA-F])+)"
                    + "|(?<octal>0[oO](?:_?[0-7])+)"
                    + "|(?<binary>0[bB](?:_?[01])+)"
                    + "|(?<float>(?:" + DIGIT_PART + ")?\\." + DIGIT_PART + "(?:" + EXPONENT + ")?"
                    + "|" + DIGIT_PART + "\\.(?:" + EXPONENT + ")?"
                    + "|" + DIGIT_PART + EXPONENT + ")"
                    + "|(?<decimal>" + DIGIT_PART + ")");
    private static final Pattern ZEROS = Pattern.compile("0(?:_?0)*");
    private static final Pattern DOTTED_VERSION = Pattern.compile("[0-9]+(?:\\.[0-9]+){2,}");

    enum Kind
    {
        STRING,
        INTEGER,
        FLOAT,
        NAME,
        PUNCTUATION,
        /** The end of a line outside any bracket: in Python it ends the expression. */
        NEWLINE,
        END,
    }

    /**
     * @param value the decoded text of a string, a {@link BigInteger} or {@link Double} for numbers,
     *         the identifier of a name, the character of a punctuation
     * @param bytes whether a string had the {@code b} prefix
     * @param endLine the line the token ends on (a triple-quoted string may span several)
     */
    record Token(Kind kind, Object value, boolean bytes, int line, int column, int endLine)
    {
        Token
        {
            requireNonNull(kind, "kind is null");
            requireNonNull(value, "value is null");
        }

        boolean is(String punctuation)
        {
            return kind == Kind.PUNCTUATION && value.equals(punctuation);
        }

        String describe()
        {
            return switch (kind) {
                case STRING -> (bytes ? "bytes " : "string ") + quote((String) value);
                case INTEGER, FLOAT -> "number " + value;
                case NAME -> "name '" + value + "'";
                case PUNCTUATION -> "'" + value + "'";
                case NEWLINE -> "the end of the line";
                case END -> "the end of the file";
            };
        }

        static String quote(String text)
        {
            String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
            return "'" + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("'", "\\'") + "'";
        }
    }

    private final ManifestSource source;
    private final String text;
    private int position;
    private int line = 1;
    private int lineStart;
    private int bracketDepth;

    PythonLiteralTokenizer(ManifestSource source)
    {
        this.source = requireNonNull(source, "source is null");
        this.text = source.text();
    }

    Token next()
    {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == ' ' || c == '\t' || c == '\f') {
                position++;
            }
            else if (c == '#') {
                while (position < text.length() && text.charAt(position) != '\n') {
                    position++;
                }
            }
            else if (c == '\\' && position + 1 < text.length() && text.charAt(position + 1) == '\n') {
                position += 2;
                newLine();
            }
            else if (c == '\n') {
                if (bracketDepth == 0) {
                    Token newline = new Token(Kind.NEWLINE, "\n", false, line, column(), line);
                    position++;
                    newLine();
                    return newline;
                }
                position++;
                newLine();
            }
            else {
                break;
            }
        }
        if (position >= text.length()) {
            return new Token(Kind.END, "", false, line, column(), line);
        }

        int startLine = line;
        int startColumn = column();
        char c = text.charAt(position);
        if (c == '\'' || c == '"') {
            return readString("", startLine, startColumn);
        }
        if (Character.isLetter(c) || c == '_') {
            int start = position;
            while (position < text.length() && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '_')) {
                position++;
            }
            String name = text.substring(start, position);
            if (position < text.length() && (text.charAt(position) == '\'' || text.charAt(position) == '"')
                    && STRING_PREFIXES.contains(name.toLowerCase(Locale.ROOT))) {
                return readString(name.toLowerCase(Locale.ROOT), startLine, startColumn);
            }
            return new Token(Kind.NAME, name, false, startLine, startColumn, startLine);
        }
        if (isDigit(c) || (c == '.' && position + 1 < text.length() && isDigit(text.charAt(position + 1)))) {
            return readNumber(startLine, startColumn);
        }
        if (c == '(' || c == '[' || c == '{') {
            bracketDepth++;
        }
        else if ((c == ')' || c == ']' || c == '}') && bracketDepth > 0) {
            bracketDepth--;
        }
        int codePoint = text.codePointAt(position);
        position += Character.charCount(codePoint);
        return new Token(Kind.PUNCTUATION, new String(Character.toChars(codePoint)), false, startLine, startColumn, startLine);
    }

    private Token readString(String prefix, int startLine, int startColumn)
    {
        if (prefix.contains("f")) {
            throw source.syntaxError(startLine, startColumn, "f-strings are not allowed in a manifest: they run code; use a plain string");
        }
        boolean raw = prefix.contains("r");
        boolean bytes = prefix.contains("b");
        char quote = text.charAt(position);
        String tripleQuote = String.valueOf(quote).repeat(3);
        boolean triple = text.startsWith(tripleQuote, position);
        position += triple ? 3 : 1;
        StringBuilder value = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw source.syntaxError(startLine, startColumn, triple
                        ? "unterminated triple-quoted string: it starts here and the file ends before its closing " + tripleQuote
                        : "unterminated string: it starts here and the file ends before its closing " + quote);
            }
            char c = text.charAt(position);
            if (triple ? text.startsWith(tripleQuote, position) : c == quote) {
                position += triple ? 3 : 1;
                return new Token(Kind.STRING, value.toString(), bytes, startLine, startColumn, line);
            }
            if (c == '\n' && !triple) {
                throw source.syntaxError(startLine, startColumn, "unterminated string: it starts here and line " + line
                        + " ends before its closing " + quote + " (use a triple-quoted string or \\n for text on several lines)");
            }
            if (c == '\\') {
                if (position + 1 >= text.length()) {
                    position++;
                    continue;
                }
                if (raw) {
                    // A raw string keeps the backslash, but the character after it still cannot end the string.
                    char escaped = text.charAt(position + 1);
                    value.append(c).append(escaped);
                    position += 2;
                    if (escaped == '\n') {
                        newLine();
                    }
                    continue;
                }
                readEscape(value, bytes);
                continue;
            }
            value.append(c);
            position++;
            if (c == '\n') {
                newLine();
            }
        }
    }

    private void readEscape(StringBuilder value, boolean bytes)
    {
        int escapeColumn = column();
        char escaped = text.charAt(position + 1);
        position += 2;
        switch (escaped) {
            case '\n' -> newLine();
            case '\\', '\'', '"' -> value.append(escaped);
            case 'a' -> value.append('\u0007');
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case 'v' -> value.append('\u000b');
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                int octal = escaped - '0';
                for (int digits = 1; digits < 3 && position < text.length() && text.charAt(position) >= '0' && text.charAt(position) <= '7'; digits++) {
                    octal = octal * 8 + (text.charAt(position) - '0');
                    position++;
                }
                value.appendCodePoint(octal);
            }
            case 'x' -> value.appendCodePoint(readHex(2, "\\x", escapeColumn));
            case 'u' -> {
                if (bytes) {
                    value.append('\\').append(escaped);
                }
                else {
                    value.appendCodePoint(readHex(4, "\\u", escapeColumn));
                }
            }
            case 'U' -> {
                if (bytes) {
                    value.append('\\').append(escaped);
                }
                else {
                    int codePoint = readHex(8, "\\U", escapeColumn);
                    if (codePoint > Character.MAX_CODE_POINT) {
                        throw source.syntaxError(line, escapeColumn, "the \\U escape names no Unicode character: 0x" + Integer.toHexString(codePoint) + " is beyond 0x10ffff");
                    }
                    value.appendCodePoint(codePoint);
                }
            }
            case 'N' -> {
                if (bytes) {
                    value.append('\\').append(escaped);
                }
                else {
                    value.appendCodePoint(readCharacterName(escapeColumn));
                }
            }
            // Python keeps an unknown escape as it is, backslash included.
            default -> value.append('\\').append(escaped);
        }
    }

    private int readHex(int digits, String escape, int escapeColumn)
    {
        if (position + digits > text.length()) {
            throw source.syntaxError(line, escapeColumn, "truncated " + escape + " escape: it needs " + digits + " hexadecimal digits");
        }
        String hex = text.substring(position, position + digits);
        if (!hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
            throw source.syntaxError(line, escapeColumn, "truncated " + escape + " escape: it needs " + digits + " hexadecimal digits");
        }
        position += digits;
        return (int) Long.parseLong(hex, 16);
    }

    private int readCharacterName(int escapeColumn)
    {
        int close = text.indexOf('}', position);
        int newline = text.indexOf('\n', position);
        if (position >= text.length() || text.charAt(position) != '{' || close < 0 || (newline >= 0 && newline < close)) {
            throw source.syntaxError(line, escapeColumn, "malformed \\N character escape: write \\N{UNICODE CHARACTER NAME}");
        }
        String name = text.substring(position + 1, close);
        try {
            int codePoint = Character.codePointOf(name);
            position = close + 1;
            return codePoint;
        }
        catch (IllegalArgumentException e) {
            throw source.syntaxError(line, escapeColumn, "unknown Unicode character name in \\N{" + name + "}");
        }
    }

    private Token readNumber(int startLine, int startColumn)
    {
        Matcher matcher = NUMBER.matcher(text).region(position, text.length());
        if (!matcher.lookingAt()) {
            throw source.syntaxError(startLine, startColumn, "invalid number");
        }
        String literal = matcher.group();
        position = matcher.end();
        if (position < text.length()) {
            char after = text.charAt(position);
            if (after == 'j' || after == 'J') {
                throw source.syntaxError(startLine, startColumn, "complex numbers are not allowed in a manifest");
            }
            if (Character.isLetterOrDigit(after) || after == '_' || after == '.') {
                int end = position;
                while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_' || text.charAt(end) == '.')) {
                    end++;
                }
                String written = text.substring(matcher.start(), end);
                throw source.syntaxError(startLine, startColumn, "invalid number " + written
                        + (DOTTED_VERSION.matcher(written).matches() ? " (a version is a string: write '" + written + "')" : ""));
            }
        }
        String digits = literal.replace("_", "");
        if (matcher.group("float") != null) {
            return new Token(Kind.FLOAT, Double.parseDouble(digits), false, startLine, startColumn, startLine);
        }
        BigInteger value;
        if (matcher.group("hex") != null) {
            value = new BigInteger(digits.substring(2), 16);
        }
        else if (matcher.group("octal") != null) {
            value = new BigInteger(digits.substring(2), 8);
        }
        else if (matcher.group("binary") != null) {
            value = new BigInteger(digits.substring(2), 2);
        }
        else {
            if (literal.length() > 1 && literal.startsWith("0") && !ZEROS.matcher(literal).matches()) {
                throw source.syntaxError(startLine, startColumn, "leading zeros are not allowed in the integer " + literal + " (Python reads 0o17 as octal; write 17 for seventeen)");
            }
            value = new BigInteger(digits);
        }
        return new Token(Kind.INTEGER, value, false, startLine, startColumn, startLine);
    }

    private static boolean isDigit(char c)
    {
        return c >= '0' && c <= '9';
    }

    private int column()
    {
        return position - lineStart + 1;
    }

    /**
     * Called once the {@code \n} just before {@link #position} was consumed.
     */
    private void newLine()
    {
        line++;
        lineStart = position;
    }
}
