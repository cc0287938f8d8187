package sh.stagehand.core;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformSettingsTest
{
    @Test
    void testDefaults()
    {
        assertThat(PlatformSettings.fromConfig(new StagehandConfig(Map.of())))
                .isEqualTo(new PlatformSettings("stagehand.localhost", "odoo:17.0", 2, Duration.ofHours(72), 2, "172.17.0.1", 2525,
                        2048L * 1024 * 1024, 1.0, Duration.ofMinutes(30), Duration.ofSeconds(120), "http://127.0.0.1:8080", Duration.ofSeconds(60), Duration.ofMinutes(60), Duration.ofDays(30), "101:101", 512,
                        Map.of(Stage.DEVELOPMENT, new PlatformSettings.ContainerLimits(2048L * 1024 * 1024, 1.0, 512),
                                Stage.STAGING, new PlatformSettings.ContainerLimits(2048L * 1024 * 1024, 1.0, 512),
                                Stage.PRODUCTION, new PlatformSettings.ContainerLimits(2048L * 1024 * 1024, 1.0, 512))));
    }

    @Test
    void testExplicitPropertyMappings()
    {
        Map<String, String> properties = Map.ofEntries(
                Map.entry("platform.domain", "odoo.acme-hosting.com"),
                Map.entry("platform.odoo-image", "registry.acme/odoo:17.0-20261101"),
                Map.entry("platform.max-concurrent-builds", "6"),
                Map.entry("platform.development-retention", "24h"),
                Map.entry("platform.development-keep-per-branch", "0"),
                Map.entry("platform.smtp-host", "10.0.0.1"),
                Map.entry("platform.smtp-port", "2526"),
                Map.entry("platform.container-memory-mb", "4096"),
                Map.entry("platform.container-cpus", "2.5"),
                Map.entry("platform.install-timeout", "90m"),
                Map.entry("platform.start-timeout", "300s"),
                Map.entry("platform.public-url", "https://sh.acme-hosting.com"),
                Map.entry("platform.poll-interval", "0"),
                Map.entry("platform.gc-interval", "15m"),
                Map.entry("platform.trial-length", "14d"),
                Map.entry("platform.container-user", "1000:1000"),
                Map.entry("platform.container-pids", "256"),
                Map.entry("platform.production.container-memory-mb", "8192"),
                Map.entry("platform.production.container-cpus", "4"),
                Map.entry("platform.staging.container-pids", "128"),
                Map.entry("runtime.type", "docker"));
        assertThat(PlatformSettings.fromConfig(new StagehandConfig(properties)))
                .isEqualTo(new PlatformSettings("odoo.acme-hosting.com", "registry.acme/odoo:17.0-20261101", 6, Duration.ofHours(24), 0, "10.0.0.1", 2526,
                        4096L * 1024 * 1024, 2.5, Duration.ofMinutes(90), Duration.ofSeconds(300), "https://sh.acme-hosting.com", Duration.ZERO, Duration.ofMinutes(15), Duration.ofDays(14), "1000:1000", 256,
                        Map.of(Stage.DEVELOPMENT, new PlatformSettings.ContainerLimits(4096L * 1024 * 1024, 2.5, 256),
                                Stage.STAGING, new PlatformSettings.ContainerLimits(4096L * 1024 * 1024, 2.5, 128),
                                Stage.PRODUCTION, new PlatformSettings.ContainerLimits(8192L * 1024 * 1024, 4.0, 256))));
    }

    @Test
    void testRejectsBadValuesNamingTheKey()
    {
        assertThatThrownBy(() -> settings("platform.max-concurrent-builds", "0")).isInstanceOf(StagehandException.class).hasMessageContaining("platform.max-concurrent-builds");
        assertThatThrownBy(() -> settings("platform.smtp-port", "two")).isInstanceOf(StagehandException.class).hasMessageContaining("platform.smtp-port");
        assertThatThrownBy(() -> settings("platform.container-user", "odoo")).isInstanceOf(StagehandException.class).hasMessageContaining("platform.container-user");
        assertThatThrownBy(() -> settings("platform.domain", "Not A Domain")).isInstanceOf(StagehandException.class).hasMessageContaining("platform.domain");
        assertThatThrownBy(() -> settings("platform.max-builds", "3")).isInstanceOf(StagehandException.class).hasMessageContaining("platform.max-builds").hasMessageContaining("platform.max-concurrent-builds");
        assertThatThrownBy(() -> settings("platform.domian", "example.com")).isInstanceOf(StagehandException.class)
                .hasMessage("Unknown configuration key platform.domian; did you mean platform.domain?");
        assertThatThrownBy(() -> settings("platform.trial-days", "14")).isInstanceOf(StagehandException.class)
                .hasMessageStartingWith("Unknown configuration key platform.trial-days; did you mean platform.trial-length? It was renamed");
        assertThatThrownBy(() -> settings("platform.start-timeout", "120")).isInstanceOf(StagehandException.class)
                .hasMessage("platform.start-timeout=120 is not a duration; use e.g. 60s, 5m or 8h");
    }

    private static PlatformSettings settings(String key, String value)
    {
        return PlatformSettings.fromConfig(new StagehandConfig(Map.of(key, value)));
    }
}
