package sh.stagehand.core.logs;

import sh.stagehand.spi.runtime.LineSplitter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads a log's file from where it left off, line by line, each line cut at
 * {@link BuildLogs#MAX_LINE_BYTES} as it is read. Not thread-safe.
 */
final class FileTail
        implements AutoCloseable
{
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final Path file;
    private final LineSplitter lines;
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private FileChannel channel;

    FileTail(Path file, Consumer<String> lines)
    {
        this.file = file;
        this.lines = new LineSplitter(BuildLogs.MAX_LINE_BYTES, lines);
    }

    /**
     * Sends every whole line up to the file's current end; a line still being written waits for
     * its end.
     */
    void readToEnd(BooleanSupplier stopped)
            throws IOException
    {
        if (channel == null) {
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            catch (NoSuchFileException e) {
                return;
            }
        }
        while (!stopped.getAsBoolean()) {
            buffer.clear();
            int read = channel.read(buffer);
            if (read <= 0) {
                return;
            }
            lines.accept(buffer.array(), 0, read);
        }
    }

    void finish()
    {
        lines.finish();
    }

    @Override
    public void close()
            throws IOException
    {
        if (channel != null) {
            channel.close();
        }
    }
}
