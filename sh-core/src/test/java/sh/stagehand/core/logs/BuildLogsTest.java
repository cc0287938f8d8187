package sh.stagehand.core.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class BuildLogsTest
{
    @TempDir
    Path directory;

    @Test
    void testFollowerGetsEarlierLinesThenNewOnesWithoutGapOrRepeat()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        logs.append(7, LogName.INSTALL, "loading 3 modules...");
        logs.append(7, LogName.INSTALL, "Loading module base (1/3)");

        List<String> followed = new CopyOnWriteArrayList<>();
        try (AutoCloseable follow = logs.follow(7, LogName.INSTALL, followed::add)) {
            logs.append(7, LogName.INSTALL, "Modules loaded.");
            assertThat(followed).containsExactly("loading 3 modules...", "Loading module base (1/3)", "Modules loaded.");
        }
        logs.append(7, LogName.INSTALL, "after the follower left");
        assertThat(followed).hasSize(3);

        logs.close(7, LogName.INSTALL);
        assertThat(logs.read(7, LogName.INSTALL)).containsExactly("loading 3 modules...", "Loading module base (1/3)", "Modules loaded.", "after the follower left");
        assertThat(directory.resolve("7/install.log")).exists();
    }

    @Test
    void testClosedLogIsReplayedAndMissingLogIsEmpty()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        logs.append(8, LogName.PIP, "Successfully installed demo-lib-1.0");
        logs.close(8, LogName.PIP);

        List<String> followed = new CopyOnWriteArrayList<>();
        logs.follow(8, LogName.PIP, followed::add).close();
        assertThat(followed).containsExactly("Successfully installed demo-lib-1.0");
        assertThat(logs.read(8, LogName.ODOO)).isEmpty();

        logs.delete(8);
        assertThat(directory.resolve("8")).doesNotExist();
    }
}
