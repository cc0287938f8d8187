package sh.stagehand.core.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class BuildLogsTest
{
    @TempDir
    Path directory;

    @Test
    void testFollowerGetsEarlierLinesThenNewOnesThenTheEnd()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        logs.append(7, LogName.INSTALL, "loading 3 modules...");
        logs.append(7, LogName.INSTALL, "Loading module base (1/3)");

        List<String> followed = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        try (AutoCloseable follow = logs.follow(7, LogName.INSTALL, followed::add, ended::countDown)) {
            logs.append(7, LogName.INSTALL, "Modules loaded.");
            logs.close(7, LogName.INSTALL);
            assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(followed).containsExactly("loading 3 modules...", "Loading module base (1/3)", "Modules loaded.");
        assertThat(logs.read(7, LogName.INSTALL)).containsExactly("loading 3 modules...", "Loading module base (1/3)", "Modules loaded.");
        assertThat(directory.resolve("7/install.log")).exists();
    }

    @Test
    void testFollowingALogNotStartedYetGetsItsLinesLive()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        List<String> followed = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        logs.follow(9, LogName.ODOO, followed::add, ended::countDown);

        logs.append(9, LogName.ODOO, "HTTP service (werkzeug) running on 0.0.0.0:8069");
        logs.close(9, LogName.ODOO);

        assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(followed).containsExactly("HTTP service (werkzeug) running on 0.0.0.0:8069");
    }

    @Test
    void testClosedLogIsReplayedAndEndsAtOnce()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        logs.append(8, LogName.PIP, "Successfully installed demo-lib-1.0");
        logs.close(8, LogName.PIP);

        List<String> followed = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        logs.follow(8, LogName.PIP, followed::add, ended::countDown);
        assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(followed).containsExactly("Successfully installed demo-lib-1.0");
        assertThat(logs.read(8, LogName.ODOO)).isEmpty();
    }

    @Test
    void testSlowFollowerDoesNotHoldUpTheWriter()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        logs.follow(10, LogName.INSTALL, line -> awaitQuietly(release), ended::countDown);

        long started = System.nanoTime();
        for (int index = 0; index < 20_000; index++) {
            logs.append(10, LogName.INSTALL, "line " + index);
        }
        // The writer went through 20 000 lines while the follower was stuck on its first one.
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(5);
        release.countDown();
        assertThat(ended.await(5, TimeUnit.SECONDS)).as("the follower fell behind and was ended").isTrue();
        logs.close();
        assertThat(logs.read(10, LogName.INSTALL)).hasSize(20_000);
    }

    @Test
    void testClosingTheLogClosesItsSourceFirst()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        List<String> events = new CopyOnWriteArrayList<>();
        logs.append(11, LogName.ODOO, "serving");
        logs.attachSource(11, LogName.ODOO, () -> events.add("source closed"));
        logs.close(11, LogName.ODOO);
        assertThat(events).containsExactly("source closed");
    }

    @Test
    void testStaleLogsOfAnEarlierPlatformAreCleared()
            throws Exception
    {
        BuildLogs earlier = new BuildLogs(directory);
        earlier.append(12, LogName.INSTALL, "from a platform whose records were lost");
        earlier.close();

        BuildLogs logs = new BuildLogs(directory);
        logs.clearStale(12);
        logs.append(12, LogName.INSTALL, "this build's own line");
        assertThat(logs.read(12, LogName.INSTALL)).containsExactly("this build's own line");
    }

    private static void awaitQuietly(CountDownLatch latch)
    {
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
