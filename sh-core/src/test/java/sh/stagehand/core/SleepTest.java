package sh.stagehand.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.pipeline.BuildSleep;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.workspace.Labels;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.testkit.memory.InMemoryDatabaseProvider;
import sh.stagehand.testkit.memory.InMemoryRuntimeProvider;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.core.InMemoryPlatform.PROJECT;

/**
 * Idle builds sleep and wake ({@link BuildSleep}), decided by the platform and proven without
 * Docker or PostgreSQL: a sleeping build has no container and keeps its database; a storm of
 * requests wakes it once; one that cannot wake says why, and is not tried again by every request;
 * the caps put the least recently used to sleep; a platform stopped dead while a build wakes finds
 * it asleep at its next start. (SleepIT checks the same through the proxy on Docker.)
 */
class SleepTest
{
    @TempDir
    Path dataDirectory;

    private InMemoryPlatform fixture;
    private InMemoryDatabaseProvider databases;

    @BeforeEach
    void setUp()
    {
        fixture = new InMemoryPlatform(dataDirectory);
        databases = fixture.databases();
        fixture.commit("main", "acme_sale", "1.0", Map.of());
    }

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    @Test
    void testAnIdleBuildSleepsKeepingItsDatabaseAndAStormOfRequestsWakesItOnce()
            throws Exception
    {
        InMemoryRuntimeProvider runtime = fixture.runtime();
        Stagehand platform = platform(runtime, Map.of("sleep.idle-after", "1s"));
        Build feature = developmentBuild(platform, "feature", Map.of());
        String container = feature.containerId().orElseThrow();

        // Not idle long enough yet: nothing sleeps.
        assertThat(platform.sleep().sleepIdle()).isEmpty();
        Thread.sleep(1100);
        assertThat(platform.sleep().sleepIdle()).extracting(Build::id).containsExactly(feature.id());

        Build asleep = platform.builds().build(feature.id());
        assertThat(asleep.state()).isEqualTo(BuildState.SLEEPING);
        assertThat(asleep.message().orElseThrow()).isEqualTo("asleep: no request for 1 s");
        assertThat(asleep.containerId()).isEmpty();
        assertThat(runtime.inspect(container)).isEmpty();
        assertThat(containersOf(runtime, feature)).isEmpty();
        assertThat(databases.exists(feature.databaseName())).isTrue();
        // Production never sleeps.
        assertThat(platform.builds().build(production(platform).id()).state()).isEqualTo(BuildState.RUNNING);

        List<CompletableFuture<Build>> storm = IntStream.range(0, 20).parallel().mapToObj(request -> platform.sleep().wake(feature.id())).toList();
        List<Build> woken = storm.stream().map(future -> future.orTimeout(30, TimeUnit.SECONDS).join()).toList();

        assertThat(woken).extracting(Build::state).containsOnly(BuildState.RUNNING);
        assertThat(woken).extracting(Build::containerId).containsOnly(woken.get(0).containerId());
        assertThat(containersOf(runtime, feature)).hasSize(1);
        assertThat(platform.builds().build(feature.id()).message().orElseThrow()).isEqualTo("woken by a request");
        assertThat(platform.sleep().sleepIdle()).as("just woken: not idle").isEmpty();
    }

    @Test
    void testABuildThatCannotWakeSaysWhyAndIsNotTriedAgainByEveryRequest()
    {
        InMemoryRuntimeProvider runtime = fixture.runtime();
        Stagehand platform = platform(runtime, Map.of());
        Build feature = developmentBuild(platform, "feature", Map.of());
        platform.sleep().sleep(feature.id());
        databases.drop(feature.databaseName());

        CompletableFuture<Build> first = platform.sleep().wake(feature.id());

        assertThat(first).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(StagehandException.class).withMessageContaining("Build " + feature.id() + " could not wake")
                .withMessageContaining("rebuild it, or try again in a minute");
        Build asleep = platform.builds().build(feature.id());
        assertThat(asleep.state()).isEqualTo(BuildState.SLEEPING);
        assertThat(asleep.message().orElseThrow()).startsWith("asleep; waking it failed");
        assertThat(containersOf(runtime, feature)).isEmpty();
        // The next requests get the same answer at once.
        CompletableFuture<Build> again = platform.sleep().wake(feature.id());
        assertThat(again).isCompletedExceptionally();
    }

