package sh.stagehand.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerFile;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerState;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.spi.runtime.ImageRecipe;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.Mount;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.runtime.TerminalSize;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a {@link RuntimeProvider} of Linux containers (Docker, and a cluster of them) must do beyond
 * {@link BaseRuntimeProviderContractTest}: a tenant's code runs there, hostile, so a line of any
 * length, the environment, mounts and secret files, capabilities, process limits and tenants'
 * networks are checked, and images made from recipes. Give it an image with {@code sh},
 * {@code bash}, {@code cat}, {@code sleep}, {@code perl} and {@code pip3}.
 */
public abstract class BaseLinuxRuntimeProviderContractTest
        extends BaseRuntimeProviderContractTest
{
    @Override
    protected List<String> printCommand(List<String> out, List<String> err, int exitCode)
    {
        return List.of("sh", "-c", printf(out) + "; " + printf(err) + " >&2; exit " + exitCode);
    }

    @Override
    protected List<String> printSlowlyCommand(List<String> lines, Duration pause)
    {
        String sleep = "; sleep " + pause.toMillis() / 1000.0 + "; ";
        return List.of("sh", "-c", String.join(sleep, lines.stream().map(line -> printf(List.of(line))).toList()));
    }

    @Override
    protected List<String> sleepCommand()
    {
        // An init process forwards SIGTERM to sleep.
        return List.of("sleep", "600");
    }

    @Override
    protected List<String> printFilesCommand(List<String> paths)
    {
        return List.of("sh", "-c", String.join("; ", paths.stream().map(path -> "if [ -e %1$s ]; then cat %1$s; else echo missing; fi".formatted(quote(path))).toList()));
    }

    private static String printf(List<String> lines)
    {
        return lines.isEmpty() ? "true" : "printf '%s\\n' " + String.join(" ", lines.stream().map(BaseLinuxRuntimeProviderContractTest::quote).toList());
    }

    private static String quote(String text)
    {
        return "'" + text.replace("'", "'\\''") + "'";
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
    public void testACheckoutIsTheContainersUsersToChangeOnlyWhenItIsGivenToThem(@TempDir Path checkout)
            throws IOException
    {
        Files.writeString(checkout.resolve("module.py"), "x = 1\n");
        ImageSpec readOnly = new ImageSpec(testImage(), checkout, "/mnt/stagehand-addons", Optional.empty(), imageTag(), Map.of(RUN_LABEL, runId), Optional.empty());
        for (ImageSpec spec : List.of(readOnly, readOnly.withSourceOwner("1000:1000"))) {
            PreparedImage image = provider().prepareImage(spec, line -> {});
            ContainerInfo container = provider().start(ContainerSpec.builder("contract-" + runId + "-owner", image.tag())
                    .withLabel(RUN_LABEL, runId)
                    .withUser("1000:1000")
                    .withCommand("sh", "-c", "{ echo 'x = 2' > /mnt/stagehand-addons/module.py; } 2>/dev/null && echo changed || echo read-only")
                    .build());
            assertThat(provider().awaitExit(container.id(), TIMEOUT)).isZero();
            assertThat(readAllLines(container.id())).extracting(LogLine::text).containsExactly(spec.sourceOwner().isPresent() ? "changed" : "read-only");
            provider().remove(container.id());
            provider().removeImage(imageTag());
        }
        assertThatThrownBy(() -> readOnly.withSourceOwner("1000:1000\nRUN id"))
                .as("nothing but uid:gid reaches a Dockerfile").isInstanceOf(IllegalArgumentException.class);
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
    public void testATerminalRunsAsItsUserConfinedAndResizable()
            throws InterruptedException
    {
        ContainerInfo container = provider().start(spec().withCommand(sleepCommand()).build());
        TestingTerminal terminal = new TestingTerminal();
        ExecSpec shell = ExecSpec.of("sh").withUser("1000:1000").withWorkingDirectory("/tmp").withEnvironment(Map.of("GREETING", "hello"));
        try (ExecSession session = provider().exec(container.id(), shell, terminal)) {
            // What is typed is echoed: the answers below are told from it by what the shell expands.
            type(session, "echo \"id=$(id -u) in $(pwd) $GREETING term=$TERM\"; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status | tr -d '\\t'");
            terminal.await("NoNewPrivs:1", TIMEOUT);
            assertThat(terminal.text()).contains("id=1000 in /tmp hello term=xterm-256color", "CapEff:0000000000000000");

            session.resize(new TerminalSize(123, 45));
            type(session, "stty size");
            terminal.await("45 123", TIMEOUT);

            type(session, "exit 7");
            assertThat(terminal.awaitExit(TIMEOUT)).hasValue(7);
            assertThat(session.isOpen()).isFalse();
            session.write("ignored\r".getBytes(UTF_8));
        }
    }

    @Test
    public void testClosingATerminalEndsWhatItStarted()
            throws InterruptedException
    {
        ContainerInfo container = provider().start(spec().withCommand(sleepCommand()).build());
        TestingTerminal terminal = new TestingTerminal();
        // sh: a shell that passes no SIGHUP on to its jobs; a job in the background and one in front.
        ExecSession session = provider().exec(container.id(), ExecSpec.of("sh"), terminal);
        type(session, "sleep 777 & echo sta''rted; sleep 778");
        terminal.await("started", TIMEOUT);
        assertThat(sleepers(container.id())).isEqualTo(2);

        session.close();

        assertThat(terminal.awaitExit(TIMEOUT)).isNotNull();
        assertThat(session.isOpen()).isFalse();
        assertThat(sleepers(container.id())).as("processes the closed terminal started").isZero();
        session.close();
    }

    @Test
    public void testACommandWithoutATerminalHasItsStreamsApartReadsItsInputsEndAndEndsWithItsSession()
            throws InterruptedException
    {
        ContainerInfo container = provider().start(spec().withCommand(sleepCommand()).build());
        TestingTerminal command = new TestingTerminal();
        try (ExecSession session = provider().exec(container.id(), ExecSpec.of("sh", "-c", "tr a-z A-Z; echo done >&2; exit 3").withoutTerminal(), command)) {
            session.write("piped\nlines\n".getBytes(UTF_8));
            session.closeInput();
            assertThat(command.awaitExit(TIMEOUT)).hasValue(3);
            assertThat(command.text()).as("nothing echoed, no line ending changed").isEqualTo("PIPED\nLINES\n");
            assertThat(command.errorText()).isEqualTo("done\n");
        }

        TestingTerminal waiting = new TestingTerminal();
        ExecSession session = provider().exec(container.id(), ExecSpec.of("sh", "-c", "sleep 7\"\"77 & echo started; cat").withoutTerminal(), waiting);
        waiting.await("started", TIMEOUT);
        assertThat(sleepers(container.id())).isEqualTo(1);
        session.close();
        assertThat(waiting.awaitExit(TIMEOUT)).isNotNull();
        assertThat(sleepers(container.id())).as("what the closed command started").isZero();
    }

    @Test
    public void testAPidFileRewrittenToNameTheContainersOwnProcessesEndsNothingButTheTerminal()
            throws InterruptedException
    {
        ContainerInfo container = provider().start(spec().withCommand(sleepCommand()).build());
        TestingTerminal terminal = new TestingTerminal();
        ExecSession session = provider().exec(container.id(), ExecSpec.of("sh"), terminal);
        // What a tenant's process could do to a shell someone else opened in its container.
        type(session, "for f in /tmp/.stagehand-exec-*; do echo 1 > $f; done; echo rewrit''ten");
        terminal.await("rewritten", TIMEOUT);
        session.close();
        // Its main process would end, and the container with it, a moment after a signal.
        Thread.sleep(2000);
        assertThat(provider().inspect(container.id()).orElseThrow().state()).as("the container's own processes").isEqualTo(ContainerState.RUNNING);
    }

    @Test
    public void testATerminalEndsWithItsContainerAndNeedsARunningOne()
            throws InterruptedException
    {
        ContainerInfo container = provider().start(spec().withCommand(sleepCommand()).build());
        TestingTerminal terminal = new TestingTerminal();
        try (ExecSession session = provider().exec(container.id(), ExecSpec.of("sh"), terminal)) {
            type(session, "echo rea''dy");
            terminal.await("ready", TIMEOUT);
            provider().stop(container.id(), Duration.ofSeconds(5));
            terminal.awaitExit(TIMEOUT);
            assertThat(session.isOpen()).isFalse();
        }
        assertThatThrownBy(() -> provider().exec(container.id(), ExecSpec.of("sh"), new TestingTerminal()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CONFLICT.toErrorCode()));
        assertThatThrownBy(() -> provider().exec("no-such-container-" + runId, ExecSpec.of("sh"), new TestingTerminal()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    private static void type(ExecSession session, String line)
    {
        session.write((line + "\r").getBytes(UTF_8));
    }

    // The sleep 777 and 778 processes running in the container, counted through a terminal of their own.
    private int sleepers(String containerId)
            throws InterruptedException
    {
        TestingTerminal terminal = new TestingTerminal();
        try (ExecSession session = provider().exec(containerId, ExecSpec.of("sh", "-c", "echo count=$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -o 'sleep 77[78]' | wc -l)"), terminal)) {
            terminal.awaitExit(TIMEOUT);
        }
        String text = terminal.text();
        int at = text.indexOf("count=");
        assertThat(at).as(text).isNotNegative();
        return Integer.parseInt(text.substring(at + "count=".length()).strip());
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
}
