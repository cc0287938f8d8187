package sh.stagehand.core.files;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a tenant's container can do to its data directory, as the platform works in it: links to
 * the host's files and directories at every level, planted before or swapped in at the moment
 * between the platform looking at an entry and opening it, FIFOs, deep trees.
 */
class ContainerDirectoryTest
{
    private static final String SECRET = "root:$6$the-host's-shadow-file";
    // Root gives the directories away, as the platform does; anyone else keeps them.
    private static final ContainerUser USER = ContainerUser.ofThisProcess().isRoot() ? ContainerUser.OFFICIAL_IMAGE : ContainerUser.ofThisProcess();

    @TempDir
    Path temp;

    private Path data;
    private Path host;
    private Path secret;
    private final List<Path> fifos = new ArrayList<>();

    @BeforeEach
    void makeDirectories()
            throws IOException
    {
        data = ContainerDirectory.create(temp.resolve("workspaces/7/data"), USER).root();
        write(data.resolve("filestore/acme/ab/ab12"), "contract");
        write(data.resolve("filestore/acme/cd/cd34"), "invoice");
        write(data.resolve("sessions/werkzeug_1"), "session");
        // The host, which no container sees: a file only root may read and a directory of it.
        host = Files.createDirectories(temp.resolve("host"));
        secret = write(host.resolve("shadow"), SECRET);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        write(host.resolve("etc/ab12"), SECRET);
        write(host.resolve("etc/acme/ab/ab12"), SECRET);
    }

