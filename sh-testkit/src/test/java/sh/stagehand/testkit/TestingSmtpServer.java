package sh.stagehand.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal SMTP server that accepts every message (HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP,
 * QUIT) and keeps it, for the test server's smtplib to talk to. Thread-safe.
 */
final class TestingSmtpServer
        implements AutoCloseable
{
    record Received(String from, List<String> recipients, String data) {}

    private final ServerSocket socket;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    TestingSmtpServer(String bindAddress)
    {
        try {
            socket = new ServerSocket(0, 50, InetAddress.getByName(bindAddress));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = daemon(this::accept);
    }

    int port()
    {
        return socket.getLocalPort();
    }

    List<Received> received()
    {
        return List.copyOf(received);
    }

    private void accept()
    {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                daemon(() -> serve(client));
            }
            catch (IOException e) {
                return;
            }
        }
    }

    private static Thread daemon(Runnable task)
    {
        Thread thread = new Thread(task, "testing-smtp");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void serve(Socket client)
    {
        try (client;
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = client.getOutputStream()) {
            reply(out, "220 testing-smtp ready");
            String from = null;
            List<String> recipients = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250 testing-smtp");
                    case "MAIL" -> {
                        from = line.substring(line.indexOf(':') + 1).strip();
                        recipients = new ArrayList<>();
                        reply(out, "250 OK");
                    }
                    case "RCPT" -> {
                        recipients.add(line.substring(line.indexOf(':') + 1).strip());
                        reply(out, "250 OK");
                    }
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        StringBuilder data = new StringBuilder();
                        String dataLine;
                        while ((dataLine = in.readLine()) != null && !dataLine.equals(".")) {
                            data.append(dataLine.startsWith("..") ? dataLine.substring(1) : dataLine).append('\n');
                        }
                        received.add(new Received(from, List.copyOf(recipients), data.toString()));
                        reply(out, "250 OK: queued");
                    }
                    case "QUIT" -> {
                        reply(out, "221 Bye");
                        return;
                    }
                    default -> reply(out, "250 OK");
                }
            }
        }
        catch (IOException e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String line)
            throws IOException
    {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close()
    {
        try {
            socket.close();
        }
        catch (IOException e) {
            // closing
        }
        acceptor.interrupt();
    }
}
