package sh.stagehand.core.files;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.StagehandConfig;
import sh.stagehand.spi.StagehandException;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerUserTest
{
    private static final ContainerUser ROOT = new ContainerUser(0, 0);
    private static final ContainerUser PLATFORM = new ContainerUser(1000, 1000);

    @Test
    void testDefaults()
    {
        assertThat(ContainerUser.resolve(Optional.empty(), Optional.empty(), ROOT)).isEqualTo(new ContainerUser(101, 101));
        assertThat(ContainerUser.OFFICIAL_IMAGE.asDockerUser()).isEqualTo("101:101");
    }

    @Test
    void testExplicitPropertyMappings()
    {
        assertThat(ContainerUser.resolve(Optional.of("1001"), Optional.of("2002"), ROOT)).isEqualTo(new ContainerUser(1001, 2002));
        assertThat(ContainerUser.fromConfig(new StagehandConfig(Map.of()))).satisfies(user -> assertThat(user.equals(ContainerUser.OFFICIAL_IMAGE) || user.equals(ContainerUser.ofThisProcess())).isTrue());
    }

    @Test
    void testAPlatformThatIsNotRootKeepsItsDirectoriesAndItsContainersRunAsItself()
    {
        assertThat(ContainerUser.resolve(Optional.empty(), Optional.empty(), PLATFORM)).isEqualTo(PLATFORM);
        assertThat(ContainerUser.resolve(Optional.of("1000"), Optional.of("1000"), PLATFORM)).isEqualTo(PLATFORM);
        assertThatThrownBy(() -> ContainerUser.resolve(Optional.of("101"), Optional.empty(), PLATFORM))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("platform.container-uid")
                .hasMessageContaining("not as root")
                .hasMessageContaining("1000:1000");
    }

    @Test
    void testRejectsBadValuesNamingTheKey()
    {
        assertThatThrownBy(() -> ContainerUser.resolve(Optional.of("odoo"), Optional.empty(), ROOT)).isInstanceOf(StagehandException.class).hasMessageContaining("platform.container-uid=odoo");
        assertThatThrownBy(() -> ContainerUser.resolve(Optional.empty(), Optional.of("-1"), ROOT)).isInstanceOf(StagehandException.class).hasMessageContaining("platform.container-gid=-1");
    }
}
