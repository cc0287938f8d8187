package sh.stagehand.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.production.BackupDownloads;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Stage;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tenant's code runs in its build's container, whose data directory ({@code /var/lib/odoo}: the
 * filestore and the sessions) is a directory of the platform host that the platform, as root,
 * reads, copies, links, moves and deletes in. Here the tenant, from inside its container, puts
 * symbolic links to the host's files and directories in place of its own entries, before and while
 * the platform works in them, as an attacker would: the platform must never follow one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileFilesIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String PROJECT = "hostile";
    private static final String PRODUCTION_DATABASE = PROJECT + "-production";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ATTACHMENT = "Invoice INV/2026/0042 of Azure Interior";
    // What only root may read on the host: it must never reach a tenant, a backup or its record.
    private static final String MARKER = "host-secret-" + UUID.randomUUID();

    @TempDir
    static Path temp;

    private static Path host;
    private static Path secretFile;
    private static Path secretDirectory;
    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static TestingGitRepository repository;
    private static Path productionData;

    @BeforeAll
    static void startPlatform()
            throws Exception
    {
        // The host's own files, outside every data directory, readable by root alone.
        host = Files.createTempDirectory("stagehand-host-");
        secretFile = host.resolve("secret");
        Files.writeString(secretFile, MARKER + " (a root-only file of the host)\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        secretDirectory = Files.createDirectories(host.resolve("secret-directory"));
        Files.writeString(secretDirectory.resolve("stolen"), MARKER + " (in a root-only directory of the host)\n");
        Files.setPosixFilePermissions(secretDirectory.resolve("stolen"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(secretDirectory, PosixFilePermissions.fromString("rwx------"));

        Map<String, String> properties = TestingPlatform.properties("hostile-files-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        properties.put("backup.manual-per-day", "100");
        properties.put("platform.start-timeout", "30s");
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);
        productionData = temp.resolve("data/workspaces/production/" + PROJECT + "/data");

        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        module("hostile_sale", "17.0.1.0.0", """
                def post_init(env):
                    for number in range(5):
                        env['ir.attachment'].create({'name': 'invoice-%d.txt' % number, 'raw': ('ATTACHMENT, copy %d' % number).encode()})
                """.replace("ATTACHMENT", ATTACHMENT), "");
        repository.commit("An addon that keeps invoices as attachments");
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        Build production = awaitBuild(stagehand.builds().builds(PROJECT, "main").get(0).id());
        assertThat(production.state()).as(production.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(Files.list(productionData.resolve("filestore/" + PRODUCTION_DATABASE)).count()).as("attachments in the filestore").isGreaterThan(0);
    }

    @AfterAll
    static void stopPlatform()
            throws IOException
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (var branch : stagehand.projects().branches(PROJECT)) {
                for (Build build : stagehand.builds().builds(PROJECT, branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + PRODUCTION_DATABASE + "\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
        String snapshots = postgres.queryForString("postgres", "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE '" + PROJECT + "\\_snapshot\\_%'");
        for (String snapshot : snapshots == null ? new String[0] : snapshots.split(",")) {
            postgres.execute("DROP DATABASE IF EXISTS \"" + snapshot + "\" WITH (FORCE)");
        }
        if (host != null) {
            deleteTree(host);
        }
    }

    @Test
    @Order(1)
    void testBackupsTakenWhileTheContainerSwapsItsFilesForLinksToTheHostNeverHoldAHostFile()
            throws Exception
    {
        Build production = serving();
        logIn(production);
        assertThat(productionData.resolve("sessions")).isDirectory();
        List<String> problems = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        int taken = 0;
        // The tenant's process: every file and directory of the filestore and the sessions swapped
        // for a link to the host's secret and back, as fast as it can, for as long as the backups last.
        startInContainer(production, "python3", "-c", SWAPPER, secretFile.toString(), secretDirectory.toString(), PRODUCTION_DATABASE, "600");
        try {
            awaitFile(productionData.resolve("swapping"), Duration.ofSeconds(30));
            startInContainer(production, "python3", "-c", BAIT, secretFile.toString(), PRODUCTION_DATABASE, "600");
            // And a link that stays: every backup meets it. Planted between two swaps: the swapper
            // swaps the database's own directory too, which is then a link for a moment.
            inContainer(production, "for i in $(seq 100); do ln -s " + secretDirectory + " /var/lib/odoo/filestore/" + PRODUCTION_DATABASE
                    + "/zz-planted 2>/dev/null && exit 0; sleep 0.05; done; exit 1");
            for (int attempt = 0; attempt < 20; attempt++) {
                HttpResponse<String> created = HTTP.send(TestingAccounts.authorized(token, api("/api/projects/" + PROJECT + "/backups"))
                        .timeout(Duration.ofMinutes(3)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(created.body()).as("backup %d", attempt).doesNotContain(MARKER);
                if (created.statusCode() != 201) {
                    // Failing is allowed, cleanly: an error that says why.
                    assertThat(created.statusCode()).as(created.body()).isBetween(400, 599);
                    assertThat(JSON.readTree(created.body()).path("message").asText()).as(created.body()).isNotBlank();
                    problems.add(created.body());
                    continue;
                }
                taken++;
                String backupId = JSON.readTree(created.body()).path("id").asText();
                var record = stagehand.productionBackups().get(PROJECT, backupId);
                assertThat(record.toString()).as("the record of backup %s", backupId).doesNotContain(MARKER);
                leftOut.addAll(record.leftOut());
                assertThat(HTTP.send(TestingAccounts.authorized(token, api("/api/projects/" + PROJECT + "/backups/" + backupId)).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .doesNotContain(MARKER);
                HttpResponse<byte[]> zip = HTTP.send(TestingAccounts.authorized(token, api("/api/projects/" + PROJECT + "/backups/" + backupId + "/download")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(zip.statusCode()).isEqualTo(200);
                assertThat(zipContent(zip.body())).as("the download of backup %s, entry by entry", backupId).noneSatisfy(entry -> assertThat(entry).contains(MARKER));
            }
        }
        finally {
            Files.writeString(productionData.resolve("stop-swapping"), "");
            awaitFile(productionData.resolve("swapped"), Duration.ofSeconds(60));
            awaitFile(productionData.resolve("baited"), Duration.ofSeconds(60));
        }
        String swaps = Files.readString(productionData.resolve("swapped"));
        assertThat(Long.parseLong(swaps.strip())).as("swaps made while the backups ran").isGreaterThan(100);
        assertThat(taken).as("backups taken; failed: %s", problems).isGreaterThan(0);
        // The link that stays is noted in the records, as what the backups left out.
        assertThat(leftOut).anySatisfy(entry -> assertThat(entry).contains("zz-planted", "symbolic link"));
        inContainer(production, "rm -rf /var/lib/odoo/stop-swapping /var/lib/odoo/swapped /var/lib/odoo/swapping /var/lib/odoo/baited /var/lib/odoo/bait /var/lib/odoo/filestore/"
                + PRODUCTION_DATABASE + "/zz-planted");
        assertNoHardLinksTo(secretFile, secretDirectory.resolve("stolen"));
        // Production serves on, its files whole: a backup now holds them all, and nothing else.
        assertThat(health(serving())).isEqualTo(200);
        var backup = stagehand.productionBackups().create(PROJECT, BackupKind.MANUAL);
        assertThat(backup.files().stream().map(file -> file.path()).toList()).containsExactlyInAnyOrderElementsOf(filestoreFiles());
    }

    @Test
    @Order(2)
    void testAFilestoreLinkPlantedBeforeAnImportChangesNothingOutsideTheDataDirectory()
            throws Exception
    {
        repository.switchTo("main").createBranch("feature");
        List<Build> queued = stagehand.projects().poll(PROJECT);
        Build feature = awaitBuild(queued.get(0).id());
        assertThat(feature.state()).as(feature.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(feature.stage()).isEqualTo(Stage.DEVELOPMENT);
        Path data = temp.resolve("data/workspaces/" + feature.id() + "/data");
        byte[] zip = exactDownload();

        // The tenant makes its filestore directory a link to a directory of the host, which holds
        // what an import would write over: a directory named as the build's database.
        Path outside = hostTree("outside-import", feature.databaseName());
        Map<String, String> before = listing(outside);
        inContainer(feature, "rm -rf /var/lib/odoo/filestore && ln -s " + outside + " /var/lib/odoo/filestore");
        HttpResponse<String> imported = importZip("feature", zip);
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        assertThat(listing(outside)).as("the host directory the link named").isEqualTo(before);
        assertThat(data.resolve("filestore")).as("the data directory's own filestore").isDirectory();
        assertThat(Files.isSymbolicLink(data.resolve("filestore"))).isFalse();
        assertThat(filesUnder(data.resolve("filestore/" + feature.databaseName()))).as("the imported filestore")
                .anySatisfy(content -> assertThat(content).startsWith(ATTACHMENT));

        // And the same with the database's own filestore directory made the link.
        Build served = stagehand.builds().build(feature.id());
        Map<String, String> beforeAgain = listing(outside);
        inContainer(served, "rm -rf /var/lib/odoo/filestore/" + feature.databaseName() + " && ln -s " + outside.resolve(feature.databaseName()) + " /var/lib/odoo/filestore/"
                + feature.databaseName());
        HttpResponse<String> again = importZip("feature", zip);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(listing(outside)).isEqualTo(beforeAgain);
        assertThat(Files.isSymbolicLink(data.resolve("filestore/" + feature.databaseName()))).isFalse();
        assertThat(filesUnder(data.resolve("filestore/" + feature.databaseName()))).anySatisfy(content -> assertThat(content).startsWith(ATTACHMENT));
        assertThat(health(stagehand.builds().build(feature.id()))).isEqualTo(200);
    }

    @Test
    @Order(3)
    void testAStagingCopyAndAProductionSnapshotDoNotFollowPlantedLinks()
            throws Exception
    {
        // Links planted inside production's filestore: a directory and a file of the host.
        Build production = serving();
        String filestore = "/var/lib/odoo/filestore/" + PRODUCTION_DATABASE;
        String someDirectory = filestoreFiles().get(0).split("/")[0];
        inContainer(production, "ln -s " + secretDirectory + " " + filestore + "/zz-planted && ln -s " + secretFile + " " + filestore + "/" + someDirectory + "/planted-file");

        // A branch moved to staging: its build copies production.
        repository.switchTo("main").createBranch("staging");
        stagehand.projects().poll(PROJECT);
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "staging").withStage(Stage.STAGING));
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();
        Build staging = stagehand.builds().builds(PROJECT, "staging").stream().filter(build -> build.stage() == Stage.STAGING).findFirst().orElseThrow();
        assertThat(staging.state()).as(staging.message().orElse("")).isEqualTo(BuildState.RUNNING);
        Path stagingData = temp.resolve("data/workspaces/" + staging.id() + "/data");
        assertThat(filesUnder(stagingData.resolve("filestore/" + staging.databaseName()))).as("production's attachments, copied")
                .anySatisfy(content -> assertThat(content).startsWith(ATTACHMENT));
        assertThat(filesUnder(stagingData)).noneSatisfy(content -> assertThat(content).contains(MARKER));
        assertThat(linksUnder(stagingData)).as("links in the staging copy").isEmpty();
        assertNoHardLinksTo(secretFile, secretDirectory.resolve("stolen"));

        // The staging build's own filestore made a link to the host, then the next push takes it over.
        Path outside = hostTree("outside-staging", staging.databaseName());
        Map<String, String> before = listing(outside);
        inContainer(staging, "mv /var/lib/odoo/filestore /var/lib/odoo/filestore.mine && ln -s " + outside + " /var/lib/odoo/filestore");
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "staging").withOnNewCommit(OnNewCommit.UPDATE_PREVIOUS));
        repository.writeFile("README.md", "Staging, again\n");
        repository.commit("Staging again");
        Build takeover = awaitBuild(stagehand.projects().poll(PROJECT).get(0).id());
        assertThat(takeover.state()).as(takeover.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(listing(outside)).as("the host directory the staging build's link named").isEqualTo(before);
        assertThat(filesUnder(temp.resolve("data/workspaces/" + takeover.id() + "/data"))).noneSatisfy(content -> assertThat(content).contains(MARKER));

        // A production update that fails: the snapshot taken before it is put back.
        List<String> filesBefore = filestoreFiles();
        Build failed = failingUpdate("17.0.1.1.0");
        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(serving().id()).isEqualTo(production.id());
        assertThat(filestoreFiles()).as("production's filestore, put back").isEqualTo(filesBefore);
        assertThat(filesUnder(productionData)).noneSatisfy(content -> assertThat(content).contains(MARKER));
        assertNoHardLinksTo(secretFile, secretDirectory.resolve("stolen"));

        // Production's filestore directory itself made a link to the host; an update fails again.
        Path outsideProduction = hostTree("outside-production", PRODUCTION_DATABASE);
        Map<String, String> productionBefore = listing(outsideProduction);
        inContainer(serving(), "mv /var/lib/odoo/filestore /var/lib/odoo/filestore.real && ln -s " + outsideProduction + " /var/lib/odoo/filestore");
        try {
            Build failedAgain = failingUpdate("17.0.1.2.0");
            assertThat(failedAgain.state()).isEqualTo(BuildState.FAILED);
            assertThat(listing(outsideProduction)).as("the host directory production's link named").isEqualTo(productionBefore);
            assertNoHardLinksTo(secretFile, secretDirectory.resolve("stolen"));
            assertThat(health(serving())).isEqualTo(200);
        }
        finally {
            // The tenant puts its filestore back.
            Path link = productionData.resolve("filestore");
            if (Files.isSymbolicLink(link)) {
                Files.delete(link);
            }
            else {
                deleteTree(link);
            }
            Files.move(productionData.resolve("filestore.real"), link);
        }
        assertThat(filestoreFiles()).isEqualTo(filesBefore);
    }

    @Test
    @Order(4)
    void testDataDirectoriesAreTheContainerUsersAloneAndOdooStillWritesInThem()
            throws Exception
    {
        Build feature = stagehand.builds().builds(PROJECT, "feature").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
        Path featureData = temp.resolve("data/workspaces/" + feature.id() + "/data");
        for (Path data : List.of(productionData, featureData)) {
            assertThat(owner(data)).as("%s", data).isEqualTo(TestingPlatform.containerUser() + " rwx------");
        }
        // What the import put there is the container user's too; what Odoo writes there, it writes.
        Path imported = featureData.resolve("filestore/" + feature.databaseName());
        assertThat(owner(imported)).isEqualTo(TestingPlatform.containerUser() + " rwx------");
        try (var files = Files.walk(imported)) {
            assertThat(files.filter(path -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)).toList()).isNotEmpty()
                    .allSatisfy(file -> assertThat(owner(file)).isEqualTo(TestingPlatform.containerUser() + " rw-------"));
        }
        logIn(feature);
        inContainer(feature, "touch /var/lib/odoo/filestore/" + feature.databaseName() + "/written-by-odoo && ls /var/lib/odoo/sessions");
        assertThat(imported.resolve("written-by-odoo")).exists();
    }

    private static String owner(Path path)
    {
        try {
            return Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":" + Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS) + " "
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // Swaps every file of the filestore and the sessions for a link to the host's secret file, then
    // back (each renamed over the other, so the name is always there); now and then every directory
    // for a link to the host's secret directory, then back. What it swaps out waits in `originals`,
    // outside the directories swapped; everything is put back as it was at the end.
    private static final String SWAPPER = """
            import os, sys, time
            secret, secret_directory, database, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
            os.chdir('/var/lib/odoo')
            files, leaves = [], []
            for top in ('filestore/' + database, 'sessions'):
                for parent, subdirectories, names in os.walk(top):
                    leaves += [os.path.join(parent, name) for name in subdirectories]
                    files += [os.path.join(parent, name) for name in names]
            tops = ['sessions', 'filestore/' + database]
            os.makedirs('originals', exist_ok=True)
            for number, name in enumerate(files):
                os.link(name, 'originals/%d' % number)

            def swap_files(to_links):
                for number, name in enumerate(files):
                    try:
                        if to_links:
                            os.symlink(secret, 'originals/swap')
                        else:
                            os.link('originals/%d' % number, 'originals/swap')
                        os.rename('originals/swap', name)
                    except OSError:
                        pass

            def swap_directories(names, to_links):
                for number, name in enumerate(names):
                    try:
                        if to_links:
                            os.rename(name, 'originals/directory-%d' % number)
                            os.symlink(secret_directory, name)
                        else:
                            os.unlink(name)
                            os.rename('originals/directory-%d' % number, name)
                    except OSError:
                        pass

            open('swapping', 'w').close()
            deadline, swaps = time.time() + seconds, 0
            while time.time() < deadline and not os.path.exists('stop-swapping'):
                for _ in range(50):
                    swap_files(True)
                    swap_files(False)
                    swaps += 1
                for names in (leaves, tops):
                    swap_directories(names, True)
                    swap_files(True)
                    swap_files(False)
                    swap_directories(names, False)
                    swaps += 1
            for names in (tops, leaves):
                for number, name in enumerate(names):
                    if os.path.isdir('originals/directory-%d' % number) and os.path.islink(name):
                        os.unlink(name)
                        os.rename('originals/directory-%d' % number, name)
            for number, name in enumerate(files):
                if os.path.islink(name) or not os.path.exists(name):
                    os.rename('originals/%d' % number, name)
                else:
                    os.unlink('originals/%d' % number)
            if os.path.lexists('originals/swap'):
                os.unlink('originals/swap')
            os.rmdir('originals')
            with open('swapped.partial', 'w') as out:
                out.write(str(swaps))
            os.rename('swapped.partial', 'swapped')
            """;

    // A file of new content (8 MB: reading it takes a while) in the filestore for 5 ms, then a link
    // to the host's secret file in its place while the next is written, over and over: a platform
    // that opens a file by its name twice (to hash it, then to copy it) copies the host's file.
    private static final String BAIT = """
            import os, sys, time
            secret, database, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
            os.chdir('/var/lib/odoo')
            os.makedirs('bait', exist_ok=True)
            target = 'filestore/%s/ba/bait' % database
            block = os.urandom(8 << 20)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            deadline, count = time.time() + seconds, 0
            while time.time() < deadline and not os.path.exists('stop-swapping'):
                count += 1
                try:
                    # What a rename that failed left (the swapper moves the filestore away now and then).
                    for leftover in ('bait/new', 'bait/link'):
                        if os.path.lexists(leftover):
                            os.unlink(leftover)
                    with open('bait/new', 'wb') as out:
                        out.write(b'bait %d\\n' % count)
                        out.write(block)
                    os.rename('bait/new', target)
                    time.sleep(0.005)
                    os.symlink(secret, 'bait/link')
                    os.rename('bait/link', target)
                    time.sleep(0.002)
                except OSError:
                    pass
            # Said done whatever the cleanup meets (the swapper puts the filestore back meanwhile):
            # the test waits for it, then removes what is left.
            try:
                for leftover in (target, 'bait/new', 'bait/link'):
                    if os.path.lexists(leftover):
                        os.unlink(leftover)
                os.rmdir('bait')
            except OSError as error:
                print('bait cleanup: %s' % error, file=sys.stderr)
            with open('baited.partial', 'w') as out:
                out.write(str(count))
            os.rename('baited.partial', 'baited')
            """;

    private static Build failingUpdate(String version)
            throws Exception
    {
        repository.switchTo("main");
        module("hostile_sale", version, "", """
                def migrate(cr, version):
                    raise ValueError("this migration fails")
                """);
        repository.commit("Sale " + version + ", whose migration fails");
        List<Build> queued = stagehand.projects().poll(PROJECT);
        assertThat(queued).hasSize(1);
        awaitBuild(queued.get(0).id());
        assertThat(stagehand.builds().awaitIdle(BUILD_TIMEOUT)).isTrue();
        return stagehand.builds().build(queued.get(0).id());
    }

    private static void module(String name, String version, String initCode, String failingMigration)
    {
        repository.writeFile(name + "/__manifest__.py", """
                {
                    'name': '%s',
                    'version': '%s',
                    'depends': ['base'],
                    'license': 'LGPL-3',
                    %s
                }
                """.formatted(name, version, initCode.contains("def post_init") ? "'post_init_hook': 'post_init'," : ""));
        if (!initCode.isEmpty()) {
            repository.writeFile(name + "/__init__.py", initCode);
        }
        if (!failingMigration.isEmpty()) {
            repository.writeFile(name + "/migrations/" + version + "/post-fail.py", failingMigration);
        }
    }

    // A directory of the host, outside every data directory, holding a directory named as a database
    // with a file, a file only root may read, a link and a directory of its own.
    private static Path hostTree(String name, String database)
            throws IOException
    {
        Path tree = Files.createDirectories(host.resolve(name).resolve(database).resolve("ab"));
        Path root = host.resolve(name);
        Files.writeString(root.resolve("kept.txt"), "the host's own file\n");
        Files.writeString(root.resolve(database).resolve("kept.txt"), "the host's own file, where a filestore would be\n");
        Files.writeString(tree.resolve("abcdef"), MARKER + " (the host's, where an attachment would be)\n");
        Files.setPosixFilePermissions(tree.resolve("abcdef"), PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(root.resolve(database).resolve("a-link"), Path.of("kept.txt"));
        return root;
    }

    // Every entry of a tree, by path: its kind, its inode, and a file's content or a link's target.
    private static Map<String, String> listing(Path tree)
            throws IOException
    {
        Map<String, String> entries = new TreeMap<>();
        Files.walkFileTree(tree, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
            {
                entries.put(tree.relativize(directory).toString(), "directory " + attributes.fileKey());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                    throws IOException
            {
                String what = attributes.isSymbolicLink() ? "link to " + Files.readSymbolicLink(file)
                        : "file " + attributes.fileKey() + " " + Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) + " " + new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                entries.put(tree.relativize(file).toString(), what);
                return FileVisitResult.CONTINUE;
            }
        });
        return entries;
    }

    // The content of every regular file under a directory, links not followed.
    private static List<String> filesUnder(Path directory)
            throws IOException
    {
        List<String> contents = new ArrayList<>();
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return contents;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                    throws IOException
            {
                if (attributes.isRegularFile()) {
                    contents.add(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return contents;
    }

    private static List<Path> linksUnder(Path directory)
            throws IOException
    {
        try (var tree = Files.walk(directory)) {
            return tree.filter(Files::isSymbolicLink).toList();
        }
    }

    private static void assertNoHardLinksTo(Path... files)
            throws IOException
    {
        for (Path file : files) {
            assertThat(Files.getAttribute(file, "unix:nlink")).as("names of the host's %s", file).isEqualTo(1);
        }
    }

    private static List<String> filestoreFiles()
            throws IOException
    {
        Path filestore = productionData.resolve("filestore/" + PRODUCTION_DATABASE);
        try (var tree = Files.walk(filestore)) {
            return tree.filter(path -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)).map(path -> filestore.relativize(path).toString()).sorted().toList();
        }
    }

    // Every entry's name and content.
    private static List<String> zipContent(byte[] zip)
            throws IOException
    {
        List<String> entries = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.add(entry.getName() + "\n" + new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(entries).isNotEmpty();
        return entries;
    }

    private static byte[] exactDownload()
    {
        String backupId = stagehand.productionBackups().create(PROJECT, BackupKind.MANUAL).id();
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        stagehand.backupDownloads().download(PROJECT, backupId, BackupDownloads.DownloadOptions.EXACT, zip);
        return zip.toByteArray();
    }

    private static HttpResponse<String> importZip(String branch, byte[] zip)
            throws Exception
    {
        return HTTP.send(TestingAccounts.authorized(token, api("/api/projects/" + PROJECT + "/import/" + branch + "?filename=customer.zip"))
                .timeout(Duration.ofMinutes(3)).header("Content-Type", "application/zip").POST(HttpRequest.BodyPublishers.ofByteArray(zip)).build(), HttpResponse.BodyHandlers.ofString());
    }

    // As the tenant: a shell in its build's container, as the container's own user.
    private static String inContainer(Build build, String script)
            throws Exception
    {
        Process process = new ProcessBuilder("docker", "exec", build.containerId().orElseThrow(), "sh", "-c", script).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(script + ": " + output).isZero();
        return output;
    }

    private static void startInContainer(Build build, String... command)
            throws Exception
    {
        List<String> arguments = new ArrayList<>(List.of("docker", "exec", "--detach", build.containerId().orElseThrow()));
        arguments.addAll(List.of(command));
        Process process = new ProcessBuilder(arguments).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
    }

    private static void awaitFile(Path file, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(file).exists();
    }

    private static void logIn(Build build)
            throws Exception
    {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + build.hostPort().orElseThrow() + "/web/session/authenticate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"params\": {\"db\": \"" + build.databaseName()
                        + "\", \"login\": \"admin\", \"password\": \"admin\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static int health(Build build)
            throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + build.hostPort().orElseThrow() + "/web/login")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static URI api(String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static Build serving()
    {
        return stagehand.builds().builds(PROJECT, "main").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
    }

    private static Build awaitBuild(long buildId)
            throws InterruptedException
    {
        return TestingBuilds.await(stagehand, buildId, BUILD_TIMEOUT);
    }

    private static void deleteTree(Path directory)
            throws IOException
    {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var tree = Files.walk(directory)) {
            for (Path path : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
