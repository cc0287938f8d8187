package sh.stagehand.core.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * A copy of a tree below a {@link ContainerDirectory}'s root to a directory of the platform's:
 * each regular file hard-linked, the link kept only if it is the very file looked at, or else
 * written from the file opened without following links; what a walk leaves out, left out.
 * Thread-safe: it holds no state but its directory's.
 */
final class TreeCopy
{
    private final Path root;
    private final ContainerUser user;
    private final Traversal traversal;

    TreeCopy(Path root, ContainerUser user, Traversal traversal)
    {
        this.root = root;
        this.user = user;
        this.traversal = traversal;
    }

    /**
     * @see ContainerDirectory#copyTo
     */
    ContainerDirectory.Copy copy(String directory, List<String> start, Path target, Opening operation)
            throws IOException
    {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "the copy's target exists");
        }
        Files.createDirectories(target.getParent());
        Files.createDirectory(target);
        Ownership.own(target, user, true);
        long[] files = new long[1];
        Path source = resolve(start);
        try (SecureDirectoryStream<Path> top = traversal.openRoot()) {
            Optional<SecureDirectoryStream<Path>> opened = traversal.descend(top, start, operation);
            if (opened.isEmpty()) {
                return new ContainerDirectory.Copy(0, operation.leftOut());
            }
            try (SecureDirectoryStream<Path> from = opened.get()) {
                traversal.walk(from, directory, "", 0, operation, new Traversal.Walker()
                {
                    @Override
                    public void enter(String path, String relative)
                            throws IOException
                    {
                        Ownership.own(Files.createDirectory(target.resolve(relative)), user, true);
                    }

                    @Override
                    public void file(SecureDirectoryStream<Path> parent, String name, String path, String relative, BasicFileAttributes attributes)
                            throws IOException
                    {
                        traversal.beforeOpen(path);
                        if (link(source.resolve(relative), target.resolve(relative), attributes.fileKey()) || write(parent, name, path, target.resolve(relative), operation)) {
                            files[0]++;
                        }
                    }
                });
            }
        }
        return new ContainerDirectory.Copy(files[0], operation.leftOut());
    }

    private Path resolve(List<String> names)
    {
        Path path = root;
        for (String name : names) {
            path = path.resolve(name);
        }
        return path;
    }

    // A hard link made by path, which a container could redirect by swapping a directory on the
    // way for a link: kept only if it is the very file looked at (same device and inode), while the
    // target is still the platform's alone.
    private static boolean link(Path source, Path target, Object fileKey)
            throws IOException
    {
        try {
            Files.createLink(target, source);
        }
        catch (FileSystemException | UnsupportedOperationException e) {
            // Another file system, a file the platform may not link (fs.protected_hardlinks), or gone.
            return false;
        }
        BasicFileAttributes linked = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (fileKey != null && fileKey.equals(linked.fileKey())) {
            return true;
        }
        Files.delete(target);
        return false;
    }

    // The file written from what was opened (no more than its size then), the user's, 0600.
    private boolean write(SecureDirectoryStream<Path> parent, String name, String path, Path target, Opening operation)
            throws IOException
    {
        Optional<FileChannel> opened = traversal.openFile(parent, name, path, operation);
        if (opened.isEmpty()) {
            return false;
        }
        try (FileChannel file = opened.get(); InputStream in = new ChannelFile(file, file.size(), path).newInputStream()) {
            Files.copy(in, target);
        }
        catch (ContainerDirectory.UnreadableFileException e) {
            Files.deleteIfExists(target);
            operation.leaveOut(path, "unreadable: " + e.getMessage());
            return false;
        }
        Ownership.own(target, user, false);
        return true;
    }
}
