package sh.stagehand.core.pipeline;

import sh.stagehand.core.build.Build;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What a proxy in front of the builds needs of sleeping builds ({@link BuildSleep}): each request
 * relayed keeps its build awake, and a request to a sleeping build wakes it.
 */
public interface SleepingBuilds
{
    /**
     * A request reached the build: it is not idle.
     */
    void touch(long buildId);

    /**
     * Wakes a sleeping build, once for however many callers ask while it wakes.
     *
     * @return the build once it runs and answers; failed with a {@link StagehandException} saying
     *         why if it cannot wake
     */
    CompletableFuture<Build> wake(long buildId);

    /**
     * @return how long a request to a sleeping build waits for it to wake
     */
    Duration wakeWait();

    /**
     * Builds that never sleep: nothing to keep awake, nothing to wake.
     */
    static SleepingBuilds none()
    {
        return new SleepingBuilds()
        {
            @Override
            public void touch(long buildId) {}

            @Override
            public CompletableFuture<Build> wake(long buildId)
            {
                return CompletableFuture.failedFuture(new StagehandException(StandardErrorCode.CONFLICT, "Build " + buildId + " is asleep, and nothing here wakes builds"));
            }

            @Override
            public Duration wakeWait()
            {
                return Duration.ZERO;
            }
        };
    }
}
