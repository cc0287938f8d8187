package sh.stagehand.spi.runtime;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerSpecTest
{
    @Test
    void testBuilderCopiesEverything()
    {
        ContainerSpec spec = ContainerSpec.builder("acme-main-42", "local/odoo-test:17.0")
                .withCommand("odoo", "-d", "acme-main-42")
                .withEnv("HOST", "172.18.0.1")
                .withLabel("sh.stagehand.build", "42")
                .withMount(Mount.readOnly(Path.of("/srv/ws/42"), "/mnt/extra-addons"))
                .withPublishedPort(8069)
                .withMemoryLimit(1 << 30)
                .withCpuLimit(1.5)
                .withNetwork("stagehand")
                .withFile(ContainerFile.secret("/etc/odoo/stagehand.conf", "[options]\ndb_password = secret\n"))
                .withUser("101:101")
                .build();

        assertThat(spec).isEqualTo(new ContainerSpec("acme-main-42", "local/odoo-test:17.0", List.of("odoo", "-d", "acme-main-42"),
                Map.of("HOST", "172.18.0.1"), Map.of("sh.stagehand.build", "42"), List.of(new Mount(Path.of("/srv/ws/42"), "/mnt/extra-addons", true)),
                List.of(8069), 1 << 30, 1.5, Optional.of("stagehand"), List.of(new ContainerFile("/etc/odoo/stagehand.conf", "[options]\ndb_password = secret\n", 0600)), Optional.of("101:101"), Optional.empty(), 0));
        assertThat(spec.command()).isUnmodifiable();
        assertThat(spec.toString()).doesNotContain("secret\n").contains("content=***");
    }

    @Test
    void testATenantsContainerJoinsItsTenantsNetworkOnly()
    {
        ContainerSpec spec = ContainerSpec.builder("acme-main-42", "local/odoo-test:17.0").withTenant("acme").withPidsLimit(512).build();
        assertThat(spec.tenant()).contains("acme");
        assertThat(spec.pidsLimit()).isEqualTo(512);
        assertThatThrownBy(() -> ContainerSpec.builder("x", "image").withTenant("acme").withNetwork("host").build())
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
        assertThatThrownBy(() -> ContainerSpec.builder("x", "image").withTenant("Acme Inc").build()).isInstanceOf(StagehandException.class);
    }

    @Test
    void testRejectsNamesDockerWouldRefuse()
    {
        for (String name : new String[] {"", "-leading", "with space", "slash/name", "ünicode", "a".repeat(129)}) {
            assertThatThrownBy(() -> ContainerSpec.builder(name, "image").build())
                    .as(name)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
        }
    }

    @Test
    void testRejectsBadLimitsAndPorts()
    {
        assertThatThrownBy(() -> ContainerSpec.builder("x", "image").withPublishedPort(0).build()).hasMessageContaining("0");
        assertThatThrownBy(() -> ContainerSpec.builder("x", "image").withMemoryLimit(-1).build()).hasMessageContaining("Memory");
        assertThatThrownBy(() -> ContainerSpec.builder("x", "image").withCpuLimit(Double.NaN).build()).hasMessageContaining("CPU");
        assertThatThrownBy(() -> Mount.readOnly(Path.of("relative"), "/mnt")).hasMessageContaining("absolute");
    }

    @Test
    void testHostPortSaysWhatIsPublished()
    {
        ContainerInfo info = new ContainerInfo("id", "name", "image", ContainerState.RUNNING, Map.of(), Map.of(8069, 32768), Optional.empty());
        assertThat(info.hostPort(8069)).isEqualTo(32768);
        assertThatThrownBy(() -> info.hostPort(8072)).hasMessageContaining("8072").hasMessageContaining("8069");
    }
}
