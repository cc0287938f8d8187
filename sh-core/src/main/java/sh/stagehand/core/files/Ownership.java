package sh.stagehand.core.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Paths of the platform's, which no container can write yet, given to the {@link ContainerUser}:
 * directories 0700, files 0600, by path but never following a link.
 */
final class Ownership
{
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private Ownership()
    {
    }

    /**
     * @see ContainerDirectory#handOver
     */
    static void handOver(Path tree, ContainerUser user)
            throws IOException
    {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(tree, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
                    throws IOException
            {
                own(directory, user, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                    throws IOException
            {
                if (attributes.isRegularFile() && !Objects.equals(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS), user.uid())) {
                    own(file, user, false);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void own(Path path, ContainerUser user, boolean directory)
            throws IOException
    {
        // lchown: the path is the platform's own, and a link is never followed.
        if (!Objects.equals(Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS), user.uid())) {
            Files.setAttribute(path, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
        }
        if (!Objects.equals(Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS), user.gid())) {
            Files.setAttribute(path, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(directory ? DIRECTORY_MODE : FILE_MODE);
    }
}
