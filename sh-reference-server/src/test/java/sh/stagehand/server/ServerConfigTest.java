package sh.stagehand.server;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;

import java.net.InetAddress;
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
                .isEqualTo(new ServerConfig("0.0.0.0", 9090, InetAddress.getByName("127.0.0.1"), 0, "https://sh.acme-hosting.com", java.util.List.of("127.0.0.1", "::1", "10.0.0.0/8")));
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
