package sh.stagehand.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A websocket client for tests (the JDK's): what arrives is queued, text messages whole, and the
 * close code and reason kept. Also a raw handshake, to see a refused upgrade's status as it is.
 */
public final class TestingWebSocket
        implements AutoCloseable
{
    // One for all: each client of its own keeps a selector thread until it is collected.
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final WebSocket socket;
    private final LinkedBlockingQueue<String> texts;
    private final java.io.ByteArrayOutputStream binary;
    private final CompletableFuture<Closed> closed;

    /**
     * How the other side closed: its code and reason.
     */
    public record Closed(int code, String reason) {}

    private TestingWebSocket(WebSocket socket, LinkedBlockingQueue<String> texts, java.io.ByteArrayOutputStream binary, CompletableFuture<Closed> closed)
    {
        this.socket = socket;
        this.texts = texts;
        this.binary = binary;
        this.closed = closed;
    }

    /**
     * @param uri {@code ws://host:port/path}
     * @param headers sent with the upgrade request ({@code Origin}, {@code Cookie}, ...)
     */
    public static TestingWebSocket connect(URI uri, Map<String, String> headers)
    {
        LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
        CompletableFuture<Closed> closed = new CompletableFuture<>();
        WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        WebSocket socket = builder.buildAsync(uri, new WebSocket.Listener()
        {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last)
            {
                partial.append(data);
                if (last) {
                    texts.add(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last)
            {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                synchronized (binary) {
                    binary.writeBytes(bytes);
                    binary.notifyAll();
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason)
            {
                closed.complete(new Closed(statusCode, reason));
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error)
            {
                closed.complete(new Closed(1006, String.valueOf(error)));
            }
        }).join();
        return new TestingWebSocket(socket, texts, binary, closed);
    }

    public void send(String text)
    {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] data)
    {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /**
     * @return every binary message received so far, as one UTF-8 text (a terminal's screen)
     */
    public String binaryText()
    {
        synchronized (binary) {
            return binary.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Waits until the binary messages received hold {@code text}.
     *
     * @return all of them, as {@link #binaryText()}
     */
    public String awaitBinaryText(String text, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (binary) {
            while (!binaryText().contains(text)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("No '" + text + "' within " + timeout + (closed.isDone() ? "; closed: " + closed.join() : "") + "; received:\n" + binaryText());
                }
                binary.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
            return binaryText();
        }
    }

    /**
     * Waits until at least {@code count} bytes of binary messages have come, all told.
     */
    public void awaitBinaryBytes(long count, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (binary) {
            while (binary.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(binary.size() + " bytes, not " + count + ", within " + timeout);
                }
                binary.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }
    }

    public void ping(String data)
    {
        socket.sendPing(ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8))).join();
    }

    /**
     * @return the next whole text message, if one comes in time
     */
    public java.util.Optional<String> pollText(Duration timeout)
            throws InterruptedException
    {
        return java.util.Optional.ofNullable(texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * As Odoo's {@code bus.bus._sendone} sends a notification: a row of {@code bus_bus} whose
     * channel is compact JSON, then {@code NOTIFY imbus} in the {@code postgres} database. Odoo's
     * dispatcher starts listening at a process's first subscription, a moment after it, and a
     * NOTIFY before that is lost (in Odoo too): so it is sent again until a message arrives (the
     * subscriber reads the table, so the row comes once).
     *
     * @return the message the socket received
     */
    public String receiveFromTheBus(TestingPostgres postgres, String database, String channel, String message)
            throws InterruptedException
    {
        String target = "[\"" + database + "\",\"" + channel + "\"]";
        // As Odoo's ORM writes the row (its create_date too: a first poll reads the last minute's, by it).
        postgres.execute(database, "INSERT INTO bus_bus (channel, message, create_date, write_date) VALUES ('" + target + "', '" + message.replace("'", "''")
                + "', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')");
        for (int attempt = 0; attempt < 20; attempt++) {
            postgres.execute("postgres", "SELECT pg_notify('imbus', '[" + target + "]')");
            java.util.Optional<String> received = pollText(Duration.ofMillis(500));
            if (received.isPresent()) {
                return received.get();
            }
        }
        throw new AssertionError("Nothing from the bus on " + target + " within 10 s" + (closed.isDone() ? "; closed: " + closed.join() : ""));
    }

    /**
     * @return the next whole text message
     * @throws AssertionError if none comes in time
     */
    public String awaitText(Duration timeout)
            throws InterruptedException
    {
        String text = texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (text == null) {
            throw new AssertionError("No message within " + timeout + (closed.isDone() ? "; closed: " + closed.join() : ""));
        }
        return text;
    }

    /**
     * @return how the other side closed the socket
     * @throws AssertionError if it does not in time
     */
    public Closed awaitClose(Duration timeout)
    {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (Exception e) {
            throw new AssertionError("Not closed within " + timeout, e);
        }
    }

    /**
     * Drops the connection without a close message, as a killed browser tab does.
     */
    public void abort()
    {
        socket.abort();
    }

    @Override
    public void close()
    {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(error -> null);
        }
        socket.abort();
    }

    /**
     * Sends an upgrade request as a browser does, and reads the answer's head, whatever it is.
     *
     * @param headers the request's headers besides {@code Host}, {@code Upgrade}, {@code Connection}
     *        and {@code Sec-WebSocket-Key}; {@code Sec-WebSocket-Version} defaults to 13
     * @return the status line, headers and body (of a refusal), as received
     */
    public static String rawHandshake(String host, int port, String path, Map<String, String> headers)
            throws IOException
    {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n")
                .append("Host: ").append(headers.getOrDefault("Host", host + ":" + port)).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString("stagehand-tests!".getBytes(StandardCharsets.US_ASCII))).append("\r\n");
        if (!headers.containsKey("Sec-WebSocket-Version")) {
            request.append("Sec-WebSocket-Version: 13\r\n");
        }
        headers.forEach((name, value) -> {
            if (!name.equals("Host")) {
                request.append(name).append(": ").append(value).append("\r\n");
            }
        });
        request.append("\r\n");
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                head.append((char) c);
                if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                    break;
                }
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
            if (length.find() && !head.toString().startsWith("HTTP/1.1 101")) {
                head.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8));
            }
            return head.toString();
        }
    }
}
