package sh.stagehand.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for test servers that must come back on the same port after a restart (the mail catcher,
 * whose port the running build containers were started with).
 *
 * <p>A port the kernel handed out as free ({@code new ServerSocket(0)}) is an ephemeral one: once
 * its listener closes for a restart, the kernel may give it to any outgoing connection (a health
 * check, a JDBC connection), and listening there again fails with "Address already in use". These
 * ports are taken below Linux's ephemeral range (32768–60999), where no outgoing connection lands,
 * in the range bin/env-up lets tenants' containers reach on the host for the mail catcher
 * (25200–25299): a build's Odoo sends its mail there.
 */
public final class TestingPorts
{
    private static final int LOWEST = 25200;
    private static final int HIGHEST = 25299;

    private TestingPorts() {}

    /**
     * @return a port no one listens on now, outside the ephemeral range
     */
    public static int freeStablePort()
    {
        IOException last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST + 1);
            try (ServerSocket socket = new ServerSocket(port)) {
                return socket.getLocalPort();
            }
            catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("No free port between " + LOWEST + " and " + HIGHEST, last);
    }
}
