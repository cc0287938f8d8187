package sh.stagehand.server;

import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;

import java.time.Duration;

/**
 * Waiting for builds, as the platform's tests do.
 */
public final class TestingBuilds
{
    private TestingBuilds() {}

    /**
     * @return the build once it runs or has ended
     * @throws AssertionError if it does neither within {@code timeout}
     */
    public static Build await(Stagehand stagehand, long buildId, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Build build = stagehand.builds().build(buildId);
            if (build.state() == BuildState.RUNNING || build.state().isTerminal()) {
                return build;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Build " + buildId + " not done within " + timeout + ": " + stagehand.builds().build(buildId));
    }
}
