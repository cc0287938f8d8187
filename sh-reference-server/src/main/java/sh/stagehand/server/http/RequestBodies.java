package sh.stagehand.server.http;

import io.javalin.http.Context;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Request bodies taken within a limit. A client says what it likes about its body's size: one that
 * says too much is refused before a byte of it is read, and one that does not say (chunked) is
 * counted as it comes and cut off at the limit. Either way a 413 that says the limit and what to do.
 * Thread-safe.
 */
final class RequestBodies
{
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final long LINGER_BYTES = 16L << 20;
    private static final java.time.Duration LINGER = java.time.Duration.ofSeconds(2);

    private RequestBodies() {}

    /**
     * What a body is, what the limit is called, and what the sender can do instead: the words of a
     * refusal. {@code key} is the configuration key of the limit, or empty for a fixed one.
     */
    record Limit(long bytes, String what, String key, String advice)
    {
        Limit
        {
            requireNonNull(what, "what is null");
            requireNonNull(key, "key is null");
            requireNonNull(advice, "advice is null");
        }

        StagehandException declaredOver(long declared)
        {
            return new StagehandException(StandardErrorCode.CONTENT_TOO_LARGE, "%s of %s is larger than the %s this server takes%s; nothing of it was stored. %s"
                    .formatted(what, size(declared), size(bytes), key.isEmpty() ? "" : " (" + key + ")", advice));
        }

        StagehandException goesOnPast()
        {
            return new StagehandException(StandardErrorCode.CONTENT_TOO_LARGE, "%s goes on past %s, the most this server takes%s: it was cut off there and nothing of it was kept. %s"
                    .formatted(what, size(bytes), key.isEmpty() ? "" : " (" + key + ")", advice));
        }
    }

    /**
     * Refuses a body whose {@code Content-Length} is over the limit, before anything of it is read
     * (a client that waits for {@code 100 Continue}, as curl does, sends none of it).
     */
    static void refuseDeclaredOver(Context context, Limit limit)
    {
        long declared = context.req().getContentLengthLong();
        if (declared > limit.bytes()) {
            throw limit.declaredOver(declared);
        }
    }

    /**
     * Writes the body to a new {@code file}, never more than the limit: a body that goes on past it
     * is refused before the bytes past it are written. The caller deletes the file, whole or not.
     */
    static void spool(Context context, Path file, Limit limit)
            throws IOException
    {
        refuseDeclaredOver(context, limit);
        long total = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = context.bodyInputStream(); OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                total += read;
                if (total > limit.bytes()) {
                    throw limit.goesOnPast();
                }
                out.write(buffer, 0, read);
            }
        }
    }

    /**
     * Reads the body into memory, at most the limit, and gives it to {@code use}. Bodies read at once
     * share {@code budget} (in bytes), held until {@code use} returns: past it, the sender is asked
     * to come back later ({@code TOO_MANY_REQUESTS}) instead of the server's memory filling up.
     */
    static <T> T read(Context context, Limit limit, Semaphore budget, Function<byte[], T> use)
            throws IOException
    {
        refuseDeclaredOver(context, limit);
        ByteArrayOutputStream body = new ByteArrayOutputStream((int) Math.min(Math.max(context.req().getContentLengthLong(), 0), BUFFER_BYTES));
        int held = 0;
        try {
            byte[] buffer = new byte[BUFFER_BYTES];
            try (InputStream in = context.bodyInputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    if (body.size() + (long) read > limit.bytes()) {
                        throw limit.goesOnPast();
                    }
                    if (!budget.tryAcquire(read)) {
                        throw new StagehandException(StandardErrorCode.TOO_MANY_REQUESTS, limit.what() + " was not read: the server is reading too many large ones at once; try again in 10 s");
                    }
                    held += read;
                    body.write(buffer, 0, read);
                }
            }
            return use.apply(body.toByteArray());
        }
        finally {
            budget.release(held);
        }
    }

    /**
     * Answers a refused body, then reads and drops what the client is still sending, for a moment
     * (at most {@link #LINGER_BYTES}, {@link #LINGER}): closing the connection at once would reset
     * it, and a client still sending its body would never read the answer (a client that waits for
     * {@code 100 Continue}, as curl does, has sent nothing, and nothing is read of it).
     */
    static void answerRefusal(Context context, int status, String json)
            throws IOException
    {
        byte[] answer = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        context.res().setStatus(status);
        context.res().setContentType("application/json");
        context.res().setHeader("Connection", "close");
        context.res().setContentLength(answer.length);
        context.res().getOutputStream().write(answer);
        context.res().flushBuffer();
        if ("100-continue".equalsIgnoreCase(context.header("Expect"))) {
            return;
        }
        long deadline = System.nanoTime() + LINGER.toNanos();
        long dropped = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = context.req().getInputStream()) {
            while (dropped < LINGER_BYTES && System.nanoTime() < deadline) {
                int read = in.read(buffer);
                if (read < 0) {
                    return;
                }
                dropped += read;
            }
        }
        catch (IOException | IllegalStateException e) {
            // the client went away, or the body was read already: nothing to wait for
        }
    }

    static String size(long bytes)
    {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        if (unit == 0) {
            return bytes + " bytes";
        }
        String number = String.format(Locale.ROOT, "%.1f", value);
        return (number.endsWith(".0") ? number.substring(0, number.length() - 2) : number) + " " + units[unit];
    }
}
