package sh.stagehand.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerFile;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerState;
import sh.stagehand.spi.runtime.ImageRecipe;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.Mount;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
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
 * What every {@link RuntimeProvider} must do. Extend it, give it a provider and an image that has
 * {@code sh}, {@code cat} and {@code sleep}, and every test here must pass.
 */
public abstract class BaseRuntimeProviderContractTest
{
    private static final String RUN_LABEL = "sh.stagehand.contract-test-run";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger sequence = new AtomicInteger();

    /** The provider under test; the same instance for every test of one class. */
    protected abstract RuntimeProvider provider();

    /** An image the provider has locally, with {@code sh}, {@code cat} and {@code sleep}. */
    protected abstract String testImage();

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
                .withCommand("sh", "-c", "echo hello from stdout; echo oops >&2; echo second line; exit 3")
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
                .withCommand("sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.2; done")
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
                .withCommand("sh", "-c", "echo before; sleep 3; echo after")
                .build());
        Thread.sleep(1500);
        Instant since = Instant.now();
        List<String> lines = new CopyOnWriteArrayList<>();
        try (LogFollow follow = provider().followLogs(container.id(), since, line -> lines.add(line.text()))) {
            assertThat(follow.awaitCompletion(TIMEOUT)).isTrue();
        }
        assertThat(lines).containsExactly("after");
    }

    /**
     * A tenant's code may print one line of any length: it reaches the listener cut to
     * {@link LogLine#MAX_TEXT_BYTES} and marked, the line after it arrives, and the line is never
     * held whole (a gigabyte here: a runtime that buffered it would take that much heap or more).
     */
    @Test
    public void testCutsAnOverlongLineWithoutHoldingIt()
    {
        long lineBytes = 1L << 30;
        ContainerInfo container = provider().start(spec()
                .withCommand("sh", "-c", "head -c " + lineBytes + " /dev/zero | tr '\\0' x; echo; echo after")
                .build());
        // Heap outside the young generation: where a growing buffer (and every large array) ends up.
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && !pool.getName().contains("Eden"))
                .toList();
        System.gc();
        long before = heap.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        List<LogLine> lines = new CopyOnWriteArrayList<>();
        long started = System.nanoTime();
        try (LogFollow follow = provider().followLogs(container.id(), lines::add)) {
            assertThat(follow.awaitCompletion(Duration.ofMinutes(10))).as("log stream of a gigabyte line ends").isTrue();
        }
        long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();

        // Numbers first: a failure must not print a gigabyte.
        assertThat((peak - before) >> 20).as("MiB of heap (outside the young generation) taken while the line went by in %d s", Duration.ofNanos(System.nanoTime() - started).toSeconds())
                .isLessThan(256);
        assertThat(lines.size()).as("lines delivered").isEqualTo(2);
        assertThat(lines.get(0).text().length()).as("length of the cut line").isLessThanOrEqualTo(LogLine.MAX_TEXT_BYTES + 100);
        assertThat(lines.get(0).text()).isEqualTo("x".repeat(LogLine.MAX_TEXT_BYTES) + LogLine.cutMarker(lineBytes - LogLine.MAX_TEXT_BYTES));
        assertThat(lines.get(1).text()).isEqualTo("after");
    }

    @Test
    public void testPassesEnvironmentAndMounts(@TempDir Path directory)
            throws IOException
    {
        Files.writeString(directory.resolve("greeting.txt"), "hello from the host\n");
        ContainerInfo container = provider().start(spec()
                .withEnv("GREETING", "hello world, with 'quotes' and $dollars")
                .withMount(Mount.readOnly(directory.toAbsolutePath(), "/mnt/host"))
                .withCommand("sh", "-c", "echo \"$GREETING\"; cat /mnt/host/greeting.txt; touch /mnt/host/written 2>/dev/null || echo read-only")
                .build());

        assertThat(provider().awaitExit(container.id(), TIMEOUT)).isZero();
        assertThat(readAllLines(container.id()).stream().map(LogLine::text))
                .containsExactly("hello world, with 'quotes' and $dollars", "hello from the host", "read-only");
    }

    @Test
    public void testWritesFilesIntoTheContainerBeforeItStarts()
    {
        ContainerInfo container = provider().start(spec()
                .withCommand("sh", "-c", "echo user=$(id -un); stat -c '%a %U %n' /run/stagehand-contract/secret.conf; cat /run/stagehand-contract/secret.conf; "
                        + "echo more >> /run/stagehand-contract/secret.conf 2>/dev/null || echo read-only")
                .withFile(ContainerFile.secret("/run/stagehand-contract/secret.conf", "db_password = s3cret\n"))
                .build());

        assertThat(provider().awaitExit(container.id(), TIMEOUT)).isZero();
        List<String> lines = readAllLines(container.id()).stream().map(LogLine::text).toList();
        String user = lines.stream().filter(line -> line.startsWith("user=")).findFirst().orElseThrow().substring("user=".length());
        assertThat(lines).contains(
                "600 " + user + " /run/stagehand-contract/secret.conf",
                "db_password = s3cret",
                "read-only");
    }

    @Test
    public void testAContainerHasNoCapabilityGainsNoPrivilegeAndKeepsToItsProcessLimit()
    {
        // Even as root in its image: what runs there is a tenant's.
        ContainerInfo container = provider().start(spec()
                .withPidsLimit(40)
                .withCommand("sh", "-c", "grep -E '^(CapEff|NoNewPrivs):' /proc/self/status | tr -d '\\t'; "
                        + "perl -e 'my $n = 0; for (1 .. 100) { my $pid = fork; last unless defined $pid; if ($pid == 0) { sleep 10; exit 0 } $n++ } print qq(forked=$n\\n)'")
                .build());

        assertThat(provider().awaitExit(container.id(), TIMEOUT)).isZero();
        List<String> lines = readAllLines(container.id()).stream().map(LogLine::text).toList();
        assertThat(lines).contains("CapEff:0000000000000000", "NoNewPrivs:1");
        int forked = Integer.parseInt(lines.stream().filter(line -> line.startsWith("forked=")).findFirst().orElseThrow().substring("forked=".length()));
        assertThat(forked).as("processes started, of 100 asked for").isBetween(1, 39);
    }

    @Test
    public void testContainersOfDifferentTenantsCannotReachEachOther()
    {
        // Fixed tenants: what a runtime keeps per tenant (a network) is reused by the next run.
        String tenant = "contract-tenant-a";
        ContainerInfo server = provider().start(spec()
                .withTenant(tenant)
                .withCommand("sh", "-c", "echo address=$(tail -n 1 /etc/hosts | cut -f 1); exec perl -MIO::Socket::INET -e "
                        + "'$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die; while ($c = $s->accept) { print $c qq(hello from tenant a\\n); close $c }'")
                .build());
        String address = awaitLine(server.id(), "address=").substring("address=".length());
        String probe = "timeout 5 bash -c 'exec 3<>/dev/tcp/" + address + "/8080 && head -n 1 <&3' 2>/dev/null || echo unreachable";

        ContainerInfo sameTenant = provider().start(spec().withTenant(tenant).withCommand("bash", "-c", probe).build());
        ContainerInfo otherTenant = provider().start(spec().withTenant("contract-tenant-b").withCommand("bash", "-c", probe).build());

        assertThat(provider().awaitExit(sameTenant.id(), TIMEOUT)).isZero();
        assertThat(provider().awaitExit(otherTenant.id(), TIMEOUT)).isZero();
        assertThat(readAllLines(sameTenant.id()).stream().map(LogLine::text)).containsExactly("hello from tenant a");
        assertThat(readAllLines(otherTenant.id()).stream().map(LogLine::text)).as("another tenant's container").containsExactly("unreachable");
    }

    // The first line of a running container's output that starts so.
    private String awaitLine(String containerId, String prefix)
    {
        java.util.concurrent.CompletableFuture<String> found = new java.util.concurrent.CompletableFuture<>();
        try (LogFollow follow = provider().followLogs(containerId, line -> {
            if (line.text().startsWith(prefix)) {
                found.complete(line.text());
            }
        })) {
            return found.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        catch (Exception e) {
            throw new AssertionError("Container " + containerId + " printed no line starting " + prefix, e);
        }
    }

    @Test
    public void testListsContainersByLabel()
    {
        ContainerInfo first = provider().start(spec().withLabel("sh.stagehand.build", "first").withCommand("sleep", "60").build());
        ContainerInfo second = provider().start(spec().withLabel("sh.stagehand.build", "second").withCommand("true").build());

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
        ContainerInfo container = provider().start(spec().withCommand("sleep", "600").build());
        assertThat(provider().inspect(container.id()).orElseThrow().state().isRunning()).isTrue();

        long started = System.nanoTime();
        provider().stop(container.id(), Duration.ofSeconds(20));
        // An init process forwards SIGTERM to sleep: the container must not wait out the grace period.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(provider().inspect(container.id()).orElseThrow().state()).isEqualTo(ContainerState.EXITED);
        provider().stop(container.id(), Duration.ofSeconds(1));
    }

    @Test
    public void testPublishesPortsOnLoopback()
    {
        ContainerInfo container = provider().start(spec().withPublishedPort(8069).withCommand("sleep", "60").build());
        assertThat(container.hostPort(8069)).isBetween(1, 65535);
    }

    @Test
    public void testRemoveIsIdempotent()
    {
        ContainerInfo container = provider().start(spec().withCommand("sleep", "60").build());
        assertThat(provider().remove(container.id())).isTrue();
        assertThat(provider().remove(container.id())).isFalse();
        assertThat(provider().inspect(container.id())).isEmpty();
    }

    @Test
    public void testRejectsDuplicateName()
    {
        ContainerSpec spec = spec().withCommand("sleep", "60").build();
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
        ContainerInfo container = provider().start(spec().withCommand("sleep", "60").build());
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
                .withCommand("sh", "-c", "cat /mnt/stagehand-addons/sale_extra/__manifest__.py; test -e /mnt/stagehand-addons/.git && echo leaked || echo clean")
                .build());
        assertThat(provider().awaitExit(container.id(), TIMEOUT)).isZero();
        assertThat(readAllLines(container.id())).extracting(LogLine::text).containsExactly("{'name': 'Sale Extra'}", "clean");
        provider().remove(container.id());
        assertThat(provider().removeImage(imageTag())).isTrue();
        assertThat(provider().removeImage(imageTag())).isFalse();
    }

    @Test
    public void testPreparesImageFromARecipeAndReusesItWhileItsKeyIsUnchanged(@TempDir Path checkout)
            throws IOException
    {
        Files.writeString(checkout.resolve("greeting.txt"), "hello from the source\n");
        Files.createDirectories(checkout.resolve("sub"));
        Files.writeString(checkout.resolve("sub/name.txt"), "sub\n");
        // Each step where it says, in order, in one shell; only the output directory reaches the image.
        ImageRecipe recipe = new ImageRecipe("/tmp/contract-source", "/tmp/contract-output", Map.of("GREETING", "hello, recipe"), List.of(
                new ImageRecipe.Step("first step", "/tmp/contract-source", "mkdir -p /tmp/contract-output/opt/recipe && cp greeting.txt /tmp/contract-output/opt/recipe/ && export LATER=exported"),
                new ImageRecipe.Step("second step", "/tmp/contract-source/sub", "cat name.txt > /tmp/contract-output/opt/recipe/where.txt && echo \"$GREETING $LATER\" > /tmp/contract-output/opt/recipe/environment.txt && touch /tmp/not-in-the-image")),
                "contract-" + runId);
        List<LogLine> firstLog = new CopyOnWriteArrayList<>();

        PreparedImage first = provider().prepareImage(new ImageSpec(testImage(), checkout, "/mnt/stagehand-addons", Optional.of(recipe), imageTag(), Map.of(RUN_LABEL, runId), Optional.empty()), firstLog::add);

        assertThat(first.requirementsReused()).isFalse();
        assertThat(firstLog).extracting(LogLine::text).anySatisfy(line -> assertThat(line).contains("first step"));
        ContainerInfo container = provider().start(ContainerSpec.builder("contract-" + runId + "-recipe", first.tag())
                .withLabel(RUN_LABEL, runId)
                .withCommand("sh", "-c", "cat /opt/recipe/greeting.txt /opt/recipe/where.txt /opt/recipe/environment.txt; test -e /tmp/not-in-the-image || test -e /tmp/contract-source && echo leaked || echo clean")
                .build());
        assertThat(provider().awaitExit(container.id(), TIMEOUT)).isZero();
        assertThat(readAllLines(container.id())).extracting(LogLine::text).containsExactly("hello from the source", "sub", "hello, recipe exported", "clean");
        provider().remove(container.id());
        assertThat(provider().removeImage(imageTag())).isTrue();

        List<LogLine> secondLog = new CopyOnWriteArrayList<>();
        PreparedImage second = provider().prepareImage(new ImageSpec(testImage(), checkout, "/mnt/stagehand-addons", Optional.of(recipe), imageTag(), Map.of(RUN_LABEL, runId), Optional.empty()), secondLog::add);
        assertThat(second.requirementsReused()).isTrue();
        assertThat(second.requirementsImage()).isEqualTo(first.requirementsImage());
        assertThat(secondLog).extracting(LogLine::text).noneSatisfy(line -> assertThat(line).contains("first step"));
        provider().removeImage(first.requirementsImage());
    }

    @Test
    public void testFailedRequirementsInstallIsReportedWithItsLog(@TempDir Path checkout)
            throws IOException
    {
        Files.writeString(checkout.resolve("requirements.txt"), "--no-index\nno-such-distribution-" + runId + "==1.0\n");
        List<LogLine> pipLog = new CopyOnWriteArrayList<>();

        ImageRecipe pip = new ImageRecipe("/tmp/contract-source", "/tmp/contract-output", Map.of(),
                List.of(new ImageRecipe.Step("pip install -r requirements.txt", "/tmp/contract-source", "pip3 install --root /tmp/contract-output -r requirements.txt")), "contract-failing-" + runId);

        assertThatThrownBy(() -> provider().prepareImage(new ImageSpec(testImage(), checkout, "/mnt/stagehand-addons", Optional.of(pip), imageTag(), Map.of(), Optional.empty()), pipLog::add))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PROVIDER_ERROR.toErrorCode()));
        assertThat(pipLog).extracting(LogLine::text).anySatisfy(line -> assertThat(line).contains("requirements.txt"));
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
