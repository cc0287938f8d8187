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
        assertThat(DockerConfig.fromMap(Map.of("docker.host", "tcp://10.0.0.5:2375", "docker.network", "builds", "docker.api-timeout-seconds", "120",
                "docker.tenant-network-pool", "10.96.0.0/12", "docker.image-build-timeout-seconds", "2700", "docker.image-build-memory-mb", "1024")))
                .isEqualTo(new DockerConfig(URI.create("tcp://10.0.0.5:2375"), Optional.of("builds"), Duration.ofSeconds(120), "10.96.0.0/12", Duration.ofMinutes(45), 1024L << 20));
    }

    @Test
    void testRejectsBadValuesWithTheKeyInTheMessage()
    {
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.host", "http://localhost"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.host");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.api-timeout-seconds", "-1"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.api-timeout-seconds");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.tenant-network-pool", "10.213.0.0/25"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.tenant-network-pool");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.image-build-timeout-seconds", "0"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.image-build-timeout-seconds");
        assertThatThrownBy(() -> DockerConfig.fromMap(Map.of("docker.hots", "x"))).isInstanceOf(StagehandException.class).hasMessageContaining("docker.hots");
    }
}
