package sh.stagehand.core.pipeline;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.InMemoryPlatformStore;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The queue's rules, with a runner that holds each build until the test lets it go.
 */
class BuildSchedulerTest
{
    private final InMemoryPlatformStore store = new InMemoryPlatformStore();
    private final Semaphore release = new Semaphore(0);
    private final CountDownLatch twoStarted = new CountDownLatch(2);
    private final BuildScheduler scheduler = new BuildScheduler(store, this::holdBuild, PlatformSettings.fromConfig(new StagehandConfig(Map.of())), Clock.systemUTC());

    @AfterEach
    void close()
    {
        release.release(100);
        scheduler.close();
    }

    @Test
    void testRunsAtMostTheLimitAndQueuesTheRest()
            throws Exception
    {
        Build first = scheduler.enqueue("acme", "a", "1".repeat(40), Stage.DEVELOPMENT);
        Build second = scheduler.enqueue("acme", "b", "2".repeat(40), Stage.DEVELOPMENT);
        Build third = scheduler.enqueue("acme", "c", "3".repeat(40), Stage.DEVELOPMENT);

        assertThat(twoStarted.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        assertThat(state(first)).isEqualTo(BuildState.BUILDING);
        assertThat(state(second)).isEqualTo(BuildState.BUILDING);
        assertThat(state(third)).as("the default limit is 2").isEqualTo(BuildState.QUEUED);

        release.release(3);
        assertThat(scheduler.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(List.of(state(first), state(second), state(third))).containsOnly(BuildState.RUNNING);
        assertThat(scheduler.mostRunningAtOnce()).isEqualTo(2);
    }

    @Test
    void testNewerPushSupersedesQueuedBuildsOfItsBranch()
            throws Exception
    {
        scheduler.enqueue("acme", "busy-1", "a".repeat(40), Stage.DEVELOPMENT);
        scheduler.enqueue("acme", "busy-2", "b".repeat(40), Stage.DEVELOPMENT);
        assertThat(twoStarted.await(10, TimeUnit.SECONDS)).isTrue();

        Build older = scheduler.enqueue("acme", "feature", "c".repeat(40), Stage.DEVELOPMENT);
        Build other = scheduler.enqueue("acme", "other", "d".repeat(40), Stage.DEVELOPMENT);
        Build newer = scheduler.enqueue("acme", "feature", "e".repeat(40), Stage.DEVELOPMENT);

        assertThat(state(older)).isEqualTo(BuildState.SUPERSEDED);
        assertThat(store.findBuild(older.id()).orElseThrow().message()).hasValueSatisfying(message -> assertThat(message).contains("superseded by build " + newer.id()));
        assertThat(state(other)).isEqualTo(BuildState.QUEUED);
        assertThat(store.listEvents("acme", Optional.of("feature"), 10)).extracting(Event::kind).contains(EventKind.BUILD_SUPERSEDED);

        release.release(10);
        assertThat(scheduler.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(state(older)).as("a superseded build never runs").isEqualTo(BuildState.SUPERSEDED);
        assertThat(state(newer)).isEqualTo(BuildState.RUNNING);
        assertThat(state(other)).isEqualTo(BuildState.RUNNING);
    }

    private void holdBuild(Build claimed)
    {
        twoStarted.countDown();
        try {
            release.acquire();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        store.updateBuild(claimed.withState(BuildState.RUNNING, "held and released"));
    }

    private BuildState state(Build build)
    {
        return store.findBuild(build.id()).orElseThrow().state();
    }
}
