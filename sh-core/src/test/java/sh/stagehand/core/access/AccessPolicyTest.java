package sh.stagehand.core.access;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.project.Stage;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

class AccessPolicyTest
{
    private static final EnumSet<Tool> LOOK = EnumSet.of(Tool.CONNECT, Tool.HISTORY, Tool.STATUS);

    @Test
    void testOdooShsMatrix()
    {
        for (Stage stage : Stage.values()) {
            assertThat(AccessPolicy.tools(Role.ADMIN, stage)).as("admin on " + stage).containsExactlyInAnyOrder(Tool.values());
        }
        assertThat(AccessPolicy.tools(Role.TESTER, Stage.DEVELOPMENT)).containsExactlyInAnyOrder(Tool.values());
        assertThat(AccessPolicy.tools(Role.TESTER, Stage.STAGING)).containsExactlyInAnyOrder(Tool.values());
        assertThat(AccessPolicy.tools(Role.TESTER, Stage.PRODUCTION)).isEqualTo(LOOK);
        assertThat(AccessPolicy.tools(Role.DEVELOPER, Stage.DEVELOPMENT)).containsExactlyInAnyOrder(Tool.values());
        assertThat(AccessPolicy.tools(Role.DEVELOPER, Stage.STAGING)).isEqualTo(LOOK);
        assertThat(AccessPolicy.tools(Role.DEVELOPER, Stage.PRODUCTION)).isEqualTo(LOOK);

        assertThat(AccessPolicy.managesProject(Role.ADMIN)).isTrue();
        assertThat(AccessPolicy.managesProject(Role.TESTER)).isFalse();
        assertThat(AccessPolicy.managesProject(Role.DEVELOPER)).isFalse();
    }

    @Test
    void testTheSetsAreCopies()
    {
        AccessPolicy.tools(Role.DEVELOPER, Stage.PRODUCTION).add(Tool.BACKUPS);
        assertThat(AccessPolicy.allows(Role.DEVELOPER, Stage.PRODUCTION, Tool.BACKUPS)).isFalse();
    }
}
