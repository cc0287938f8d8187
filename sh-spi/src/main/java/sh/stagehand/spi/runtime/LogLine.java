package sh.stagehand.spi.runtime;

import static java.util.Objects.requireNonNull;

/**
 * One line a container printed, without its line terminator.
 *
 * <p>A container's code is the tenant's, and may print a line of any length: a runtime delivers at
 * most {@link #MAX_TEXT_BYTES} bytes of a line, followed by {@link #cutMarker(long)} if it was
 * longer, and drops the rest of it as it comes, never holding it ({@link LineSplitter} does this).
 */
public record LogLine(Stream stream, String text)
{
    /**
     * The most of one line a runtime delivers, in bytes of UTF-8 (64 KiB: far more than any line
     * of Odoo's own, a traceback's included).
     */
    public static final int MAX_TEXT_BYTES = 64 * 1024;

    public enum Stream
    {
        STDOUT,
        STDERR,
    }

    public LogLine
    {
        requireNonNull(stream, "stream is null");
        requireNonNull(text, "text is null");
    }

    /**
     * What ends a line that was cut: {@code " … [stagehand: 123 more bytes of this line cut]"}.
     */
    public static String cutMarker(long droppedBytes)
    {
        if (droppedBytes <= 0) {
            throw new IllegalArgumentException("droppedBytes is not positive: " + droppedBytes);
        }
        return " … [stagehand: " + droppedBytes + " more bytes of this line cut]";
    }
}
