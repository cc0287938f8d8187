package sh.stagehand.core.logs;

import sh.stagehand.spi.runtime.LogLine;

/**
 * A build's line as a log keeps it: whole up to {@link BuildLogs#MAX_LINE_BYTES} bytes of UTF-8,
 * else cut and marked as a runtime cuts it.
 */
final class LineCut
{
    private LineCut()
    {
    }

    /**
     * The line as kept: whole up to {@link BuildLogs#MAX_LINE_BYTES}, else its first
     * {@link LogLine#MAX_TEXT_BYTES} and the marker of a cut line.
     */
    static String cut(String line)
    {
        // At most three bytes of UTF-8 per char: most lines are known short without counting.
        if (line.length() <= BuildLogs.MAX_LINE_BYTES / 3) {
            return line;
        }
        long total = utf8Length(line);
        if (total <= BuildLogs.MAX_LINE_BYTES) {
            return line;
        }
        long kept = 0;
        int end = 0;
        while (end < line.length()) {
            char character = line.charAt(end);
            int size = Character.isHighSurrogate(character) ? 4 : utf8Length(character);
            if (kept + size > LogLine.MAX_TEXT_BYTES) {
                break;
            }
            kept += size;
            // A surrogate pair stays whole.
            end = Math.min(line.length(), end + (Character.isHighSurrogate(character) ? 2 : 1));
        }
        return line.substring(0, end) + LogLine.cutMarker(total - kept);
    }

    private static long utf8Length(String text)
    {
        long bytes = 0;
        for (int index = 0; index < text.length(); index++) {
            bytes += utf8Length(text.charAt(index));
        }
        return bytes;
    }

    // Each half of a surrogate pair counts two of its four bytes.
    private static int utf8Length(char character)
    {
        return character < 0x80 ? 1 : character < 0x800 || Character.isSurrogate(character) ? 2 : 3;
    }
}
