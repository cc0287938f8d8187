package sh.stagehand.docker;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The streams of an exec without a terminal, on a connection of its own to the engine: {@code POST
 * /exec/{id}/start} upgraded to a raw stream, as the {@code docker} client does. Unlike
 * docker-java's, it can end the process's input alone (a half-close of the connection, which the
 * engine passes on as the end of the process's stdin) and go on reading its output. What the
 * engine sends is in frames: a byte for the stream (1 stdout, 2 stderr), three zeros, a
 * big-endian length, the bytes. Over {@code unix://} and plain {@code tcp://} engines; one
 * reached over TLS has no exec without a terminal. Not thread-safe: one writer, one reader.
 */
final class HijackedExecStream
        implements AutoCloseable
{
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    // The engine sends a process's output in frames of at most a few tens of KiB; more is no frame of its.
    private static final int MAX_FRAME_BYTES = 16 << 20;

    private final SocketChannel channel;
    private final DataInputStream in;

    private HijackedExecStream(SocketChannel channel, DataInputStream in)
    {
        this.channel = channel;
        this.in = in;
    }

    /**
     * Starts the exec (created with stdin, stdout and stderr attached, no TTY) and returns its streams.
     */
    static HijackedExecStream start(URI engine, String execId)
            throws IOException
    {
        requireNonNull(execId, "execId is null");
        SocketChannel channel = switch (engine.getScheme()) {
            case "unix" -> SocketChannel.open(UnixDomainSocketAddress.of(engine.getPath()));
            case "tcp" -> SocketChannel.open(new InetSocketAddress(engine.getHost(), engine.getPort()));
            default -> throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, "A command without a terminal needs a unix:// or tcp:// Docker engine, not "
                    + engine.getScheme() + "://; give it a terminal");
        };
        try {
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.US_ASCII);
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\n"
                    + "Host: docker\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Upgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            writeFully(channel, request.getBytes(StandardCharsets.US_ASCII));
            writeFully(channel, body);
            DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
            String status = readHeaders(in);
            if (!status.startsWith("HTTP/1.1 101") && !status.startsWith("HTTP/1.1 200")) {
                throw new IOException("The engine answered " + status + " to starting exec " + execId);
            }
            return new HijackedExecStream(channel, in);
        }
        catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    // The status line; the headers up to the empty line are read and left.
    private static String readHeaders(InputStream in)
            throws IOException
    {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("The engine closed the connection before its answer's headers ended");
            }
            if (headers.size() >= MAX_HEADER_BYTES) {
                throw new IOException("The engine's answer has more than " + MAX_HEADER_BYTES + " bytes of headers");
            }
            headers.write(b);
            matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
        }
        String text = headers.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.indexOf("\r\n"));
    }

    /**
     * Reads frames until the process's streams end, giving each to its consumer.
     */
    void pump(Consumer<byte[]> stdout, Consumer<byte[]> stderr)
            throws IOException
    {
        byte[] header = new byte[8];
        while (true) {
            try {
                in.readFully(header);
            }
            catch (EOFException e) {
                return;
            }
            int length = ByteBuffer.wrap(header, 4, 4).getInt();
            if (length < 0 || length > MAX_FRAME_BYTES) {
                throw new IOException("A frame of the engine says it holds " + length + " bytes");
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            (header[0] == 2 ? stderr : stdout).accept(payload);
        }
    }

    void write(byte[] data)
            throws IOException
    {
        writeFully(channel, data);
    }

    /**
     * Ends the process's input; its output goes on.
     */
    void closeInput()
            throws IOException
    {
        channel.shutdownOutput();
    }

    private static void writeFully(SocketChannel channel, byte[] data)
            throws IOException
    {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    @Override
    public void close()
            throws IOException
    {
        channel.close();
    }
}
