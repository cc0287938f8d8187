package sh.stagehand.core.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.runtime.LogLine;

import java.lang.management.ManagementFactory;
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
    void testSlowFollowerDoesNotHoldUpTheWriterAndMissesNothing()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        List<String> followed = new CopyOnWriteArrayList<>();
        logs.follow(10, LogName.INSTALL, line -> {
            awaitQuietly(release);
            followed.add(line);
        }, ended::countDown);

        long started = System.nanoTime();
        for (int index = 0; index < 20_000; index++) {
            logs.append(10, LogName.INSTALL, "line " + index);
        }
        // The writer went through 20 000 lines while the follower was stuck on its first one.
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(5);
        release.countDown();
        logs.close(10, LogName.INSTALL);
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        // It read them from the file, at its own pace: none was held for it, none lost.
        assertThat(followed).hasSize(20_000).startsWith("line 0").endsWith("line 19999");
        assertThat(logs.read(10, LogName.INSTALL)).hasSize(20_000);
    }

    @Test
    void testAFollowerOfALongLogGetsEveryLine()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        for (int index = 0; index < 50_000; index++) {
            logs.append(13, LogName.ODOO, "2024-05-01 10:00:00,000 1 INFO db werkzeug: request " + index);
        }
        List<String> followed = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        CountDownLatch ended = new CountDownLatch(1);
        try (AutoCloseable follow = logs.follow(13, LogName.ODOO, followed::add, ended::countDown)) {
            logs.append(13, LogName.ODOO, "the line after");
            logs.close(13, LogName.ODOO);
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(followed.size()).isEqualTo(50_001);
        assertThat(followed.get(50_000)).isEqualTo("the line after");
    }

    // A tenant's code printed a line of 3 MB (through something else than a runtime, which cuts lines itself).
    @Test
    void testALongLineIsCutWhenWritten()
    {
        BuildLogs logs = new BuildLogs(directory);
        logs.append(14, LogName.IMPORT, "é".repeat(1_500_000));
        logs.append(14, LogName.IMPORT, "after");
        // A runtime's line, cut already, is kept as it is.
        String runtimeCut = "x".repeat(LogLine.MAX_TEXT_BYTES) + LogLine.cutMarker(1_000_000);
        logs.append(14, LogName.IMPORT, runtimeCut);

        List<String> lines = logs.read(14, LogName.IMPORT);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).length()).as("characters kept of the long line").isLessThan(LogLine.MAX_TEXT_BYTES);
        assertThat(lines.get(0)).isEqualTo("é".repeat(LogLine.MAX_TEXT_BYTES / 2) + LogLine.cutMarker(3_000_000 - LogLine.MAX_TEXT_BYTES));
        assertThat(lines.get(1)).isEqualTo("after");
        assertThat(lines.get(2)).isEqualTo(runtimeCut);
    }

    // 4,000 lines of 64 KiB while a follower is stuck: 256 MiB that must stay on disk, not in memory.
    @Test
    void testAStuckFollowerHoldsNoLinesInMemory()
            throws Exception
    {
        BuildLogs logs = new BuildLogs(directory);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        logs.follow(15, LogName.ODOO, line -> awaitQuietly(release), ended::countDown);
        String line = "y".repeat(LogLine.MAX_TEXT_BYTES);
        logs.append(15, LogName.ODOO, line);
        long before = usedHeapAfterGc();
        for (int index = 0; index < 4_000; index++) {
            // Each a string of its own, as a container's lines are.
            logs.append(15, LogName.ODOO, index + line);
        }
        long retained = usedHeapAfterGc() - before;
        release.countDown();
        logs.close(15, LogName.ODOO);
        assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(retained >> 20).as("MiB of heap retained for a stuck follower").isLessThan(32);
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

    private static long usedHeapAfterGc()
    {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
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