    @AfterEach
    void unblockFifos()
            throws IOException
    {
        // An open left blocked on a FIFO returns once someone writes it.
        for (Path fifo : fifos) {
            if (Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
                try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw")) {
                    writer.write('x');
                }
            }
        }
    }

    @Test
    void testReadsEveryRegularFileAndLeavesOutLinksAndFifos()
            throws IOException
    {
        Files.createSymbolicLink(data.resolve("filestore/acme/ab/shadow"), secret);
        Files.createSymbolicLink(data.resolve("filestore/acme/etc"), host.resolve("etc"));
        Files.createSymbolicLink(data.resolve("filestore/acme/relative"), Path.of("../../../../../host/shadow"));
        fifo(data.resolve("filestore/acme/cd/pipe"));

        Map<String, String> read = new TreeMap<>();
        List<ContainerDirectory.LeftOut> leftOut = directory().readFiles("filestore/acme", (path, file) -> read.put(path, content(file)));

        assertThat(read).containsExactly(Map.entry("ab/ab12", "contract"), Map.entry("cd/cd34", "invoice"));
        assertThat(leftOut).extracting(ContainerDirectory.LeftOut::path)
                .containsExactlyInAnyOrder("filestore/acme/ab/shadow", "filestore/acme/etc", "filestore/acme/relative", "filestore/acme/cd/pipe");
        assertThat(leftOut).filteredOn(entry -> entry.path().endsWith("shadow")).singleElement()
                .satisfies(entry -> assertThat(entry.reason()).contains("symbolic link, never followed"));
        assertThat(leftOut).filteredOn(entry -> entry.path().endsWith("pipe")).singleElement()
                .satisfies(entry -> assertThat(entry.reason()).contains("FIFO"));
    }

    @Test
    void testSizesOnlyTheRegularFilesBelowAndFollowsNoLink()
            throws IOException
    {
        // What monitoring counts of a filestore: the tenant's links to the host's files, a link to
        // the filestore itself (a loop) and a FIFO (that would block a read) count for nothing.
        Files.createSymbolicLink(data.resolve("filestore/acme/ab/shadow"), secret);
        Files.createSymbolicLink(data.resolve("filestore/acme/etc"), host.resolve("etc"));
        Files.createSymbolicLink(data.resolve("filestore/acme/loop"), data.resolve("filestore/acme"));
        fifo(data.resolve("filestore/acme/cd/pipe"));

        ContainerDirectory.Usage usage = directory().usage("filestore/acme");

        assertThat(usage.bytes()).isEqualTo("contract".length() + "invoice".length());
        assertThat(usage.files()).isEqualTo(2);
        assertThat(directory().usage("filestore/absent")).isEqualTo(new ContainerDirectory.Usage(0, 0));
        // The filestore directory itself a link: nothing.
        move(data.resolve("filestore/acme"), data.resolve("filestore/acme.real"));
        Files.createSymbolicLink(data.resolve("filestore/acme"), host);
        assertThat(directory().usage("filestore/acme").bytes()).isZero();
    }

    @Test
    void testALinkAtAnyLevelOnTheWayReadsAsNothing()
            throws IOException
    {
        // The database's filestore directory a link, then the filestore directory itself.
        Path filestore = data.resolve("filestore/acme");
        move(filestore, data.resolve("filestore/acme.real"));
        Files.createSymbolicLink(filestore, host.resolve("etc"));
        assertThat(readAll("filestore/acme")).isEmpty();
        assertThat(directory().readFiles("filestore/acme", (path, file) -> {})).singleElement()
                .satisfies(entry -> assertThat(entry.path()).isEqualTo("filestore/acme"));

        move(data.resolve("filestore"), data.resolve("filestore.real"));
        Files.createSymbolicLink(data.resolve("filestore"), host.resolve("etc"));
        assertThat(readAll("filestore/acme")).isEmpty();
        assertThat(readAll("filestore/acme/ab")).isEmpty();
        assertThat(readAll("sessions")).containsOnlyKeys("werkzeug_1");
    }

    @Test
    void testAFileSwappedForALinkBetweenLookingAndOpeningIsLeftOut()
            throws IOException
    {
        ContainerDirectory directory = withSwap("filestore/acme/ab/ab12", () -> swapForLink(data.resolve("filestore/acme/ab/ab12"), secret));

        Map<String, String> read = new TreeMap<>();
        List<ContainerDirectory.LeftOut> leftOut = directory.readFiles("filestore/acme", (path, file) -> read.put(path, content(file)));

        assertThat(read).containsExactly(Map.entry("cd/cd34", "invoice"));
        assertThat(leftOut).singleElement().satisfies(entry -> {
            assertThat(entry.path()).isEqualTo("filestore/acme/ab/ab12");
            assertThat(entry.reason()).contains("symbolic link");
        });
    }

    @Test
    void testADirectorySwappedForALinkBetweenLookingAndOpeningIsLeftOut()
            throws IOException
    {
        ContainerDirectory directory = withSwap("filestore/acme/ab", () -> swapForLink(data.resolve("filestore/acme/ab"), host.resolve("etc")));

        Map<String, String> read = new TreeMap<>();
        List<ContainerDirectory.LeftOut> leftOut = directory.readFiles("filestore/acme", (path, file) -> read.put(path, content(file)));

        assertThat(read).containsExactly(Map.entry("cd/cd34", "invoice"));
        assertThat(leftOut).extracting(ContainerDirectory.LeftOut::path).containsExactly("filestore/acme/ab");
    }

    @Test
    void testAFileOrDirectorySwappedForAFifoIsLeftOutOnceItsOpenTakesTooLong()
            throws IOException
    {
        Path file = data.resolve("filestore/acme/ab/ab12");
        Path subdirectory = data.resolve("filestore/acme/cd");
        ContainerDirectory directory = new ContainerDirectory(data, USER, Duration.ofMillis(300), path -> {
            if (path.equals("filestore/acme/ab/ab12")) {
                swapForFifo(file);
            }
            if (path.equals("filestore/acme/cd")) {
                swapForFifo(subdirectory);
            }
        });
        write(data.resolve("filestore/acme/ef/ef56"), "receipt");

        Map<String, String> read = new TreeMap<>();
        List<ContainerDirectory.LeftOut> leftOut = directory.readFiles("filestore/acme", (path, opened) -> read.put(path, content(opened)));

        assertThat(read).containsExactly(Map.entry("ef/ef56", "receipt"));
        assertThat(leftOut).extracting(ContainerDirectory.LeftOut::path).containsExactlyInAnyOrder("filestore/acme/ab/ab12", "filestore/acme/cd");
        assertThat(leftOut).allSatisfy(entry -> assertThat(entry.reason()).contains("blocked"));
    }

    @Test
    void testAfterThreeBlockedOpensTheOperationGivesUp()
            throws IOException
    {
        for (String name : List.of("a1", "a2", "a3", "a4")) {
            write(data.resolve("filestore/acme/" + name), name);
        }
        ContainerDirectory directory = new ContainerDirectory(data, USER, Duration.ofMillis(200), path -> {
            if (path.matches("filestore/acme/a\\d")) {
                swapForFifo(data.resolve(path));
            }
        });

        assertThatThrownBy(() -> directory.readFiles("filestore/acme", (path, file) -> content(file)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("3 opens blocked");
    }

    @Test
    void testAFileIsReadThroughWhatWasOpenedAndNoFurtherThanItsSizeThen()
            throws IOException
    {
        List<String> read = new ArrayList<>();
        directory().readFiles("filestore/acme/ab", (path, file) -> {
            // What the container does while the platform reads: appends, then puts a link in the name's place.
            Files.writeString(data.resolve("filestore/acme/ab/ab12"), " and more", java.nio.file.StandardOpenOption.APPEND);
            swapForLink(data.resolve("filestore/acme/ab/ab12"), secret);
            read.add(file.size() + ":" + content(file) + ":" + content(file));
        });

        assertThat(read).containsExactly("8:contract:contract");
    }

    @Test
    void testACopyHardLinksEveryFileAndLeavesOutLinks()
            throws IOException
    {
        Files.createSymbolicLink(data.resolve("filestore/acme/ab/shadow"), secret);
        Files.createSymbolicLink(data.resolve("filestore/acme/etc"), host.resolve("etc"));
        Path snapshot = temp.resolve("workspaces/production/snapshots/42");

        ContainerDirectory.Copy copy = directory().copyTo("filestore/acme", snapshot);

        assertThat(copy.files()).isEqualTo(2);
        assertThat(copy.leftOut()).extracting(ContainerDirectory.LeftOut::path).containsExactlyInAnyOrder("filestore/acme/ab/shadow", "filestore/acme/etc");
        assertThat(tree(snapshot)).containsExactly(Map.entry("ab", "directory"), Map.entry("ab/ab12", "contract"), Map.entry("cd", "directory"), Map.entry("cd/cd34", "invoice"));
        assertThat(Files.getAttribute(snapshot.resolve("ab/ab12"), "unix:ino")).isEqualTo(Files.getAttribute(data.resolve("filestore/acme/ab/ab12"), "unix:ino"));
        assertThat(owner(snapshot.resolve("ab"))).isEqualTo(USER.uid() + ":" + USER.gid() + " rwx------");
        assertThatThrownBy(() -> directory().copyTo("filestore/acme", snapshot)).hasMessageContaining("the copy's target exists");
        // What is not there copies as nothing.
        assertThat(directory().copyTo("filestore/none", temp.resolve("empty")).files()).isZero();
        assertThat(temp.resolve("empty")).isEmptyDirectory();
    }

    @Test
    void testAHardLinkMadeThroughADirectorySwappedForALinkIsUndoneAndTheFileCopiedFromWhatWasOpened()
            throws IOException
    {
        // The container swaps the directory, already open, for a link to the host's, which holds a
        // file of the same name, just before the platform links the file by its path.
        Path ab = data.resolve("filestore/acme/ab");
        ContainerDirectory directory = withSwap("filestore/acme/ab/ab12", () -> {
            move(ab, data.resolve("filestore/acme/ab.real"));
            Files.createSymbolicLink(ab, host.resolve("etc"));
        });

        ContainerDirectory.Copy copy = directory.copyTo("filestore/acme", temp.resolve("copy"));

        assertThat(copy.files()).isEqualTo(2);
        assertThat(Files.readString(temp.resolve("copy/ab/ab12"))).isEqualTo("contract");
        assertThat(Files.getAttribute(host.resolve("etc/ab12"), "unix:nlink")).as("names of the host's file").isEqualTo(1);
        assertThat(owner(temp.resolve("copy/ab/ab12"))).isEqualTo(USER.uid() + ":" + USER.gid() + " rw-------");
    }

    @Test
    void testDeletingRemovesLinksThemselvesAndNeverWhatTheyName()
            throws IOException
    {
        Files.createSymbolicLink(data.resolve("filestore/acme/ab/shadow"), secret);
        Files.createSymbolicLink(data.resolve("filestore/acme/etc"), host.resolve("etc"));
        fifo(data.resolve("filestore/acme/pipe"));
        Map<String, String> hostBefore = tree(host);

        directory().delete("filestore/acme");

        assertThat(data.resolve("filestore/acme")).doesNotExist();
        assertThat(tree(host)).isEqualTo(hostBefore);
        // A link in the place of a directory on the way: nothing of the data directory's is there.
        move(data.resolve("sessions"), data.resolve("sessions.real"));
        Files.createSymbolicLink(data.resolve("sessions"), host.resolve("etc"));
        directory().delete("sessions/acme");
        directory().delete("sessions/ab12");
        assertThat(tree(host)).isEqualTo(hostBefore);
        // The link itself goes.
        directory().delete("sessions");
        assertThat(data.resolve("sessions")).doesNotExist();
        assertThat(tree(host)).isEqualTo(hostBefore);
        directory().delete("none/at/all");
    }

    @Test
    void testDeletesATreeDeeperThanItKeepsOpen()
            throws IOException
    {
        Path deep = data.resolve("filestore/deep");
        for (int level = 0; level < 3 * ContainerDirectory.MAX_DEPTH + 5; level++) {
            deep = deep.resolve("d");
        }
        write(deep.resolve("bottom"), "far down");
        Files.createSymbolicLink(deep.resolve("up"), host);

        directory().delete("filestore/deep");

        assertThat(data.resolve("filestore")).isDirectory();
        assertThat(data.resolve("filestore/deep")).doesNotExist();
        assertThat(secret).exists();
        try (var entries = Files.list(data.resolve("filestore"))) {
            assertThat(entries.map(path -> path.getFileName().toString())).containsExactly("acme");
        }
    }

    @Test
    void testReplacingPutsAStagedTreeInPlaceOfWhateverWasThereLinksIncludedAndGivesItToTheUser()
            throws IOException
    {
        // The tenant made its filestore directory a link to the host's directory.
        move(data.resolve("filestore"), data.resolve("filestore.mine"));
        Files.createSymbolicLink(data.resolve("filestore"), host.resolve("etc"));
        Map<String, String> hostBefore = tree(host);
        Path staged = temp.resolve("workspaces/7/incoming");
        write(staged.resolve("ef/ef56"), "imported");

        directory().replace("filestore/acme", staged);

        assertThat(tree(host)).isEqualTo(hostBefore);
        assertThat(Files.isSymbolicLink(data.resolve("filestore"))).isFalse();
        assertThat(tree(data.resolve("filestore"))).containsExactly(Map.entry("acme", "directory"), Map.entry("acme/ef", "directory"), Map.entry("acme/ef/ef56", "imported"));
        assertThat(staged).doesNotExist();
        assertThat(owner(data.resolve("filestore"))).isEqualTo(USER.uid() + ":" + USER.gid() + " rwx------");
        assertThat(owner(data.resolve("filestore/acme/ef"))).isEqualTo(USER.uid() + ":" + USER.gid() + " rwx------");
        assertThat(owner(data.resolve("filestore/acme/ef/ef56"))).isEqualTo(USER.uid() + ":" + USER.gid() + " rw-------");

        // And the database's own directory a link: replaced again, the host untouched.
        Files.delete(data.resolve("filestore/acme/ef/ef56"));
        Files.delete(data.resolve("filestore/acme/ef"));
        Files.delete(data.resolve("filestore/acme"));
        Files.createSymbolicLink(data.resolve("filestore/acme"), host.resolve("etc/acme"));
        write(staged.resolve("gh/gh78"), "imported again");
        directory().replace("filestore/acme", staged);
        assertThat(tree(host)).isEqualTo(hostBefore);
        assertThat(tree(data.resolve("filestore"))).containsExactly(Map.entry("acme", "directory"), Map.entry("acme/gh", "directory"), Map.entry("acme/gh/gh78", "imported again"));
        // Nothing left beside the data directory.
        try (var entries = Files.list(data.getParent())) {
            assertThat(entries.map(path -> path.getFileName().toString())).containsExactly("data");
        }
    }

    @Test
    void testMovingAFilestoreToAnotherBuildMovesNoLink()
            throws IOException
    {
        ContainerDirectory next = ContainerDirectory.create(temp.resolve("workspaces/8/data"), USER);
        assertThat(directory().moveTo("filestore/acme", next, "filestore/acme-8")).isTrue();
        assertThat(tree(next.root())).containsEntry("filestore/acme-8/ab/ab12", "contract");
        assertThat(data.resolve("filestore/acme")).doesNotExist();

        // The previous build's filestore directory made a link to the host's: not moved, not followed.
        Files.createSymbolicLink(data.resolve("filestore/acme"), host.resolve("etc/acme"));
        Map<String, String> hostBefore = tree(host);
        assertThat(directory().moveTo("filestore/acme", next, "filestore/acme-9")).isFalse();
        move(data.resolve("filestore"), data.resolve("filestore.mine"));
        Files.createSymbolicLink(data.resolve("filestore"), host.resolve("etc"));
        assertThat(directory().moveTo("filestore/acme", next, "filestore/acme-9")).isFalse();
        assertThat(tree(host)).isEqualTo(hostBefore);
        assertThat(next.root().resolve("filestore/acme-9")).doesNotExist();
    }

    @Test
    void testACopyIntoAnotherDataDirectoryReplacesALinkPlantedThere()
            throws IOException
    {
        ContainerDirectory staging = ContainerDirectory.create(temp.resolve("workspaces/9/data"), USER);
        Files.createSymbolicLink(staging.root().resolve("filestore"), host.resolve("etc"));
        Map<String, String> hostBefore = tree(host);

        ContainerDirectory.Copy copy = staging.copyFrom(directory(), "filestore/acme", "filestore/acme");

        assertThat(copy.files()).isEqualTo(2);
        assertThat(tree(host)).isEqualTo(hostBefore);
        assertThat(tree(staging.root())).containsEntry("filestore/acme/ab/ab12", "contract").containsEntry("filestore/acme/cd/cd34", "invoice");
        try (var entries = Files.list(staging.root().getParent())) {
            assertThat(entries.map(path -> path.getFileName().toString())).containsExactly("data");
        }
    }

    @Test
    void testDeletingAWorkspaceTreeNeverFollowsALinkInIt()
            throws IOException
    {
        Files.createSymbolicLink(data.resolve("filestore/acme/etc"), host.resolve("etc"));
        Files.createSymbolicLink(data.resolve("sessions/shadow"), secret);
        Map<String, String> hostBefore = tree(host);

        ContainerDirectory.deleteTree(temp.resolve("workspaces/7"));

        assertThat(temp.resolve("workspaces/7")).doesNotExist();
        assertThat(tree(host)).isEqualTo(hostBefore);
        ContainerDirectory.deleteTree(temp.resolve("workspaces/7"));
    }

    @Test
    void testWhatACopyStoppedHalfWayLeftBesideTheRootIsDeletedAtStart()
            throws IOException
    {
        write(temp.resolve("workspaces/7/.data-0f1e/copy/ab/ab12"), "half a copy");
        Files.createSymbolicLink(temp.resolve("workspaces/7/.data-0f1e/copy/etc"), host.resolve("etc"));
        write(temp.resolve("workspaces/7/source/.data-keep"), "the checkout's");
        Map<String, String> hostBefore = tree(host);

        directory().deleteScratch();

        try (var entries = Files.list(temp.resolve("workspaces/7"))) {
            assertThat(entries.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("data", "source");
        }
        assertThat(temp.resolve("workspaces/7/source/.data-keep")).exists();
        assertThat(tree(host)).isEqualTo(hostBefore);
    }

    @Test
    void testPathsAreNamesBelowTheRoot()
    {
        for (String path : List.of("", "/etc", "filestore/../..", "filestore//acme", "./filestore", "filestore/")) {
            assertThatThrownBy(() -> directory().delete(path)).as(path).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void testTheDataDirectoryIsTheUsersAlone()
            throws IOException
    {
        assertThat(owner(data)).isEqualTo(USER.uid() + ":" + USER.gid() + " rwx------");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        ContainerDirectory.create(data, USER);
        assertThat(owner(data)).isEqualTo(USER.uid() + ":" + USER.gid() + " rwx------");
    }

    private ContainerDirectory directory()
    {
        return new ContainerDirectory(data, USER);
    }

    private ContainerDirectory withSwap(String at, IoAction swap)
    {
        boolean[] done = new boolean[1];
        Consumer<String> hook = path -> {
            if (path.equals(at) && !done[0]) {
                done[0] = true;
                try {
                    swap.run();
                }
                catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        return new ContainerDirectory(data, USER, Duration.ofSeconds(5), hook);
    }

    @FunctionalInterface
    private interface IoAction
    {
        void run()
                throws IOException;
    }

    private Map<String, String> readAll(String directory)
            throws IOException
    {
        Map<String, String> read = new TreeMap<>();
        directory().readFiles(directory, (path, file) -> read.put(path, content(file)));
        return read;
    }

    private static String content(ContainerDirectory.OpenFile file)
            throws IOException
    {
        try (InputStream in = file.newInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void swapForLink(Path entry, Path target)
            throws IOException
    {
        Path link = entry.resolveSibling(entry.getFileName() + ".link");
        Files.createSymbolicLink(link, target);
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            move(entry, entry.resolveSibling(entry.getFileName() + ".real"));
        }
        Files.move(link, entry, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void swapForFifo(Path entry)
    {
        try {
            move(entry, entry.resolveSibling(entry.getFileName() + ".real"));
            fifo(entry);
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void fifo(Path path)
            throws IOException
    {
        try {
            Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
            assertThat(mkfifo.waitFor()).isZero();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        fifos.add(path);
    }

    private static void move(Path from, Path to)
            throws IOException
    {
        Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path write(Path file, String content)
            throws IOException
    {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private static String owner(Path path)
            throws IOException
    {
        return Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":" + Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS) + " "
                + PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    // Every entry below a directory, links not followed: a file's content, or what it is.
    private static Map<String, String> tree(Path root)
            throws IOException
    {
        Map<String, String> entries = new TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path path : walk.filter(path -> !path.equals(root)).toList()) {
                String name = root.relativize(path).toString();
                if (Files.isSymbolicLink(path)) {
                    entries.put(name, "link to " + Files.readSymbolicLink(path));
                }
                else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(name, "directory");
                }
                else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(name, Files.readString(path));
                }
                else {
                    entries.put(name, "other");
                }
            }
        }
        return entries;
    }
}
