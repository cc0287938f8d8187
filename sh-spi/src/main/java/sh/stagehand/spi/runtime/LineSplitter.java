package sh.stagehand.spi.runtime;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Turns a stream of byte chunks into lines, for a runtime to deliver a container's output as
 * {@link LogLine}s. Splits on bytes, not characters, so a UTF-8 character cut between two chunks is
 * decoded whole. A trailing {@code \r} is dropped ({@code \r\n} endings).
 *
 * <p>A line is held up to a fixed number of bytes ({@link LogLine#MAX_TEXT_BYTES} unless told
 * otherwise); the rest of a longer line is counted and dropped as it comes, and the line is
 * delivered cut at a character's boundary and marked with {@link LogLine#cutMarker(long)}. So one
 * line of any length costs at most that much memory.
 *
 * <p>Not thread-safe.
 */
public final class LineSplitter
{
    private final Consumer<String> consumer;
    private final byte[] pending;
    private int length;
    private long dropped;
    private boolean droppedEndsWithCarriageReturn;

    public LineSplitter(Consumer<String> consumer)
    {
        this(LogLine.MAX_TEXT_BYTES, consumer);
    }

    public LineSplitter(int maxLineBytes, Consumer<String> consumer)
    {
        if (maxLineBytes < 4) {
            throw new IllegalArgumentException("maxLineBytes must hold a character of UTF-8 (4 bytes or more): " + maxLineBytes);
        }
        this.pending = new byte[maxLineBytes];
        this.consumer = requireNonNull(consumer, "consumer is null");
    }

    public void accept(byte[] chunk)
    {
        accept(chunk, 0, chunk.length);
    }

    public void accept(byte[] chunk, int offset, int count)
    {
        int end = offset + count;
        int lineStart = offset;
        for (int i = offset; i < end; i++) {
            if (chunk[i] == '\n') {
                keep(chunk, lineStart, i - lineStart);
                emit();
                lineStart = i + 1;
            }
        }
        keep(chunk, lineStart, end - lineStart);
    }

    /**
     * Emits what is left as a last line, if anything.
     */
    public void finish()
    {
        if (length > 0 || dropped > 0) {
            emit();
        }
    }

    private void keep(byte[] bytes, int offset, int count)
    {
        int kept = Math.min(count, pending.length - length);
        System.arraycopy(bytes, offset, pending, length, kept);
        length += kept;
        if (count > kept) {
            dropped += count - kept;
            droppedEndsWithCarriageReturn = bytes[offset + count - 1] == '\r';
        }
    }

    private void emit()
    {
        int textLength = length;
        long cut = dropped;
        if (cut == 0) {
            if (textLength > 0 && pending[textLength - 1] == '\r') {
                textLength--;
            }
        }
        else if (droppedEndsWithCarriageReturn) {
            cut--;
        }
        if (cut > 0) {
            // Cut where a character starts: no half character before the marker.
            int boundary = characterBoundary(pending, textLength);
            cut += textLength - boundary;
            textLength = boundary;
        }
        String line = new String(pending, 0, textLength, StandardCharsets.UTF_8);
        length = 0;
        dropped = 0;
        droppedEndsWithCarriageReturn = false;
        consumer.accept(cut > 0 ? line + LogLine.cutMarker(cut) : line);
    }

    // The length of the longest prefix of bytes[0, length) that ends with a whole UTF-8 character.
    private static int characterBoundary(byte[] bytes, int length)
    {
        for (int back = 1; back <= 4 && back <= length; back++) {
            int lead = bytes[length - back] & 0xff;
            if ((lead & 0xc0) != 0x80) {
                int size = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
                return size <= back ? length : length - back;
            }
        }
        return length;
    }
}
