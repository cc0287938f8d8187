package sh.stagehand.core.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * A regular file opened by a {@link ContainerDirectory}, read at positions from its start up to
 * the size it had when opened, however often, whatever takes its name's place meanwhile. Not
 * thread-safe.
 */
final class ChannelFile
        implements ContainerDirectory.OpenFile
{
    private final FileChannel channel;
    private final long size;
    private final String path;

    ChannelFile(FileChannel channel, long size, String path)
    {
        this.channel = channel;
        this.size = size;
        this.path = path;
    }

    @Override
    public long size()
    {
        return size;
    }

    @Override
    public InputStream newInputStream()
    {
        return new InputStream()
        {
            private long position;

            @Override
            public int read()
                    throws IOException
            {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length)
                    throws IOException
            {
                Objects.checkFromIndexSize(offset, length, buffer.length);
                if (length == 0) {
                    return 0;
                }
                if (position >= size) {
                    return -1;
                }
                int read;
                try {
                    // At a position: never more than the size the file had when opened.
                    read = channel.read(ByteBuffer.wrap(buffer, offset, (int) Math.min(length, size - position)), position);
                }
                catch (IOException e) {
                    throw new ContainerDirectory.UnreadableFileException(path + ": " + e.getMessage(), e);
                }
                if (read <= 0) {
                    // It shrank since it was opened: what there is.
                    return -1;
                }
                position += read;
                return read;
            }
        };
    }
}
