package sh.stagehand.swarm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.testkit.BaseLinuxRuntimeProviderContractTest;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingSwarm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Swarm runtime on a real Swarm of three engines ({@link TestingSwarm}): every runtime's
 * contract and the hostile-tenant checks, as on one engine; and what a cluster adds: containers
 * spread over the workers, and a server moved to the other worker when its node is drained.
 */
class SwarmRuntimeProviderIT
        extends BaseLinuxRuntimeProviderContractTest
{
    private static final String BASE_IMAGE = TestingEnvironment.get().get("docker.base-image", "local/debian:bookworm");

    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();
    @RegisterExtension
    static final TestingSwarm swarm = new TestingSwarm(BASE_IMAGE);

    private static SwarmRuntimeProvider provider;

    @BeforeAll
    static void createProvider()
    {
        Map<String, String> keys = new HashMap<>(swarm.keys());
        keys.remove("swarm.platform-address");
        provider = new SwarmRuntimeProvider(SwarmConfig.fromMap(keys), "contract-tests");
    }

    @AfterAll
    static void closeProvider()
    {
        if (provider != null) {
            provider.close();
        }
    }

    @Override
    protected RuntimeProvider provider()
    {
        return provider;
    }

    @Override
    protected String testImage()
    {
        return BASE_IMAGE;
    }

    @Test
    void testServersSpreadOverTheWorkersAndMoveWhenTheirNodeIsDrained()
            throws Exception
    {
        ContainerInfo first = provider.start(spec().withPublishedPort(8080).withCommand(serverCommand()).build());
        ContainerInfo second = provider.start(spec().withPublishedPort(8080).withCommand(serverCommand()).build());
        assertThat(Set.of(first.host(), second.host())).as("one on each worker").hasSize(2).doesNotContain(ContainerInfo.LOOPBACK);
        assertThat(answer(first)).isEqualTo("hello from the swarm");

        String drained = first.host();
        swarm.drain(drained, true);
        try {
            ContainerInfo moved = awaitMoved(first.id(), drained);
            assertThat(moved.host()).isEqualTo(second.host());
            assertThat(answer(moved)).isEqualTo("hello from the swarm");
        }
        finally {
            swarm.drain(drained, false);
        }
    }

    @Test
    void testAnotherTenantCannotReachABuildsPublishedPortPastThePlatform()
            throws Exception
    {
        ContainerInfo server = provider.start(spec().withTenant("contract-tenant-a").withPublishedPort(8080).withCommand(serverCommand()).build());
        // The platform reaches it where it is published.
        assertThat(answer(server)).isEqualTo("hello from the swarm");

        // Another tenant's container, on either worker, does not: neither at the node's address nor past it.
        String probe = "timeout 5 bash -c 'exec 3<>/dev/tcp/" + server.host() + "/" + server.hostPort(8080) + " && head -n 1 <&3' 2>/dev/null || echo unreachable";
        for (int attempt = 0; attempt < 2; attempt++) {
            ContainerInfo intruder = provider.start(spec().withTenant("contract-tenant-b").withCommand("bash", "-c", probe).build());
            assertThat(provider.awaitExit(intruder.id(), TIMEOUT)).isZero();
            assertThat(readAllLines(intruder.id())).extracting(sh.stagehand.spi.runtime.LogLine::text).containsExactly("unreachable");
        }
    }

    private ContainerInfo awaitMoved(String id, String from)
            throws InterruptedException
    {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            ContainerInfo now = provider.inspect(id).orElseThrow();
            if (now.state().isRunning() && !now.host().equals(from) && now.publishedPorts().containsKey(8080)) {
                return now;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Container " + id + " did not move off " + from + ": " + provider.inspect(id));
    }


    private static String answer(ContainerInfo container)
            throws IOException, InterruptedException
    {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(container.host(), container.hostPort(8080)), 2000);
                socket.setSoTimeout(5000);
                String line = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!line.isEmpty()) {
                    return line;
                }
            }
            catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
            }
            Thread.sleep(250);
        }
    }

    private static java.util.List<String> serverCommand()
    {
        return java.util.List.of("perl", "-MIO::Socket::INET", "-e",
                "$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die; while ($c = $s->accept) { print $c qq(hello from the swarm\\n); close $c }");
    }
}
