package sh.stagehand.docker;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerConfigTest
{
    @Test
    void testDefaults()
    {
        assertThat(DockerConfig.fromMap(Map.of()))
                .isEqualTo(new DockerConfig(URI.create("unix:///var/run/docker.sock"), Optional.empty(), Duration.ofSeconds(60), "10.213.0.0/16", Duration.ofMinutes(30), 2048L << 20));
    }

    @Test
    void testExplicitPropertyMappings()
    {
        assertThat(DockerConfig.fromMap(Map.of("docker.host", "tcp://10.0.0.5:2375", "docker.network", "builds", "docker.api-timeout", "2m",
                "docker.tenant-network-pool", "10.96.0.0/12", "docker.image-build-timeout", "45m", "docker.image-build-memory-mb", "1024")))
                .isEqualTo(new DockerConfig(URI.create("tcp://10.0.0.5:2375"), Optional.of("builds"), Duration.ofSeconds(120), "10.96.0.0/12", Duration.ofMinutes(45), 1024L << 20));
    }

    @Test
    void testRejectsBadValuesWithTheKeyInTheMessage()
    {
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.host", "http://localhost"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.host");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.api-timeout", "-1"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.api-timeout");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.tenant-network-pool", "10.213.0.0/25"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.tenant-network-pool");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.image-build-timeout", "0"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.image-build-timeout");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.hots", "x"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.hots");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.hots", "x"))).hasMessage("Unknown configuration key docker.hots; did you mean docker.host?");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.api-timeout", "abc"))).hasMessage("docker.api-timeout=abc is not a duration; use e.g. 60s, 5m or 8h");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.api-timeout-seconds", "60"))).hasMessageContaining("did you mean docker.api-timeout?");
    }
}