    @Test
    void testTheCapsPutTheLeastRecentlyUsedToSleepAndMakeRoomForAWake()
    {
        InMemoryRuntimeProvider runtime = fixture.runtime();
        Stagehand platform = platform(runtime, Map.of("sleep.max-running-per-project", "1"));
        Build first = developmentBuild(platform, "first", Map.of());
        Build second = developmentBuild(platform, "second", Map.of());
        platform.sleep().touch(second.id());

        assertThat(platform.sleep().sleepIdle()).extracting(Build::id).containsExactly(first.id());
        assertThat(platform.builds().build(first.id()).message().orElseThrow())
                .isEqualTo("asleep: project acme runs at most 1 builds at once (sleep.max-running-per-project), and this was the least recently used");

        // Waking the first makes room: the second, now the least recently used, sleeps.
        Build woken = platform.sleep().wake(first.id()).orTimeout(30, TimeUnit.SECONDS).join();

        assertThat(woken.state()).isEqualTo(BuildState.RUNNING);
        assertThat(platform.builds().build(second.id()).state()).isEqualTo(BuildState.SLEEPING);
        assertThat(containersOf(runtime, second)).isEmpty();
        assertThat(platform.builds().build(production(platform).id()).state()).as("production is not counted, and never sleeps").isEqualTo(BuildState.RUNNING);
    }

    @Test
    void testAPlatformStoppedDeadWhileABuildWakesFindsItAsleepAtItsNextStart()
    {
        InMemoryRuntimeProvider host = fixture.runtime();
        DyingRuntime dying = new DyingRuntime(host);
        Stagehand dead = fixture.platformThatDies(dying, Map.of());
        dead.projects().createProject(PROJECT, InMemoryPlatform.REPOSITORY, Optional.empty(), Optional.of("main"));
        fixture.awaitBuilds(dead, "main");
        // Its server answers only after 1.5 s: the platform dies while it waits for it.
        Build feature = developmentBuild(dead, "feature", Map.of("acme_sale/SLOW_START", ""));
        dead.sleep().sleep(feature.id());
        dead.sleep().wake(feature.id());
        InMemoryPlatform.awaitUntil(() -> !containersOf(host, feature).isEmpty());
        dying.die();

        Stagehand restarted = fixture.platform(host).start();

        Build after = restarted.builds().build(feature.id());
        assertThat(after.state()).isEqualTo(BuildState.SLEEPING);
        assertThat(containersOf(host, feature)).as("the container the wake started is removed").isEmpty();
        assertThat(databases.exists(feature.databaseName())).isTrue();
        Build woken = restarted.sleep().wake(feature.id()).orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(woken.state()).isEqualTo(BuildState.RUNNING);
    }

    private Stagehand platform(InMemoryRuntimeProvider runtime, Map<String, String> properties)
    {
        Stagehand platform = fixture.platform(runtime, properties);
        platform.projects().createProject(PROJECT, InMemoryPlatform.REPOSITORY, Optional.empty(), Optional.of("main"));
        assertThat(fixture.awaitBuilds(platform, "main").state()).isEqualTo(BuildState.RUNNING);
        return platform;
    }

    // A development build of a branch of its own, running.
    private Build developmentBuild(Stagehand platform, String branch, Map<String, String> files)
    {
        fixture.commit(branch, "acme_sale", "1.0", files);
        Build build = fixture.push(platform, branch);
        assertThat(build.stage()).isEqualTo(Stage.DEVELOPMENT);
        assertThat(build.state()).as(build.message().orElse("")).isEqualTo(BuildState.RUNNING);
        return build;
    }

    private static Build production(Stagehand platform)
    {
        return InMemoryPlatform.latest(platform, "main");
    }

    private static List<?> containersOf(InMemoryRuntimeProvider runtime, Build build)
    {
        return runtime.list(Map.of(Labels.BUILD, Long.toString(build.id()))).stream().filter(container -> container.state().isRunning()).toList();
    }
}
