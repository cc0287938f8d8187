package sh.stagehand.core.monitor;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A tenant's server as the probe meets it, with a real HTTP server on loopback: healthy, failing,
 * silent, and one that answers 200 and then never ends its body.
 */
class HealthProbeTest
{
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;

    @AfterEach
    void stopServer()
    {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void testCountsTheStatusAlone()
            throws IOException
    {
        int port = serve(200, false, false);
        assertThat(new HealthProbe(Duration.ofSeconds(2)).answers(port)).isTrue();
        stopServer();
        port = serve(503, false, false);
        assertThat(new HealthProbe(Duration.ofSeconds(2)).answers(port)).isFalse();
    }

    @Test
    void testASilentServerIsDownWithinTheTimeout()
            throws IOException
    {
        int port = serve(200, true, false);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThat(new HealthProbe(Duration.ofSeconds(1)).answers(port)).isFalse());
    }

    @Test
    void testABodyThatNeverEndsHoldsNoProbe()
            throws IOException
    {
        int port = serve(200, false, true);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThat(new HealthProbe(Duration.ofSeconds(1)).answers(port)).isTrue());
    }

    // A server whose /web/health answers with that status; silent: never answers; endless: sends
    // its status, a byte, then holds the body open until the test ends.
    private int serve(int status, boolean silent, boolean endless)
            throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/web/health", exchange -> {
            try {
                if (silent) {
                    release.await();
                    return;
                }
                exchange.sendResponseHeaders(status, endless ? 0 : -1);
                if (endless) {
                    try (OutputStream body = exchange.getResponseBody()) {
                        body.write('{');
                        body.flush();
                        release.await();
                    }
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finally {
                exchange.close();
            }
        });
        server.start();
        return server.getAddress().getPort();
    }
}
