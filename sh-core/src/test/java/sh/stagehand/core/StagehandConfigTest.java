package sh.stagehand.core;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.config.StagehandConfig.ProviderKind;
import sh.stagehand.spi.StagehandException;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StagehandConfigTest
{
    @Test
    void testDefaults()
    {
        StagehandConfig config = new StagehandConfig(Map.of());
        assertThat(config.instanceName()).isEqualTo("stagehand");
        assertThat(config.dataDirectory()).isEqualTo(Path.of(".stagehand/data").toAbsolutePath());
        assertThat(config.providerName(ProviderKind.RUNTIME)).isEqualTo("docker");
        assertThat(config.providerName(ProviderKind.DATABASE)).isEqualTo("postgres");
        assertThat(config.providerName(ProviderKind.VCS)).isEqualTo("git");
        assertThat(config.providerName(ProviderKind.BACKUP)).isEqualTo("filesystem");
        assertThat(config.providerName(ProviderKind.MAIL)).isEqualTo("memory");
    }

    @Test
    void testExplicitPropertyMappings()
    {
        StagehandConfig config = new StagehandConfig(Map.of(
                "instance.name", "acme-hosting",
                "data.directory", "/srv/stagehand",
                "runtime.type", "kubernetes",
                "kubernetes.namespace", "odoo",
                "kubernetes.context", "prod",
                "kubernetesx.other", "not mine"));
        assertThat(config.instanceName()).isEqualTo("acme-hosting");
        assertThat(config.dataDirectory()).isEqualTo(Path.of("/srv/stagehand"));
        assertThat(config.providerName(ProviderKind.RUNTIME)).isEqualTo("kubernetes");
        assertThat(config.providerConfig("kubernetes")).containsExactlyInAnyOrderEntriesOf(Map.of("kubernetes.namespace", "odoo", "kubernetes.context", "prod"));
    }

    @Test
    void testEmptyProviderNameIsRejected()
    {
        assertThatThrownBy(() -> new StagehandConfig(Map.of("runtime.type", " ")).providerName(ProviderKind.RUNTIME))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("runtime.type");
    }

    @Test
    void testToStringHidesValues()
    {
        assertThat(new StagehandConfig(Map.of("postgres.password", "s3cret")).toString()).contains("postgres.password").doesNotContain("s3cret");
    }
}
