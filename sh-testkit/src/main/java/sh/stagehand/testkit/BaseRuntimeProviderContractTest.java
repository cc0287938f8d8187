package sh.stagehand.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerStats;
import sh.stagehand.spi.runtime.ContainerState;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link RuntimeProvider} must do with containers and images, whatever runs in them:
 * start, exit codes, output and its following, labels, stopping, published ports, removal, names,
 * images of the checked-out sources. What runs is said through the commands of
 * {@link #printCommand}, {@link #printSlowlyCommand}, {@link #sleepCommand} and
 * {@link #printFilesCommand}, so that a runtime that is not Linux containers (an in-memory one)
 * passes the same checks; {@link BaseLinuxRuntimeProviderContractTest} adds what a runtime of Linux
 * containers must do for hostile tenants, with {@code sh} in its test image.
 */
public abstract class BaseRuntimeProviderContractTest
{
    protected static final String RUN_LABEL = "sh.stagehand.contract-test-run";
    protected static final Duration TIMEOUT = Duration.ofSeconds(60);

    protected final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger sequence = new AtomicInteger();

    /** The provider under test; the same instance for every test of one class. */
    protected abstract RuntimeProvider provider();

    /** An image the provider has locally, which runs the commands below. */
    protected abstract String testImage();

    /** A command that prints {@code out} on standard output and {@code err} on standard error, then exits with {@code exitCode}. */
    protected abstract List<String> printCommand(List<String> out, List<String> err, int exitCode);

    /** A command that prints the lines on standard output, waiting {@code pause} between two, then exits with 0. */
    protected abstract List<String> printSlowlyCommand(List<String> lines, Duration pause);

    /** A command that runs until it is stopped, and then ends at once. */
    protected abstract List<String> sleepCommand();

    /**
     * A command that prints, for each path in the container, the lines of the file there, or
     * {@code missing} where there is nothing, then exits with 0.
     */
    protected abstract List<String> printFilesCommand(List<String> paths);

    @AfterEach
    public void removeContainers()
    {
        for (ContainerInfo container : provider().list(Map.of(RUN_LABEL, runId))) {
            provider().remove(container.id());
        }
        provider().removeImage(imageTag());
    }

    /** The tag of the image a test prepares. */
    protected String imageTag()
    {
        return "stagehand/contract-test:" + runId;
    }

    protected ContainerSpec.Builder spec()
    {
        return ContainerSpec.builder("contract-" + runId + "-" + sequence.incrementAndGet(), testImage())
                .withLabel(RUN_LABEL, runId);
    }

    @Test
    public void testRunsContainerAndReadsWhatItPrinted()
    {
        ContainerInfo container = provider().start(spec()
                .withCommand(printCommand(List.of("hello from stdout", "second line"), List.of("oops"), 3))
                .build());

        assertThat(provider().awaitExit(container.id(), TIMEOUT)).isEqualTo(3);
        List<LogLine> lines = readAllLines(container.id());
        assertThat(lines).contains(
                new LogLine(LogLine.Stream.STDOUT, "hello from stdout"),
                new LogLine(LogLine.Stream.STDERR, "oops"),
                new LogLine(LogLine.Stream.STDOUT, "second line"));
        assertThat(lines.stream().filter(line -> line.stream() == LogLine.Stream.STDOUT).map(LogLine::text))
                .containsExactly("hello from stdout", "second line");
        assertThat(provider().inspect(container.id()).orElseThrow())
                .satisfies(info -> assertThat(info.state()).isEqualTo(ContainerState.EXITED))
                .satisfies(info -> assertThat(info.exitCode()).contains(3));
    }

    @Test
    public void testFollowsLogsOfRunningContainerUntilItExits()
    {
        ContainerInfo container = provider().start(spec()
                .withCommand(printSlowlyCommand(List.of("line 1", "line 2", "line 3"), Duration.ofMillis(200)))
                .build());
        List<String> lines = new CopyOnWriteArrayList<>();
        try (LogFollow follow = provider().followLogs(container.id(), line -> lines.add(line.text()))) {
            assertThat(follow.awaitCompletion(TIMEOUT)).isTrue();
        }
        assertThat(lines).containsExactly("line 1", "line 2", "line 3");
    }

    @Test
    public void testFollowsLogsFromAPointInTime()
            throws InterruptedException
    {
        ContainerInfo container = provider().start(spec()
                .withCommand(printSlowlyCommand(List.of("before", "after"), Duration.ofSeconds(3)))
                .build());
        Thread.sleep(1500);
        Instant since = Instant.now();
        List<String> lines = new CopyOnWriteArrayList<>();
        try (LogFollow follow = provider().followLogs(container.id(), since, line -> lines.add(line.text()))) {
            assertThat(follow.awaitCompletion(TIMEOUT)).isTrue();
        }
        assertThat(lines).containsExactly("after");
    }

    @Test
    public void testListsContainersByLabel()
    {
        ContainerInfo first = provider().start(spec().withLabel("sh.stagehand.build", "first").withCommand(sleepCommand()).build());
        ContainerInfo second = provider().start(spec().withLabel("sh.stagehand.build", "second").withCommand(printCommand(List.of(), List.of(), 0)).build());

        assertThat(provider().list(Map.of(RUN_LABEL, runId))).extracting(ContainerInfo::id)
                .containsExactlyInAnyOrder(first.id(), second.id());
        assertThat(provider().list(Map.of(RUN_LABEL, runId, "sh.stagehand.build", "first")))
                .singleElement()
                .satisfies(info -> assertThat(info.name()).isEqualTo(first.name()))
                .satisfies(info -> assertThat(info.labels()).containsEntry("sh.stagehand.build", "first"))
                .satisfies(info -> assertThat(info.state()).isEqualTo(ContainerState.RUNNING));
    }

    @Test
    public void testStopsRunningContainerWithinGracePeriod()
    {
        ContainerInfo container = provider().start(spec().withCommand(sleepCommand()).build());
        assertThat(provider().inspect(container.id()).orElseThrow().state().isRunning()).isTrue();

        long started = System.nanoTime();
        provider().stop(container.id(), Duration.ofSeconds(20));
        // What runs is asked to stop, and does: the container must not wait out the grace period.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(provider().inspect(container.id()).orElseThrow().state()).isEqualTo(ContainerState.EXITED);
        provider().stop(container.id(), Duration.ofSeconds(1));
    }

    @Test
    public void testReadsWhatARunningContainerUses()
    {
        long limit = 256L << 20;
        ContainerInfo container = provider().start(spec().withMemoryLimit(limit).withCommand(sleepCommand()).build());

        ContainerStats first = provider().stats(container.id()).orElseThrow();
        assertThat(first.memoryBytes()).isPositive().isLessThanOrEqualTo(limit);
        assertThat(first.memoryLimitBytes()).isEqualTo(limit);
        ContainerStats second = provider().stats(container.id()).orElseThrow();
        assertThat(second.cpuNanos()).isGreaterThanOrEqualTo(first.cpuNanos());
        assertThat(second.at()).isAfterOrEqualTo(first.at());

        provider().stop(container.id(), Duration.ofSeconds(5));
        assertThat(provider().stats(container.id())).isEmpty();
        assertThatThrownBy(() -> provider().stats("no-such-container-" + runId))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testPublishesPortsOnLoopback()
    {
        ContainerInfo container = provider().start(spec().withPublishedPort(8069).withCommand(sleepCommand()).build());
        assertThat(container.hostPort(8069)).isBetween(1, 65535);
    }

    @Test
    public void testRemoveIsIdempotent()
    {
        ContainerInfo container = provider().start(spec().withCommand(sleepCommand()).build());
        assertThat(provider().remove(container.id())).isTrue();
        assertThat(provider().remove(container.id())).isFalse();
        assertThat(provider().inspect(container.id())).isEmpty();
    }

    @Test
    public void testRejectsDuplicateName()
    {
        ContainerSpec spec = spec().withCommand(sleepCommand()).build();
        provider().start(spec);
        assertThatThrownBy(() -> provider().start(spec))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()))
                .hasMessageContaining(spec.name());
    }

    @Test
    public void testRejectsUnknownImage()
    {
        ContainerSpec spec = ContainerSpec.builder("contract-" + runId + "-missing", "local/no-such-image:" + runId)
                .withLabel(RUN_LABEL, runId)
                .build();
        assertThatThrownBy(() -> provider().start(spec))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()))
                .hasMessageContaining("local/no-such-image:" + runId);
    }

    @Test
    public void testUnknownContainer()
    {
        assertThat(provider().inspect("no-such-container-" + runId)).isEmpty();
        assertThat(provider().remove("no-such-container-" + runId)).isFalse();
        assertThatThrownBy(() -> provider().awaitExit("no-such-container-" + runId, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testAwaitExitTimesOut()
    {
        ContainerInfo container = provider().start(spec().withCommand(sleepCommand()).build());
        assertThatThrownBy(() -> provider().awaitExit(container.id(), Duration.ofMillis(300)))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.TIMEOUT.toErrorCode()));
    }

    @Test
    public void testPreparesImageWithTheCheckedOutSources(@TempDir Path checkout)
            throws IOException
    {
        Files.createDirectories(checkout.resolve("sale_extra"));
        Files.writeString(checkout.resolve("sale_extra/__manifest__.py"), "{'name': 'Sale Extra'}\n");
        Files.createDirectories(checkout.resolve(".git"));
        Files.writeString(checkout.resolve(".git/config"), "not for the image\n");
        List<LogLine> pipLog = new CopyOnWriteArrayList<>();

        PreparedImage image = provider().prepareImage(new ImageSpec(testImage(), checkout, "/mnt/stagehand-addons", Optional.empty(), imageTag(), Map.of(RUN_LABEL, runId), Optional.empty()), pipLog::add);

        assertThat(image.tag()).isEqualTo(imageTag());
        assertThat(image.requirementsReused()).isTrue();
        ContainerInfo container = provider().start(ContainerSpec.builder("contract-" + runId + "-image", image.tag())
                .withLabel(RUN_LABEL, runId)
                .withCommand(printFilesCommand(List.of("/mnt/stagehand-addons/sale_extra/__manifest__.py", "/mnt/stagehand-addons/.git")))
                .build());
        assertThat(provider().awaitExit(container.id(), TIMEOUT)).isZero();
        assertThat(readAllLines(container.id())).extracting(LogLine::text).containsExactly("{'name': 'Sale Extra'}", "missing");
        provider().remove(container.id());
        assertThat(provider().removeImage(imageTag())).isTrue();
        assertThat(provider().removeImage(imageTag())).isFalse();
    }

    @Test
    public void testUnknownBaseImage(@TempDir Path checkout)
    {
        assertThatThrownBy(() -> provider().prepareImage(new ImageSpec("local/no-such-image:" + runId, checkout, "/mnt/x", Optional.empty(), imageTag(), Map.of(), Optional.empty()), line -> {}))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()))
                .hasMessageContaining("local/no-such-image:" + runId);
    }

    protected List<LogLine> readAllLines(String containerId)
    {
        List<LogLine> lines = new CopyOnWriteArrayList<>();
        try (LogFollow follow = provider().followLogs(containerId, lines::add)) {
            assertThat(follow.awaitCompletion(TIMEOUT)).as("log stream of an exited container ends").isTrue();
        }
        return List.copyOf(lines);
    }
}
