package sh.stagehand.core.files;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;


/**
 * Deleting an entry of an open directory and, if it is a directory, everything below it, whatever
 * a container does meanwhile: a link deleted itself, never followed; never more than
 * {@link ContainerDirectory#MAX_DEPTH} directories open at once, however deep the tree.
 */
final class TreeDeletion
{
    private TreeDeletion()
    {
    }

    /**
     * @see ContainerDirectory#deleteTree
     */
    static void deleteTree(Path path, Duration openTimeout)
            throws IOException
    {
        Path absolute = path.toAbsolutePath().normalize();
        if (absolute.getParent() == null || !Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (SecureDirectoryStream<Path> parent = Entries.openPlatformDirectory(absolute.getParent())) {
            deleteEntry(parent, absolute.getFileName().toString(), absolute.toString(), new Opening(openTimeout));
        }
    }

    // One entry and, if it is a directory, all below it, whatever a container does meanwhile.
    static void deleteEntry(SecureDirectoryStream<Path> parent, String name, String path, Opening operation)
            throws IOException
    {
        for (int attempt = 1; ; attempt++) {
            try {
                Optional<BasicFileAttributes> attributes = Entries.stat(parent, name);
                if (attributes.isEmpty()) {
                    return;
                }
                if (!attributes.get().isDirectory()) {
                    parent.deleteFile(Path.of(name));
                    return;
                }
                try (SecureDirectoryStream<Path> directory = operation.open(path, parent, opened -> opened.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS))) {
                    empty(directory, path, operation);
                }
                parent.deleteDirectory(Path.of(name));
                return;
            }
            catch (NoSuchFileException e) {
                return;
            }
            catch (FileSystemException e) {
                // It changed kind, or got new entries, since it was looked at: look again.
                if (attempt == ContainerDirectory.MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    // Empties a directory holding at most MAX_DEPTH directories open: a subtree deeper than that is
    // renamed up into `top` under a name of its own, and emptied from there on a next round.
    private static void empty(SecureDirectoryStream<Path> top, String path, Opening operation)
            throws IOException
    {
        for (int round = 1; emptyLevel(top, top, path, 1, operation); round++) {
            if (round == 1000) {
                throw new FileSystemException(path, null, "keeps filling up while it is deleted");
            }
        }
    }

    // @return whether a subtree was moved up into `top`
    private static boolean emptyLevel(SecureDirectoryStream<Path> top, SecureDirectoryStream<Path> directory, String path, int depth, Opening operation)
            throws IOException
    {
        boolean movedUp = false;
        for (String name : Entries.list(directory)) {
            String entry = path + "/" + name;
            Optional<BasicFileAttributes> attributes = Entries.stat(directory, name);
            if (attributes.isEmpty()) {
                continue;
            }
            if (!attributes.get().isDirectory()) {
                Entries.deleteFile(directory, name);
                continue;
            }
            if (depth >= ContainerDirectory.MAX_DEPTH) {
                try {
                    directory.move(Path.of(name), top, Path.of(".deep-" + UUID.randomUUID()));
                }
                catch (NoSuchFileException e) {
                    continue;
                }
                catch (FileSystemException e) {
                    // It changed meanwhile: the next round looks again.
                }
                movedUp = true;
                continue;
            }
            try (SecureDirectoryStream<Path> subdirectory = operation.open(entry, directory, opened -> opened.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS))) {
                movedUp |= emptyLevel(top, subdirectory, entry, depth + 1, operation);
            }
            catch (NoSuchFileException e) {
                continue;
            }
            catch (Opening.BlockedOpenException e) {
                throw e;
            }
            catch (FileSystemException e) {
                // It changed kind since it was looked at: the next round looks again.
                movedUp = true;
                continue;
            }
            try {
                directory.deleteDirectory(Path.of(name));
            }
            catch (NoSuchFileException e) {
                // gone already
            }
            catch (FileSystemException e) {
                // New entries meanwhile (a subtree moved up stays for the next round, too).
                movedUp = true;
            }
        }
        return movedUp;
    }
}
