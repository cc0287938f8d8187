package sh.stagehand.spi.runtime;

import static java.util.Objects.requireNonNull;

/**
 * One line a container printed, without its line terminator.
 */
public record LogLine(Stream stream, String text)
{
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
}
