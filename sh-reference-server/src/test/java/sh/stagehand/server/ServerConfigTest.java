package sh.stagehand.server;

import org.junit.jupiter.api.Test;
import sh.stagehand.server.ssh.SshConfig;
import sh.stagehand.spi.StagehandException;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest
{
    @Test
    void testDefaults()
            throws Exception
    {
        assertThat(ServerConfig.fromMap(Map.of()))
                .isEqualTo(new ServerConfig("127.0.0.1", 8080, InetAddress.getByName("0.0.0.0"), 2525, "http://127.0.0.1:8080"));
    }

    @Test
    void testExplicitPropertyMappings()
            throws Exception
    {
        assertThat(ServerConfig.fromMap(Map.of(
                "http.host", "0.0.0.0",
                "http.port", "9090",
                "smtp.bind-address", "127.0.0.1",
                "smtp.port", "0",
                "platform.public-url", "https://sh.acme-hosting.com",
                "http.trusted-proxies", " 127.0.0.1, ::1 ,10.0.0.0/8")))
                .isEqualTo(new ServerConfig("0.0.0.0", 9090, InetAddress.getByName("127.0.0.1"), 0, "https://sh.acme-hosting.com", java.util.List.of("127.0.0.1", "::1", "10.0.0.0/8"), ServerLimits.DEFAULTS, SshConfig.DEFAULTS, MetricsConfig.DEFAULTS));
    }

    @Test
    void testLimitsDefaults()
    {
        assertThat(ServerConfig.fromMap(Map.of()).limits())
                .isEqualTo(new ServerLimits(20L << 30, Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), 2L << 30, 5, Duration.ofMinutes(1)));
    }

    @Test
    void testSizesTakeAUnit()
    {
        assertThat(ServerConfig.fromMap(Map.of("http.max-upload-bytes", "64MB", "http.max-push-bytes", "1GB")).limits())
                .isEqualTo(new ServerLimits(64L << 20, Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), 1L << 30, 5, Duration.ofMinutes(1)));
    }

    @Test
    void testLimitsPropertyMappings()
    {
        assertThat(ServerConfig.fromMap(Map.of(
                "http.max-upload-bytes", "67108864",
                "http.upload-directory", "/srv/stagehand/uploads",
                "http.max-push-bytes", "1048576",
                "smtp.auth-attempts", "3",
                "smtp.auth-lockout", "10s")).limits())
                .isEqualTo(new ServerLimits(64L << 20, Path.of("/srv/stagehand/uploads"), 1L << 20, 3, Duration.ofSeconds(10)));
    }

    @Test
    void testRejectsBadLimitsNamingTheKey()
    {
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("http.max-upload-bytes", "20G"))).isInstanceOf(StagehandException.class).hasMessageContaining("http.max-upload-bytes");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("http.max-upload-bytes", "0"))).isInstanceOf(StagehandException.class).hasMessageContaining("http.max-upload-bytes");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("http.max-push-bytes", "-1"))).isInstanceOf(StagehandException.class).hasMessageContaining("http.max-push-bytes");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("smtp.auth-attempts", "10000"))).isInstanceOf(StagehandException.class).hasMessageContaining("smtp.auth-attempts");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("smtp.auth-lockout", "60"))).isInstanceOf(StagehandException.class).hasMessageContaining("smtp.auth-lockout");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("smtp.auth-lockout", "PT1M"))).isInstanceOf(StagehandException.class)
                .hasMessageStartingWith("smtp.auth-lockout=PT1M is not a duration; use e.g. 60s, 5m or 8h");
    }

    @Test
    void testRejectsBadValuesNamingTheKey()
    {
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("http.port", "70000"))).isInstanceOf(StagehandException.class).hasMessageContaining("http.port");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("smtp.port", "-5"))).isInstanceOf(StagehandException.class).hasMessageContaining("smtp.port");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("smtp.bind-address", "no-such-host.invalid"))).isInstanceOf(StagehandException.class).hasMessageContaining("smtp.bind-address");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("http.trusted-proxies", "proxy.internal"))).isInstanceOf(StagehandException.class)
                .hasMessageContaining("http.trusted-proxies: 'proxy.internal' is not an IP address or network");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("http.trusted-proxies", "10.0.0.0/33"))).isInstanceOf(StagehandException.class).hasMessageContaining("http.trusted-proxies");
    }
}
