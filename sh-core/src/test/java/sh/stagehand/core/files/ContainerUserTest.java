package sh.stagehand.core.files;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.config.StagehandConfig;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerUserTest
{
    private static final ContainerUser ROOT = new ContainerUser(0, 0);
    private static final ContainerUser PLATFORM = new ContainerUser(1000, 1000);

    @Test
    void testAPlatformRunningAsRootGivesItsDirectoriesToTheConfiguredUser()
    {
        assertThat(ContainerUser.resolve(ContainerUser.parse("101:101"), ROOT)).isEqualTo(ContainerUser.OFFICIAL_IMAGE);
        assertThat(ContainerUser.resolve(ContainerUser.parse(" 1001:2002 "), ROOT)).isEqualTo(new ContainerUser(1001, 2002));
        assertThat(ContainerUser.OFFICIAL_IMAGE.asDockerUser()).isEqualTo("101:101");
        ContainerUser fromDefaults = ContainerUser.fromSettings(PlatformSettings.fromConfig(new StagehandConfig(Map.of())));
        assertThat(fromDefaults).isIn(ContainerUser.OFFICIAL_IMAGE, ContainerUser.ofThisProcess());
    }

    @Test
    void testAPlatformThatIsNotRootKeepsItsDirectoriesAndItsContainersRunAsItself()
    {
        assertThat(ContainerUser.resolve(ContainerUser.OFFICIAL_IMAGE, PLATFORM)).isEqualTo(PLATFORM);
        assertThat(ContainerUser.resolve(PLATFORM, PLATFORM)).isEqualTo(PLATFORM);
        assertThat(ContainerUser.resolve(ContainerUser.OFFICIAL_IMAGE, ContainerUser.OFFICIAL_IMAGE)).isEqualTo(ContainerUser.OFFICIAL_IMAGE);
    }

    @Test
    void testRefusesWhatIsNoNumericUserAndGroup()
    {
        for (String value : new String[] {"odoo", "101", "101:", ":101", "101:101:101", "-1:101"}) {
            assertThatThrownBy(() -> ContainerUser.parse(value)).as(value).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uid:gid");
        }
    }
}
