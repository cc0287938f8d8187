package sh.stagehand.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MainTest
{
    @Test
    void testSystemPropertiesOverrideTheFile(@TempDir Path directory)
            throws IOException
    {
        Path file = Files.writeString(directory.resolve("stagehand.properties"), "http.port=8080\ninstance.name=from-file\n");
        System.setProperty("stagehand.http.port", "9191");
        try {
            assertThat(Main.loadProperties(new String[] {file.toString()}))
                    .containsEntry("http.port", "9191")
                    .containsEntry("instance.name", "from-file")
                    .doesNotContainKey("java.version");
        }
        finally {
            System.clearProperty("stagehand.http.port");
        }
    }

    @Test
    void testPlatformDefaultsFollowTheServersOwnSettings()
    {
        assertThat(Main.withServerDefaults(Map.of("http.port", "9191", "smtp.port", "2626")))
                .containsEntry("platform.public-url", "http://127.0.0.1:9191")
                .containsEntry("platform.smtp-port", "2626");
        assertThat(Main.withServerDefaults(Map.of("platform.public-url", "https://sh.example.com")))
                .containsEntry("platform.public-url", "https://sh.example.com");
    }

    @Test
    void testFormerServerHousekeepingKeysStillWork()
    {
        assertThat(Main.withServerDefaults(Map.of("server.poll-interval-seconds", "0", "server.gc-interval-minutes", "5")))
                .containsEntry("platform.poll-interval", "0s")
                .containsEntry("platform.gc-interval", "5m")
                .doesNotContainKeys("server.poll-interval-seconds", "server.gc-interval-minutes");
        assertThat(Main.withServerDefaults(Map.of("server.poll-interval-seconds", "0", "platform.poll-interval", "30s")))
                .containsEntry("platform.poll-interval", "30s");
    }

    @Test
    void testAKeyTypoStopsTheStartWithTheKeyMeant()
    {
        // The server's keys, the platform's, a provider's (configured or not), and a renamed one.
        assertStartRefused("http.prot", "Unknown configuration key http.prot; did you mean http.port?");
        assertStartRefused("smtp.auth-atempts", "Unknown configuration key smtp.auth-atempts; did you mean smtp.auth-attempts?");
        assertStartRefused("platform.odoo-imge", "Unknown configuration key platform.odoo-imge; did you mean platform.odoo-image?");
        assertStartRefused("backup.daly-time", "Unknown configuration key backup.daly-time; did you mean backup.daily-time?");
        assertStartRefused("docker.hots", "Unknown configuration key docker.hots; did you mean docker.host?");
        assertStartRefused("postgres.pasword", "Unknown configuration key postgres.pasword; did you mean postgres.password?");
        assertStartRefused("s3.buckt", "Unknown configuration key s3.buckt; did you mean s3.bucket?");
        assertStartRefused("smtp-relay.hots", "Unknown configuration key smtp-relay.hots; did you mean smtp-relay.host?");
        assertStartRefused("dokcer.network", "Unknown configuration key dokcer.network; did you mean docker.network?");
        assertStartRefused("docker.api-timeout-seconds", "Unknown configuration key docker.api-timeout-seconds; did you mean docker.api-timeout? It was renamed");
        assertStartRefused("git.timeout-seconds", "Unknown configuration key git.timeout-seconds; did you mean git.timeout? It was renamed");
    }

    @Test
    void testEveryTypoOfAFileIsNamedAtOnce()
    {
        Map<String, String> properties = Main.withServerDefaults(Map.of("docker.hots", "unix:///var/run/docker.sock", "platform.start-timeout-seconds", "30"));

        assertThatThrownBy(() -> Main.platform(properties).build())
                .isInstanceOf(StagehandException.class)
                .hasMessageStartingWith("Unknown configuration key docker.hots; did you mean docker.host?")
                .hasMessageContaining("Also: Unknown configuration key platform.start-timeout-seconds; did you mean platform.start-timeout? It was renamed");
    }

    private static void assertStartRefused(String key, String message)
    {
        assertThatThrownBy(() -> Main.platform(Main.withServerDefaults(Map.of(key, "1"))).build())
                .as(key)
                .isInstanceOf(StagehandException.class)
                .hasMessageStartingWith(message)
                // Main logs it with its stack trace: printing it must end, and say it.
                .satisfies(e -> assertThat(stackTrace(e)).contains(message));
    }

    private static String stackTrace(Throwable e)
    {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    @Test
    void testMissingFileIsReportedWithItsPath(@TempDir Path directory)
    {
        assertThatThrownBy(() -> Main.loadProperties(new String[] {directory.resolve("absent.properties").toString()}))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("absent.properties");
    }
}
