package sh.stagehand.core.backup;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Cuts a stream into chunks whose boundaries depend on the content, not on offsets (FastCDC's gear
 * hash, Xia et al. 2016): a change in one place of a database dump moves the boundaries around it
 * only, so the rest of the dump cuts into the same chunks as yesterday and is not stored again. No
 * well-kept Java library offers this; the algorithm is a dozen lines.
 *
 * <p>Chunks are at least {@code minSize} and at most {@code maxSize} bytes, {@code averageSize}
 * (a power of two) on average. Not thread-safe: one instance per stream.
 */
public final class ContentDefinedChunker
{
    public static final int DEFAULT_MIN = 256 * 1024;
    public static final int DEFAULT_AVERAGE = 1024 * 1024;
    public static final int DEFAULT_MAX = 4 * 1024 * 1024;

    // One random 64-bit value per byte value, fixed forever: the boundaries of every backup ever made depend on it.
    private static final long[] GEAR = new SplittableRandom(0x5374616765686e64L).longs(256).toArray();

    private final InputStream input;
    private final int minSize;
    private final int maxSize;
    private final long mask;
    private final byte[] buffer;
    private int buffered;
    private boolean ended;

    public ContentDefinedChunker(InputStream input)
    {
        this(input, DEFAULT_MIN, DEFAULT_AVERAGE, DEFAULT_MAX);
    }

    public ContentDefinedChunker(InputStream input, int minSize, int averageSize, int maxSize)
    {
        if (Integer.bitCount(averageSize) != 1 || minSize <= 0 || minSize >= averageSize || averageSize >= maxSize) {
            throw new IllegalArgumentException("Need 0 < minSize < averageSize < maxSize, averageSize a power of two: " + minSize + ", " + averageSize + ", " + maxSize);
        }
        this.input = input;
        this.minSize = minSize;
        this.maxSize = maxSize;
        // The top bits of the hash, as FastCDC: a boundary where they are all zero.
        this.mask = -1L << (64 - Integer.numberOfTrailingZeros(averageSize));
        this.buffer = new byte[maxSize];
    }

    /**
     * @return the next chunk, or null at the end of the stream
     */
    public byte[] next()
            throws IOException
    {
        fill();
        if (buffered == 0) {
            return null;
        }
        int length = boundary();
        byte[] chunk = Arrays.copyOf(buffer, length);
        System.arraycopy(buffer, length, buffer, 0, buffered - length);
        buffered -= length;
        return chunk;
    }

    private int boundary()
    {
        if (buffered <= minSize) {
            return buffered;
        }
        long hash = 0;
        for (int index = minSize; index < buffered; index++) {
            hash = (hash << 1) + GEAR[buffer[index] & 0xff];
            if ((hash & mask) == 0) {
                return index + 1;
            }
        }
        return buffered;
    }

    private void fill()
            throws IOException
    {
        while (!ended && buffered < maxSize) {
            int read = input.read(buffer, buffered, maxSize - buffered);
            if (read < 0) {
                ended = true;
            }
            else {
                buffered += read;
            }
        }
    }
}
