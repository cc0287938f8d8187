package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;

import static java.util.Objects.requireNonNull;

/**
 * The text of one {@code __manifest__.py} and where it comes from, so that every problem found in
 * it is reported with the file, the line, the column and the line itself.
 *
 * <p>Immutable and thread-safe.
 */
final class ManifestSource
{
    static final String FIX_HINT = "it must hold a single Python dict literal (quoted strings, numbers, True, False, None, lists, tuples and dicts), and no code";
    private static final int MAX_EXCERPT_LENGTH = 160;

    private final String addonName;
    private final String path;
    private final String text;

    /**
     * @param text the file's text with line endings already turned into {@code \n}
     */
    ManifestSource(String addonName, String path, String text)
    {
        this.addonName = requireNonNull(addonName, "addonName is null");
        this.path = requireNonNull(path, "path is null");
        this.text = requireNonNull(text, "text is null");
    }

    String addonName()
    {
        return addonName;
    }

    String path()
    {
        return path;
    }

    String text()
    {
        return text;
    }

    /**
     * A syntax problem at a place in the file: what was expected and what was found.
     */
    OdooRefusesManifestException syntaxError(int line, int column, String problem)
    {
        return new OdooRefusesManifestException("Cannot read %s at line %d, column %d: %s Fix the __manifest__.py of addon %s: %s%s"
                .formatted(path, line, column, sentence(problem), addonName, FIX_HINT, excerpt(line, column)));
    }

    /**
     * A manifest that is valid Python but that Odoo would refuse, e.g. a {@code depends} that is not a list.
     */
    StagehandException valueError(Position position, String problem, String fix)
    {
        return new StagehandException(OdooErrorCode.INVALID_MANIFEST, invalid(position, problem, fix));
    }

    /**
     * A manifest that is valid Python but that Odoo itself fails to load, e.g. auto_install
     * triggers that are not dependencies.
     */
    OdooRefusesManifestException odooValueError(Position position, String problem, String fix)
    {
        return new OdooRefusesManifestException(invalid(position, problem, fix));
    }

    private String invalid(Position position, String problem, String fix)
    {
        return "Invalid %s at line %d, column %d: %s Fix the __manifest__.py of addon %s: %s%s"
                .formatted(path, position.line(), position.column(), sentence(problem), addonName, fix, excerpt(position.line(), position.column()));
    }

    private static String sentence(String problem)
    {
        return problem.endsWith("?") || problem.endsWith(".") ? problem : problem + ".";
    }

    private String excerpt(int line, int column)
    {
        int start = 0;
        for (int current = 1; current < line; current++) {
            int newline = text.indexOf('\n', start);
            if (newline < 0) {
                return "";
            }
            start = newline + 1;
        }
        int end = text.indexOf('\n', start);
        String content = text.substring(start, end < 0 ? text.length() : end);
        // Tabs (and other control characters) become single spaces so that the caret stays under the column it points at.
        content = content.codePoints()
                .map(c -> Character.isISOControl(c) ? ' ' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        int caret = Math.max(0, column - 1);
        if (content.length() > MAX_EXCERPT_LENGTH) {
            int from = Math.max(0, Math.min(caret - MAX_EXCERPT_LENGTH / 2, content.length() - MAX_EXCERPT_LENGTH));
            content = content.substring(from, from + MAX_EXCERPT_LENGTH);
            caret -= from;
        }
        if (content.isBlank()) {
            return "";
        }
        return "\n    " + content + "\n    " + " ".repeat(Math.min(caret, content.length())) + "^";
    }

    /**
     * A place in the manifest, 1-based.
     */
    record Position(int line, int column) {}
}
