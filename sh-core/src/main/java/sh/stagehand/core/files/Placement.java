package sh.stagehand.core.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Directories put in place below a {@link ContainerDirectory}'s root, each in one rename, whatever
 * a container put there deleted first (a link removed, never followed); the directories on the way
 * made as needed, through scratch directories of the platform's beside the root. Thread-safe: it
 * holds no state but its directory's.
 */
final class Placement
{
    private final Path root;
    private final ContainerUser user;
    private final Traversal traversal;

    Placement(Path root, ContainerUser user, Traversal traversal)
    {
        this.root = root;
        this.user = user;
        this.traversal = traversal;
    }

    // `staged`, a directory of the platform's on the root's file system, renamed to `relative`.
    void moveIn(String relative, Path staged, Opening operation)
            throws IOException
    {
        Path absolute = staged.toAbsolutePath().normalize();
        try (SecureDirectoryStream<Path> stagedParent = Entries.openPlatformDirectory(absolute.getParent())) {
            moveInto(ContainerDirectory.names(relative), stagedParent, absolute.getFileName().toString(), operation);
        }
    }

    // Renames `name` of the open directory `from` to `names` below this root, whatever is there deleted.
    void moveInto(List<String> names, SecureDirectoryStream<Path> from, String name, Opening operation)
            throws IOException
    {
        String relative = String.join("/", names);
        try (SecureDirectoryStream<Path> top = traversal.openRoot()) {
            SecureDirectoryStream<Path> parent = directoriesFor(top, names.subList(0, names.size() - 1), operation);
            try {
                String leaf = names.get(names.size() - 1);
                for (int attempt = 1; ; attempt++) {
                    TreeDeletion.deleteEntry(parent, leaf, relative, operation);
                    try {
                        from.move(Path.of(name), parent, Path.of(leaf));
                        return;
                    }
                    catch (NoSuchFileException e) {
                        throw e;
                    }
                    catch (FileSystemException e) {
                        // A container made it again meanwhile (not empty, or not a directory).
                        if (attempt == ContainerDirectory.MAX_ATTEMPTS) {
                            throw e;
                        }
                    }
                }
            }
            finally {
                if (parent != top) {
                    parent.close();
                }
            }
        }
    }

    // The directory `names` below `top`, open; made where absent, and a link or a file in the place
    // of one deleted (the platform decides the layout). The caller closes it unless it is `top`.
    private SecureDirectoryStream<Path> directoriesFor(SecureDirectoryStream<Path> top, List<String> names, Opening operation)
            throws IOException
    {
        SecureDirectoryStream<Path> current = top;
        String path = "";
        try {
            for (String name : names) {
                path = path.isEmpty() ? name : path + "/" + name;
                SecureDirectoryStream<Path> next = null;
                for (int attempt = 1; next == null; attempt++) {
                    if (attempt > ContainerDirectory.MAX_ATTEMPTS) {
                        throw new FileSystemException(root.resolve(path).toString(), null, "keeps changing while the platform makes it a directory");
                    }
                    Optional<BasicFileAttributes> attributes = Entries.stat(current, name);
                    if (attributes.isEmpty()) {
                        createDirectory(current, name);
                    }
                    else if (!attributes.get().isDirectory()) {
                        Entries.deleteFile(current, name);
                    }
                    else {
                        next = traversal.openDirectory(current, name, path, operation).orElse(null);
                    }
                }
                if (current != top) {
                    current.close();
                }
                current = next;
            }
            return current;
        }
        catch (IOException | RuntimeException e) {
            if (current != top) {
                current.close();
            }
            throw e;
        }
    }

    // No mkdirat in Java: a directory made beside the root (the platform's, on the same file
    // system) is renamed into the open directory.
    private void createDirectory(SecureDirectoryStream<Path> parent, String name)
            throws IOException
    {
        Path scratch = newScratchDirectory();
        try (SecureDirectoryStream<Path> beside = Entries.openPlatformDirectory(scratch.getParent())) {
            beside.move(scratch.getFileName(), parent, Path.of(name));
        }
        catch (FileSystemException e) {
            // Something took the place meanwhile: the caller looks again.
            ContainerDirectory.deleteTree(scratch);
        }
    }

    // A directory of the platform's beside the root, the user's, 0700.
    Path newScratchDirectory()
            throws IOException
    {
        Path scratch = root.resolveSibling(scratchPrefix() + UUID.randomUUID());
        Files.createDirectory(scratch);
        Ownership.own(scratch, user, true);
        return scratch;
    }

    /**
     * @see ContainerDirectory#deleteScratch
     */
    void deleteScratch()
            throws IOException
    {
        String prefix = scratchPrefix();
        List<Path> scratch = new ArrayList<>();
        try (DirectoryStream<Path> beside = Files.newDirectoryStream(root.getParent(), entry -> entry.getFileName().toString().startsWith(prefix))) {
            beside.forEach(scratch::add);
        }
        for (Path directory : scratch) {
            ContainerDirectory.deleteTree(directory);
        }
    }

    private String scratchPrefix()
    {
        return "." + root.getFileName() + "-";
    }
}
