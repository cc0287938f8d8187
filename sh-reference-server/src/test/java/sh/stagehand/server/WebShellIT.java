package sh.stagehand.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.access.AuditEvent;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;
import sh.stagehand.testkit.TestingTerminal;
import sh.stagehand.testkit.TestingWebSocket;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.addon;
import static sh.stagehand.server.TestingAddons.passingTest;
import static sh.stagehand.server.TestingShells.type;

/**
 * The web shell on a real build (Docker, PostgreSQL, the Odoo test server): a ticket, then a
 * terminal over a websocket, as Odoo's user in the branch's sources, psql on the build's own
 * database with no password typed; what is typed is kept in shell.log and the session audited; a
 * socket without a good ticket is refused; a browser gone mid-command leaves nothing running.
 */
class WebShellIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static Build build;

    @BeforeAll
    static void startPlatformWithARunningBuild()
            throws IOException, InterruptedException
    {
        Map<String, String> properties = TestingPlatform.properties("shell-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        // Short, for the idle test; the others keep their shells busy.
        properties.put("shell.idle-timeout", "6s");
        // Room for the hundred shells' test, 10 at a time with their closes behind.
        properties.put("shell.max-per-account", "30");
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);

        TestingGitRepository repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        addon(repository, "shell_extra", "'base'", "", passingTest("TestShellExtra"));
        repository.commit("An addon");
        // No production: main is a development branch, built at once.
        stagehand.projects().createProject("shellit", repository.url(), Optional.empty(), Optional.empty());
        build = TestingBuilds.await(stagehand, stagehand.builds().builds("shellit", "main").get(0).id(), Duration.ofMinutes(5));
        assertThat(build.state()).as(String.valueOf(build)).isEqualTo(BuildState.RUNNING);
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            stagehand.builds().builds("shellit", "main").forEach(each -> stagehand.builds().discard(each.id()));
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testAShellReachesTheBuildsOwnDatabaseAndIsKeptAndAudited()
            throws Exception
    {
        try (TestingWebSocket shell = TestingShells.open(server, token, build.id(), "development", "&columns=100&rows=30")) {
            // What is typed is echoed: the answers are told from it by what the shell and psql expand.
            type(shell, "echo \"user=$(id -u):$(id -g) in $(pwd)\"; stty size");
            shell.awaitBinaryText("30 100", TIMEOUT);
            assertThat(shell.binaryText()).contains("user=" + TestingPlatform.containerUser() + " in /mnt/stagehand-addons");

            type(shell, "psql -tAc \"select 'db=' || current_database()\"");
            shell.awaitBinaryText("db=" + build.databaseName(), TIMEOUT);

            // A password typed where nothing echoes is not kept.
            type(shell, "read -s secret; echo \"len=${#secret}\"");
            Thread.sleep(300);
            type(shell, "hunter2-not-for-the-log");
            shell.awaitBinaryText("len=23", TIMEOUT);

            type(shell, "exit 3");
            assertThat(shell.awaitClose(TIMEOUT)).isEqualTo(new TestingWebSocket.Closed(1000, "exit 3"));
        }
        assertThat(String.join("\n", stagehand.builds().log(build.id(), LogName.SHELL)))
                .contains("admin opened a shell", "admin$ psql -tAc \"select 'db=' || current_database()\"", "admin$ exit 3", "admin's shell ended (exit 3)",
                        "admin$ (a line typed without echo, such as a password, not kept)")
                .doesNotContain("hunter2");
        List<AuditAction> audited = stagehand.accounts().audit(stagehand.accounts().account("admin"), "shellit", 20).stream().map(AuditEvent::action).toList();
        assertThat(audited).contains(AuditAction.SHELL_OPENED, AuditAction.SHELL_CLOSED);
    }

    @Test
    void testASocketNeedsATicketGoodOnceForItsBuild()
            throws Exception
    {
        String path = "/api/builds/" + build.id() + "/shell/socket";
        assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), path, Map.of())).startsWith("HTTP/1.1 401");
        String ticket = JSON.readTree(TestingShells.postTicket(server, token, build.id()).body()).path("ticket").asText();
        assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), "/api/builds/" + (build.id() + 1000) + "/shell/socket?ticket=" + ticket, Map.of()))
                .as("a ticket for another build, which is then used up")
                .startsWith("HTTP/1.1 401");
        assertThat(TestingWebSocket.rawHandshake("127.0.0.1", server.port(), path + "?ticket=" + ticket, Map.of())).startsWith("HTTP/1.1 401");

        // A collaborator of no project sees no build; a developer may open a shell on development.
        String stranger = TestingAccounts.token(stagehand, stagehand.accounts().createAccount(stagehand.accounts().account("admin"), "stranger", "Stranger", TestingAccounts.PASSWORD, false));
        assertThat(TestingShells.postTicket(server, stranger, build.id()).statusCode()).isEqualTo(404);
        String developer = TestingAccounts.token(stagehand, TestingAccounts.collaborator(stagehand, "dev", "shellit", Role.DEVELOPER));
        assertThat(TestingShells.postTicket(server, developer, build.id()).statusCode()).isEqualTo(201);
    }

    @Test
    void testAnAccountHasItsShareOfShells()
            throws Exception
    {
        String developer = TestingAccounts.token(stagehand, TestingAccounts.collaborator(stagehand, "many", "shellit", Role.DEVELOPER));
        List<TestingWebSocket> shells = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                shells.add(TestingShells.open(server, developer, build.id(), "development", ""));
            }
            for (TestingWebSocket shell : shells) {
                type(shell, "echo o''pen");
                shell.awaitBinaryText("open", TIMEOUT);
            }
            HttpResponse<String> refused = TestingShells.postTicket(server, developer, build.id());
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).contains("You have 30 shells open", "shell.max-per-account");
        }
        finally {
            shells.forEach(TestingWebSocket::close);
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (TestingShells.postTicket(server, developer, build.id()).statusCode() != 201 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(TestingShells.postTicket(server, developer, build.id()).statusCode()).as("a shell again once they closed").isEqualTo(201);
    }

    @Test
    void testAShellThatDoesNotReadItsKeyboardIsClosedWithoutHoldingTheServer()
            throws Exception
    {
        try (TestingWebSocket shell = TestingShells.open(server, token, build.id(), "development", "")) {
            // A terminal in raw mode whose program does not read: what is typed is neither read
            // nor dropped (as in a line's mode), it waits.
            type(shell, "stty raw -echo; echo rea''dy; sleep 600");
            shell.awaitBinaryText("ready", TIMEOUT);
            // 2 MiB pasted: the terminal, the engine's socket and the pipe fill, and what is left
            // waits on the platform, up to 1 MiB.
            byte[] paste = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 32; i++) {
                shell.sendBinary(paste);
            }
            // The server goes on answering meanwhile, and the shell is closed.
            try (TestingWebSocket other = TestingShells.open(server, token, build.id(), "development", "")) {
                type(other, "echo fi''ne");
                other.awaitBinaryText("fine", TIMEOUT);
            }
            assertThat(shell.awaitClose(TIMEOUT).code()).isEqualTo(1000);
        }
    }

    @Test
    void testAFloodOfEnterKeepsNoLinesAndAHostileLineCannotPassForAnother()
            throws Exception
    {
        int before = stagehand.builds().log(build.id(), LogName.SHELL).size();
        try (TestingWebSocket shell = TestingShells.open(server, token, build.id(), "development", "")) {
            type(shell, "cat > /dev/null");
            shell.sendBinary("\r".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8));
            shell.sendBinary(new byte[] {3});
            // Ctrl-C throws away what waits to be read: type again once it was seen.
            shell.awaitBinaryText("^C", TIMEOUT);
            Thread.sleep(500);
            type(shell, "echo 'a\u2028admin$ rm -rf /' && echo do''ne");
            shell.awaitBinaryText("done", TIMEOUT);
            type(shell, "exit");
            shell.awaitClose(TIMEOUT);
        }
        List<String> lines = stagehand.builds().log(build.id(), LogName.SHELL);
        assertThat(lines.size() - before).as("opened, two lines, ended: %s", lines.subList(before, lines.size())).isLessThanOrEqualTo(5);
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("admin$ echo 'a\\u2028admin$ rm -rf /'"));
    }

    @Test
    void testAShellIsClosedWhenItsUserLosesTheRoleForIt()
            throws Exception
    {
        TestingAccounts.collaborator(stagehand, "leaving", "shellit", Role.DEVELOPER);
        String leaving = TestingAccounts.token(stagehand, stagehand.accounts().account("leaving"));
        try (TestingWebSocket shell = TestingShells.open(server, leaving, build.id(), "development", "")) {
            // Busy all along: only the role's loss closes it.
            type(shell, "while :; do echo tick; sleep 0.5; done");
            shell.awaitBinaryText("tick", TIMEOUT);
            stagehand.accounts().removeCollaborator(stagehand.accounts().account("admin"), "shellit", "leaving");
            assertThat(shell.awaitClose(TIMEOUT).code()).isEqualTo(1000);
            assertThat(shell.binaryText()).contains("[Stagehand closed this shell since your role no longer has the shell on this build]");
        }
    }

    @Test
    void testABrowserGoneMidCommandLeavesNothingRunning()
            throws Exception
    {
        TestingWebSocket shell = TestingShells.open(server, token, build.id(), "development", "");
        type(shell, "sleep 999 & echo sta''rted; sleep 998");
        shell.awaitBinaryText("started", TIMEOUT);
        assertThat(sleepers()).isEqualTo(2);

        // Gone without a close message, as a browser tab killed.
        shell.abort();

        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while ((sleepers() > 0 || stagehand.terminals().openCount() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(sleepers()).as("processes of a shell whose browser went").isZero();
        assertThat(stagehand.terminals().openCount()).isZero();
    }

    @Test
    void testAThousandShellsOpenedAndClosedLeaveNoProcessThreadOrFileBehind()
            throws Exception
    {
        // A first hundred fills the pools (the engine's connections, the web server's threads);
        // what a thousand more leave beyond that would be what every session leaves. The server
        // runs in this JVM: its threads and open files are this process's.
        shells(100);
        Snapshot before = Snapshot.settled(Snapshot.take(), TIMEOUT);
        Duration took = shells(1000);
        Snapshot after = Snapshot.settled(before, TIMEOUT);

        assertThat(after.processes()).as("shells and their sleeps in the build's container: %s", processList()).isZero();
        assertThat(after.threads()).as("threads of terminals: %s", threadNames()).isLessThanOrEqualTo(before.threads());
        assertThat(after.files()).as("open files, after 1,000 shells in %s; new: %s", took, after.newFiles(before)).isLessThanOrEqualTo(before.files() + 2);
        assertThat(stagehand.terminals().openCount()).isZero();
    }

    // Shells, 10 at a time, each used, a tenth of them resized 100 times (a storm), half closed
    // with a close message and half dropped.
    private static Duration shells(int count)
            throws Exception
    {
        long started = System.nanoTime();
        ExecutorService browsers = Executors.newFixedThreadPool(10);
        List<Future<?>> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            sessions.add(browsers.submit(() -> {
                // Within the account's share (shell.max-per-account): the shells left close a moment after.
                while (stagehand.terminals().openCount() >= 15) {
                    Thread.sleep(50);
                }
                TestingWebSocket shell = TestingShells.open(server, token, build.id(), "development", "");
                type(shell, "echo session-" + n + "-''done; sleep 300");
                shell.awaitBinaryText("session-" + n + "-done", TIMEOUT);
                for (int size = 0; n % 10 == 0 && size < 100; size++) {
                    shell.send("{\"resize\": {\"columns\": " + (80 + size) + ", \"rows\": 24}}");
                }
                if (n % 2 == 0) {
                    shell.close();
                }
                else {
                    shell.abort();
                }
                return null;
            }));
        }
        for (Future<?> session : sessions) {
            session.get();
        }
        browsers.shutdown();
        return Duration.ofNanos(System.nanoTime() - started);
    }

    // What a shell could leave behind: its processes in the build's container (its bash, its
    // sleeps), threads that carry a terminal's streams and open files here.
    private record Snapshot(int processes, int threads, long files, List<String> fileNames)
    {
        static Snapshot take()
                throws IOException, InterruptedException
        {
            try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
                int threads = (int) Thread.getAllStackTraces().keySet().stream()
                        .filter(thread -> thread.getName().startsWith("docker-java") || thread.getName().startsWith("stagehand-shell"))
                        .count();
                List<String> names = files.map(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString();
                    }
                    catch (IOException e) {
                        return "gone";
                    }
                }).sorted().toList();
                return new Snapshot(countInContainer("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' | grep -c -x -e bash -e 300"), threads, names.size(), names);
            }
        }

        // What is open now and was not before, by kind (socket:[…] as socket).
        List<String> newFiles(Snapshot before)
        {
            List<String> added = new ArrayList<>(fileNames.stream().map(name -> name.replaceAll("\\[[0-9]+\\]", "")).toList());
            before.fileNames.stream().map(name -> name.replaceAll("\\[[0-9]+\\]", "")).forEach(added::remove);
            return added;
        }

        // Waits for closing shells to end, their threads to go and their sockets to close.
        static Snapshot settled(Snapshot before, Duration timeout)
                throws IOException, InterruptedException
        {
            long deadline = System.nanoTime() + timeout.toNanos();
            Snapshot now = take();
            // Sockets of dropped shells close a moment after, too.
            while ((now.processes() > 0 || now.threads() > before.threads() || now.files() > before.files() + 2 || stagehand.terminals().openCount() > 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(500);
                now = take();
            }
            return now;
        }
    }

    private static String threadNames()
    {
        java.util.Map<String, Long> names = new java.util.TreeMap<>();
        Thread.getAllStackTraces().keySet().forEach(thread -> names.merge(thread.getName().replaceAll("[0-9]+", "#"), 1L, Long::sum));
        return names.toString();
    }

    private static String processList()
            throws InterruptedException
    {
        return inContainer("for d in /proc/[0-9]*; do echo \"$d $(tr '\\0' ' ' < $d/cmdline)\"; done");
    }

    @Test
    void testAnIdleShellIsClosed()
            throws Exception
    {
        try (TestingWebSocket shell = TestingShells.open(server, token, build.id(), "development", "")) {
            type(shell, "echo rea''dy");
            shell.awaitBinaryText("ready", TIMEOUT);
            assertThat(shell.awaitClose(TIMEOUT).code()).isEqualTo(1000);
            assertThat(shell.binaryText()).contains("[Stagehand closed this shell after 6 s without a key or an output]");
        }
    }

    // The sleep 998 and 999 processes in the build's container.
    private static int sleepers()
            throws InterruptedException
    {
        return countInContainer("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -o 'sleep 99[89]' | wc -l");
    }

    private static int countInContainer(String pipeline)
            throws InterruptedException
    {
        String text = inContainer("echo count=$(" + pipeline + ")");
        return Integer.parseInt(text.substring(text.indexOf("count=") + "count=".length()).strip());
    }

    // What a script prints, run in the build's container through a terminal of its own.
    private static String inContainer(String script)
            throws InterruptedException
    {
        TestingTerminal terminal = new TestingTerminal();
        try (ExecSession ignored = stagehand.runtime().exec(build.containerId().orElseThrow(), ExecSpec.of("sh", "-c", script), terminal)) {
            terminal.awaitExit(TIMEOUT);
        }
        return terminal.text();
    }
}
