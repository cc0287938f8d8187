package sh.stagehand.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;

import java.io.IOException;
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
                .containsEntry("platform.poll-interval-seconds", "0")
                .containsEntry("platform.gc-interval-minutes", "5")
                .doesNotContainKeys("server.poll-interval-seconds", "server.gc-interval-minutes");
        assertThat(Main.withServerDefaults(Map.of("server.poll-interval-seconds", "0", "platform.poll-interval-seconds", "30")))
                .containsEntry("platform.poll-interval-seconds", "30");
    }

    @Test
    void testMissingFileIsReportedWithItsPath(@TempDir Path directory)
    {
        assertThatThrownBy(() -> Main.loadProperties(new String[] {directory.resolve("absent.properties").toString()}))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("absent.properties");
    }
}
