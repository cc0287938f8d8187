package sh.stagehand.server;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.build.Build;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a tenant sends the platform is bounded, on the real server: an upload over the limit is
 * refused before it fills the disk, other request bodies are bounded by what they can be, and
 * guessing a build's mail credentials is slowed down to a crawl.
 */
class LimitsIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String PROJECT = "limits";
    // Where uploads are tried: no build of it must ever appear.
    private static final String UPLOAD_BRANCH = "uploads";
    private static final long MAX_UPLOAD_BYTES = 64L << 20;
    private static final long ATTACK_BYTES = 300L << 20;
    private static final long MAX_PUSH_BYTES = 1L << 20;
    private static final Duration SMTP_LOCKOUT = Duration.ofSeconds(4);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static Path uploads;

    @BeforeAll
    static void startPlatform()
    {
        Map<String, String> properties = TestingPlatform.properties("limits-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        uploads = temp.resolve("uploads");
        properties.put("http.max-upload-bytes", Long.toString(MAX_UPLOAD_BYTES));
        properties.put("http.upload-directory", uploads.toString());
        properties.put("http.max-push-bytes", Long.toString(MAX_PUSH_BYTES));
        properties.put("smtp.auth-lockout", SMTP_LOCKOUT.toMillis() + "ms");
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);

        TestingGitRepository repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        TestingAddons.addon(repository, "limits_base", "'base'", "", null);
        repository.commit("An addon");
        repository.createBranch(UPLOAD_BRANCH);
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty(), Optional.empty());
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(2));
            for (var project : stagehand.projects().projects()) {
                for (var branch : stagehand.projects().branches(project.id())) {
                    for (Build build : stagehand.builds().builds(project.id(), branch.name())) {
                        stagehand.builds().discard(build.id());
                    }
                }
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    // curl, as the README shows an import: a Content-Length, and curl waits for "100 Continue" before sending.
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void testAnUploadOverTheLimitIsRefusedBeforeAByteIsStored()
            throws Exception
    {
        Path sparse = temp.resolve("huge.zip");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(ATTACK_BYTES);
        }
        Path answer = temp.resolve("answer.json");
        int builds = uploadBranchBuilds();
        String status;
        long written;
        try (DiskWatch disk = new DiskWatch()) {
            Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "120", "-X", "POST", "-H", "Authorization: Bearer " + token, "-H", "Expect: 100-continue",
                    "-T", sparse.toString(), "-o", answer.toString(), "-w", "%{http_code}",
                    "http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/" + UPLOAD_BRANCH + "?filename=huge.zip")
                    .redirectErrorStream(true).start();
            status = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            curl.waitFor();
            written = disk.most();
        }
        assertThat(written).as("bytes of the upload on disk at any time").isZero();
        assertRefusedAndNothingImported(Integer.parseInt(status.replaceAll("\\D", "")), Files.readString(answer), builds);
    }

    // A client that sends its body at once, without waiting for an answer.
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void testAnUploadOverTheLimitSentAtOnceIsRefusedBeforeAByteIsStored()
            throws Exception
    {
        int builds = uploadBranchBuilds();
        HttpResponse<String> response;
        long written;
        try (DiskWatch disk = new DiskWatch()) {
            response = HTTP.send(importRequest(HttpRequest.BodyPublishers.fromPublisher(zeros(), ATTACK_BYTES)).build(), HttpResponse.BodyHandlers.ofString());
            written = disk.most();
        }
        assertThat(written).as("bytes of the upload on disk at any time").isZero();
        assertRefusedAndNothingImported(response.statusCode(), response.body(), builds);
    }

    // Chunked: its size is known only as it comes, and it is cut off at the limit.
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void testAnUploadOfUnknownLengthIsCutOffAtTheLimit()
            throws Exception
    {
        int builds = uploadBranchBuilds();
        HttpResponse<String> response;
        long written;
        try (DiskWatch disk = new DiskWatch()) {
            response = HTTP.send(importRequest(zeros()).build(), HttpResponse.BodyHandlers.ofString());
            written = disk.most();
        }
        assertThat(written).as("bytes of the upload on disk at any time").isLessThanOrEqualTo(MAX_UPLOAD_BYTES);
        assertRefusedAndNothingImported(response.statusCode(), response.body(), builds);
    }

    // GitHub sends webhook payloads of up to 25 MB; no more is read, and as much is.
    @Test
    void testWebhookBodiesAreBoundedByWhatGitHubSends()
            throws Exception
    {
        HttpResponse<String> large = HTTP.send(webhook(HttpRequest.BodyPublishers.ofByteArray(jsonOfSize(2 << 20))), HttpResponse.BodyHandlers.ofString());
        assertThat(large.statusCode()).as("a 2 MB push event is read, and refused for its signature only: " + large.body()).isNotEqualTo(413);
        assertThat(large.body()).contains("signature");

        HttpResponse<String> declared = HTTP.send(webhook(HttpRequest.BodyPublishers.fromPublisher(zeros(), 30L << 20)), HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).contains("CONTENT_TOO_LARGE", "25 MiB");
        HttpResponse<String> chunked = HTTP.send(webhook(zeros()), HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).contains("CONTENT_TOO_LARGE", "25 MiB");
    }

    @Test
    void testApiBodiesAreSmall()
            throws Exception
    {
        for (HttpRequest.BodyPublisher body : List.of(HttpRequest.BodyPublishers.ofByteArray(jsonOfSize(3 << 20)), HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(3 << 20)))) {
            HttpResponse<String> response = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects"))
                    .header("Content-Type", "application/json")
                    .POST(body).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
            assertThat(response.body()).contains("CONTENT_TOO_LARGE", "1 MiB");
        }
    }

    // A push to a hosted repository: JGit takes no pack over the limit.
    @Test
    void testAGitPushOverTheLimitIsRefused()
            throws Exception
    {
        HttpResponse<String> created = HTTP.send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"limits-hosted\", \"hosted\": true}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Path work = temp.resolve("hosted");
        Files.createDirectories(work);
        byte[] noise = new byte[3 << 20];
        new Random(16).nextBytes(noise);
        Files.write(work.resolve("data.bin"), noise);
        git(work, "init", "-q", "-b", "main");
        git(work, "add", "-A");
        git(work, "-c", "user.name=Mallory", "-c", "user.email=mallory@example.com", "commit", "-qm", "Incompressible");

        String url = "http://admin:" + token + "@127.0.0.1:" + server.port() + "/git/limits-hosted.git";
        Process push = new ProcessBuilder("git", "push", url, "main").directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(push.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(push.waitFor()).as(output).isNotZero();
        assertThat(output).containsIgnoringCase("exceeds the limit");
        assertThat(stagehand.projects().branches("limits-hosted")).isEmpty();
        try (Stream<Path> files = Files.walk(temp.resolve("data/git/limits-hosted.git"))) {
            assertThat(files.filter(Files::isRegularFile).mapToLong(DiskWatch::size).sum()).as("bytes kept of the refused push").isLessThan(MAX_PUSH_BYTES);
        }
    }

    @Test
    void testFailedSmtpLoginsFromOneAddressWaitAndTheRightOnesElsewhereDoNot()
            throws Exception
    {
        Build build = mailingBuild();
        String user = Long.toString(build.id());
        // 127.0.0.2 is this machine too: another client address than 127.0.0.1.
        String guesser = "127.0.0.2";
        for (int attempt = 0; attempt < 10; attempt++) {
            String wrong = "guess-" + attempt;
            assertThatThrownBy(() -> smtpLogin(guesser, user, wrong)).isInstanceOf(AuthenticationFailedException.class);
        }
        long started = System.nanoTime();
        assertThatThrownBy(() -> smtpLogin(guesser, user, build.smtpPassword()))
                .as("the right password, from the guessing address, during its wait")
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("454")
                .hasMessageContaining("try again in");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("how long the refusal took").isLessThan(Duration.ofSeconds(2));

        // Another address is not slowed down.
        started = System.nanoTime();
        smtpLogin("127.0.0.1", user, build.smtpPassword());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("how long the right login from elsewhere took").isLessThan(Duration.ofSeconds(2));

        // After the wait, the right password works from the guessing address too.
        Thread.sleep(SMTP_LOCKOUT.plusSeconds(1).toMillis());
        smtpLogin(guesser, user, build.smtpPassword());
    }

    @Test
    void testAMailOverTheLimitIsRefusedWithoutBeingHeld()
            throws Exception
    {
        Build build = mailingBuild();
        Session session = smtpSession("127.0.0.1");
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("shop@example.com"));
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, "customer@example.com");
        message.setSubject("A catalogue of 40 MB");
        message.setText("x".repeat(40 << 20));
        message.saveChanges();
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect(Long.toString(build.id()), build.smtpPassword());
            assertThatThrownBy(() -> transport.sendMessage(message, message.getAllRecipients())).isInstanceOf(MessagingException.class);
        }
        assertThat(stagehand.mail().mails(build.id())).isEmpty();
    }

    // A build, for its mail credentials (whatever it does meanwhile): the one the project's creation queued.
    private static Build mailingBuild()
    {
        return stagehand.builds().builds(PROJECT, "main").stream().findFirst()
                .orElseGet(() -> stagehand.actingAs(stagehand.accounts().account("admin")).rebuildBranch(PROJECT, "main"));
    }

    private static int uploadBranchBuilds()
    {
        return stagehand.builds().builds(PROJECT, UPLOAD_BRANCH).size();
    }

    private static void assertRefusedAndNothingImported(int status, String body, int buildsBefore)
    {
        assertThat(status).as(body).isEqualTo(413);
        assertThat(body).contains("CONTENT_TOO_LARGE", "64 MiB", "http.max-upload-bytes");
        assertThat(uploadBranchBuilds()).as("builds of the branch uploaded to").isEqualTo(buildsBefore);
        assertThat(stagehand.accounts().audit(stagehand.accounts().account("admin"), PROJECT, 100)).noneSatisfy(event -> assertThat(event.action()).isEqualTo(AuditAction.DATABASE_IMPORTED));
        try (Stream<Path> left = Files.exists(uploads) ? Files.walk(uploads) : Stream.empty()) {
            assertThat(left.filter(Files::isRegularFile).toList()).as("files left in the upload directory").isEmpty();
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpRequest.Builder importRequest(HttpRequest.BodyPublisher body)
    {
        return TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + "/api/projects/" + PROJECT + "/import/" + UPLOAD_BRANCH + "?filename=huge.zip"))
                .timeout(Duration.ofMinutes(2))
                .POST(body);
    }

    private static HttpRequest webhook(HttpRequest.BodyPublisher body)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/webhooks/github/" + PROJECT))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                .timeout(Duration.ofMinutes(2))
                .POST(body)
                .build();
    }

    // The attack: 300 MB, streamed, never held by the test either.
    private static HttpRequest.BodyPublisher zeros()
    {
        return HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(ATTACK_BYTES));
    }

    private static byte[] jsonOfSize(int size)
    {
        String prefix = "{\"ref\": \"refs/heads/main\", \"padding\": \"";
        return (prefix + "x".repeat(size - prefix.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static Session smtpSession(String fromAddress)
    {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", Integer.toString(server.smtpPort()));
        properties.put("mail.smtp.auth", "true");
        properties.put("mail.smtp.localaddress", fromAddress);
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "30000");
        return Session.getInstance(properties);
    }

    private static void smtpLogin(String fromAddress, String user, String password)
            throws MessagingException
    {
        try (Transport transport = smtpSession(fromAddress).getTransport("smtp")) {
            transport.connect(user, password);
        }
    }

    private static void git(Path directory, String... arguments)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder(Stream.concat(Stream.of("git"), Stream.of(arguments)).toList()).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
    }

    private static final class Zeros
            extends InputStream
    {
        private long left;

        Zeros(long size)
        {
            this.left = size;
        }

        @Override
        public int read()
        {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] buffer, int offset, int length)
        {
            if (left <= 0) {
                return -1;
            }
            int count = (int) Math.min(length, left);
            java.util.Arrays.fill(buffer, offset, offset + count, (byte) 0);
            left -= count;
            return count;
        }
    }

    /**
     * The most bytes of uploads on disk at any one time while it watches: in the configured upload
     * directory, and in the system's temporary directory, where imports were spooled before.
     */
    private static final class DiskWatch
            implements AutoCloseable
    {
        private final Thread thread;
        private volatile boolean watching = true;
        private volatile long most;

        DiskWatch()
        {
            thread = new Thread(() -> {
                while (watching) {
                    most = Math.max(most, onDisk());
                    try {
                        Thread.sleep(2);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                }
            }, "disk-watch");
            thread.setDaemon(true);
            thread.start();
        }

        long most()
        {
            return Math.max(most, onDisk());
        }

        private static long onDisk()
        {
            long total = 0;
            for (Path root : List.of(uploads, Path.of(System.getProperty("java.io.tmpdir")))) {
                if (!Files.isDirectory(root)) {
                    continue;
                }
                try (DirectoryStream<Path> imports = Files.newDirectoryStream(root, root.equals(uploads) ? "*" : "stagehand-import-*")) {
                    for (Path directory : imports) {
                        try (Stream<Path> files = Files.walk(directory)) {
                            total += files.filter(Files::isRegularFile).mapToLong(DiskWatch::size).sum();
                        }
                        catch (IOException | java.io.UncheckedIOException e) {
                            // deleted while looked at
                        }
                    }
                }
                catch (IOException e) {
                    // deleted while looked at
                }
            }
            return total;
        }

        private static long size(Path file)
        {
            try {
                return Files.size(file);
            }
            catch (IOException e) {
                return 0;
            }
        }

        @Override
        public void close()
                throws InterruptedException
        {
            watching = false;
            thread.join();
        }
    }
}
