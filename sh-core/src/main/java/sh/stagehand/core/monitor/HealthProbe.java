package sh.stagehand.core.monitor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Asks an Odoo server on a loopback port for {@code /web/health}, as a visitor's request would
 * reach it, within a timeout: the status alone counts. The server is a tenant's: one that answers
 * slowly, or sends a body that never ends, holds the probe no longer than the timeout, whatever
 * it does after its status. Thread-safe.
 */
public final class HealthProbe
{
    private final Duration timeout;
    private final HttpClient http;

    public HealthProbe(Duration timeout)
    {
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * @return whether it answered 200 within the timeout
     */
    public boolean answers(int port)
    {
        return answers("127.0.0.1:" + port);
    }

    /**
     * @param address {@code host:port} of the server
     * @return whether it answered 200 within the timeout
     */
    public boolean answers(String address)
    {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/web/health")).timeout(timeout).build();
        try {
            // The request's timeout ends with the status line and headers; the body is not read.
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response.statusCode() == 200;
        }
        catch (IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
