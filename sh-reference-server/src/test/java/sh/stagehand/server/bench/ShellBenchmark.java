package sh.stagehand.server.bench;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.server.ReferenceServer;
import sh.stagehand.server.ServerConfig;
import sh.stagehand.server.TestingShells;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;
import sh.stagehand.testkit.TestingWebSocket;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A benchmark, not a test: run by {@code bin/bench shell}, never by {@code bin/test}. In one run,
 * on a running development build:
 * <ul>
 * <li>a keystroke's echo, round trip, through the web shell (websocket, platform, the engine's
 *     exec, the terminal), against the same through the runtime's terminal alone (the engine's
 *     exec, no websocket or platform) as the baseline;</li>
 * <li>the server's heap and threads per open web shell.</li>
 * </ul>
 * The figures go to {@code target/bench/shell.md}.
 */
class ShellBenchmark
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final int KEYSTROKES = Integer.getInteger("bench.keystrokes", 500);
    private static final int SESSIONS = Integer.getInteger("bench.sessions", 50);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static Build build;
    private static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void startPlatformWithARunningBuild()
            throws Exception
    {
        Map<String, String> properties = sh.stagehand.server.TestingPlatform.properties("shell-bench", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        properties.put("shell.max-per-account", Integer.toString(SESSIONS + 10));
        stagehand = sh.stagehand.server.Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = sh.stagehand.server.TestingAccounts.adminToken(stagehand);
        TestingGitRepository repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        repository.writeFile("bench_shell/__manifest__.py", "{'name': 'Bench', 'version': '17.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}\n");
        repository.writeFile("bench_shell/__init__.py", "");
        repository.commit("Bench");
        stagehand.projects().createProject("shellbench", repository.url(), Optional.empty(), Optional.empty());
        build = sh.stagehand.server.TestingBuilds.await(stagehand, stagehand.builds().builds("shellbench", "main").get(0).id(), Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopPlatform()
            throws Exception
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            stagehand.builds().builds("shellbench", "main").forEach(each -> stagehand.builds().discard(each.id()));
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
        Path out = Path.of("target/bench/shell.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
        System.out.println(String.join("\n", report));
    }

    @Test
    void benchmarkKeystrokeEchoAndMemoryPerSession()
            throws Exception
    {
        report.add("## The web shell, %s (%d cores)".formatted(java.time.LocalDate.now(), Runtime.getRuntime().availableProcessors()));
        report.add("");
        report.add("A keystroke's echo, round trip, %d keystrokes after 50 to warm up, each sent when the last one's echo came back (`cat` in the foreground: the terminal echoes):".formatted(KEYSTROKES));
        report.add("");
        report.add("| path | p50 | p90 | p99 | max |");
        report.add("|---|---|---|---|---|");
        report.add(row("the runtime's terminal alone (the engine's exec; baseline)", runtimeEcho()));
        report.add(row("the web shell (websocket, platform, the engine's exec)", webShellEcho()));
        report.add(row("SSH (MINA sshd's client and server, platform, the engine's exec)", sshEcho()));
        report.add("");
        memoryPerSession();
        memoryPerSshSession();
    }

    // Through RuntimeProvider.exec, as the platform opens it, without websocket or platform.
    private static long[] runtimeEcho()
            throws Exception
    {
        Object lock = new Object();
        long[] received = new long[1];
        ExecListener counter = new ExecListener()
        {
            @Override
            public void onOutput(byte[] data)
            {
                synchronized (lock) {
                    received[0] += data.length;
                    lock.notifyAll();
                }
            }

            @Override
            public void onExit(OptionalInt exitCode)
            {
            }
        };
        try (ExecSession session = stagehand.runtime().exec(build.containerId().orElseThrow(), ExecSpec.of("cat"), counter)) {
            Thread.sleep(500);
            return measure(input -> session.write(input), () -> {
                synchronized (lock) {
                    return received[0];
                }
            }, (count, timeout) -> {
                long deadline = System.nanoTime() + timeout.toNanos();
                synchronized (lock) {
                    while (received[0] < count && System.nanoTime() < deadline) {
                        lock.wait(10);
                    }
                }
            });
        }
    }

    private static long[] webShellEcho()
            throws Exception
    {
        try (TestingWebSocket shell = openShell()) {
            shell.sendBinary("stty -echoctl; exec cat\r".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(1500);
            return measure(shell::sendBinary, () -> shell.binaryText().getBytes(StandardCharsets.UTF_8).length, shell::awaitBinaryBytes);
        }
    }

    // Through the SSH server, from an SSH client in this JVM with a key of the admin's profile.
    private static long[] sshEcho()
            throws Exception
    {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (SshShell shell = SshShell.open(client)) {
                shell.send("stty -echoctl; exec cat\r".getBytes(StandardCharsets.UTF_8));
                Thread.sleep(1500);
                return measure(shell::send, shell::received, shell::await);
            }
        }
    }

    private static void memoryPerSshSession()
            throws Exception
    {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            Thread.sleep(2000);
            long heapBefore = usedHeap();
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            List<SshShell> shells = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                SshShell shell = SshShell.open(client);
                shell.send("echo o''pen\r".getBytes(StandardCharsets.UTF_8));
                shell.await("open".length() * 2L + 10, TIMEOUT);
                shells.add(shell);
            }
            long heapOpen = usedHeap();
            int threadsOpen = ManagementFactory.getThreadMXBean().getThreadCount();
            for (SshShell shell : shells) {
                shell.close();
            }
            report.add("With %d SSH sessions open: the server's heap %.1f MB more (%.0f KB a session), %d more threads (%.1f a session; this JVM's SSH client included)."
                    .formatted(SESSIONS, (heapOpen - heapBefore) / 1e6, (heapOpen - heapBefore) / 1e3 / SESSIONS, threadsOpen - threadsBefore, (threadsOpen - threadsBefore) / (double) SESSIONS));
        }
    }

    // One SSH shell with a terminal: bytes sent, bytes received counted.
    private static final class SshShell
            implements AutoCloseable
    {
        private static KeyPair key;
        private final ClientSession session;
        private final ChannelShell channel;
        private final OutputStream keyboard;
        private final Object lock = new Object();
        private long received;

        private SshShell(ClientSession session)
                throws Exception
        {
            this.session = session;
            this.channel = session.createShellChannel();
            channel.setPtyType("xterm");
            PipedInputStream input = new PipedInputStream(64 * 1024);
            keyboard = new PipedOutputStream(input);
            channel.setIn(input);
            OutputStream screen = new OutputStream()
            {
                @Override
                public void write(int b)
                {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] data, int offset, int length)
                {
                    synchronized (lock) {
                        received += length;
                        lock.notifyAll();
                    }
                }
            };
            channel.setOut(screen);
            channel.setErr(screen);
            channel.open().verify(TIMEOUT);
        }

        static synchronized SshShell open(SshClient client)
                throws Exception
        {
            if (key == null) {
                key = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
                stagehand.accounts().addSshKey(stagehand.accounts().account("admin"), PublicKeyEntry.toString(key.getPublic()), "bench");
            }
            ClientSession session = client.connect(Long.toString(build.id()), "127.0.0.1", server.sshPort()).verify(TIMEOUT).getSession();
            session.addPublicKeyIdentity(key);
            session.auth().verify(TIMEOUT);
            return new SshShell(session);
        }

        void send(byte[] input)
                throws IOException
        {
            keyboard.write(input);
            keyboard.flush();
        }

        long received()
        {
            synchronized (lock) {
                return received;
            }
        }

        void await(long count, Duration timeout)
                throws InterruptedException
        {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lock) {
                while (received < count && System.nanoTime() < deadline) {
                    lock.wait(10);
                }
            }
        }

        @Override
        public void close()
                throws IOException
        {
            channel.close(true);
            session.close(true);
        }
    }

    private interface Sender
    {
        void send(byte[] input)
                throws Exception;
    }

    private interface Counter
    {
        long count()
                throws Exception;
    }

    private interface Waiter
    {
        void await(long count, Duration timeout)
                throws Exception;
    }

    // Nanoseconds of each round trip: a byte sent, its echo (one byte) come back.
    private static long[] measure(Sender sender, Counter counter, Waiter waiter)
            throws Exception
    {
        long[] times = new long[KEYSTROKES];
        for (int i = -50; i < KEYSTROKES; i++) {
            long before = counter.count();
            long started = System.nanoTime();
            sender.send(new byte[] {'x'});
            waiter.await(before + 1, TIMEOUT);
            if (i >= 0) {
                times[i] = System.nanoTime() - started;
            }
        }
        Arrays.sort(times);
        return times;
    }

    private static void memoryPerSession()
            throws Exception
    {
        Thread.sleep(2000);
        long heapBefore = usedHeap();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<TestingWebSocket> shells = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            TestingWebSocket shell = openShell();
            shell.sendBinary("echo o''pen\r".getBytes(StandardCharsets.UTF_8));
            shell.awaitBinaryText("open", TIMEOUT);
            shells.add(shell);
        }
        long heapOpen = usedHeap();
        int threadsOpen = ManagementFactory.getThreadMXBean().getThreadCount();
        shells.forEach(TestingWebSocket::close);
        report.add("With %d web shells open: the server's heap %.1f MB more (%.0f KB a shell), %d more threads (%.1f a shell; this JVM's websocket clients included)."
                .formatted(SESSIONS, (heapOpen - heapBefore) / 1e6, (heapOpen - heapBefore) / 1e3 / SESSIONS, threadsOpen - threadsBefore, (threadsOpen - threadsBefore) / (double) SESSIONS));
    }

    private static long usedHeap()
            throws InterruptedException
    {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static TestingWebSocket openShell()
            throws Exception
    {
        return TestingShells.open(server, token, build.id(), "development", "");
    }

    private static String row(String what, long[] times)
    {
        return "| %s | %s | %s | %s | %s |".formatted(what, ms(times[times.length / 2]), ms(times[(int) (times.length * 0.9)]), ms(times[(int) (times.length * 0.99)]), ms(times[times.length - 1]));
    }

    private static String ms(long nanos)
    {
        return "%.2f ms".formatted(nanos / 1e6);
    }
}
