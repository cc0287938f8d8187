package sh.stagehand.docker.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Turns a stream of byte chunks into lines. Splits on bytes, not characters, so a UTF-8 character
 * cut between two chunks is decoded whole. A trailing {@code \r} is dropped ({@code \r\n} endings).
 * Not thread-safe.
 */
public final class LineSplitter
{
    private final Consumer<String> consumer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public LineSplitter(Consumer<String> consumer)
    {
        this.consumer = requireNonNull(consumer, "consumer is null");
    }

    public void accept(byte[] chunk)
    {
        int lineStart = 0;
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == '\n') {
                pending.write(chunk, lineStart, i - lineStart);
                emit();
                lineStart = i + 1;
            }
        }
        pending.write(chunk, lineStart, chunk.length - lineStart);
    }

    /**
     * Emits what is left as a last line, if anything.
     */
    public void finish()
    {
        if (pending.size() > 0) {
            emit();
        }
    }

    private void emit()
    {
        String line = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        consumer.accept(line);
    }
}
