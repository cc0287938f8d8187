package sh.stagehand.core.backup;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Reads a plain pg_dump without the {@code restrict KEY} and {@code unrestrict KEY} lines that
 * pg_dump 15.14+ puts around it (CVE-2025-8714). Their key is random for each dump, so every day's
 * dump would differ in its first chunk; it is taken out for storage and a new one put back on every
 * copy made from it. Only the first {@code restrict} line among the first lines, and the
 * {@code unrestrict} line with its key, are taken out: nothing else of the dump changes.
 */
final class RestrictKeyFilter
        extends FilterInputStream
{
    private static final Pattern RESTRICT = Pattern.compile("\\\\restrict ([A-Za-z0-9]+)");
    private static final int HEADER_LINES = 64;

    private byte[] line = new byte[0];
    private int position;
    private int lineNumber;
    private String key;
    private boolean ended;

    RestrictKeyFilter(InputStream in)
    {
        super(new BufferedInputStream(in, 1 << 16));
    }

    @Override
    public int read()
            throws IOException
    {
        if (!fill()) {
            return -1;
        }
        return line[position++] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length)
            throws IOException
    {
        if (length == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int count = Math.min(length, line.length - position);
        System.arraycopy(line, position, buffer, offset, count);
        position += count;
        return count;
    }

    // The next line that is kept, or false at the end.
    private boolean fill()
            throws IOException
    {
        while (position == line.length) {
            if (ended) {
                return false;
            }
            ByteArrayOutputStream next = new ByteArrayOutputStream(256);
            int b;
            while ((b = in.read()) != -1) {
                next.write(b);
                if (b == '\n') {
                    break;
                }
            }
            if (b == -1) {
                ended = true;
            }
            line = next.toByteArray();
            position = 0;
            lineNumber++;
            if (isKeyLine(line)) {
                line = new byte[0];
            }
        }
        return true;
    }

    private boolean isKeyLine(byte[] bytes)
    {
        if (bytes.length == 0 || bytes[0] != '\\' || bytes.length > 256) {
            return false;
        }
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        if (key == null && lineNumber <= HEADER_LINES) {
            var matcher = RESTRICT.matcher(text);
            if (matcher.matches()) {
                key = matcher.group(1);
                return true;
            }
        }
        return key != null && text.equals("\\unrestrict " + key);
    }
}
