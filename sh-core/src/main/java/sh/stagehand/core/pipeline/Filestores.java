package sh.stagehand.core.pipeline;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Copies and snapshots of Odoo filestores ({@code <data_dir>/filestore/<db>}). Odoo stores an
 * attachment under the SHA-1 of its content and never rewrites a file in place (a new content is a
 * new file; an unused one is deleted), so a copy can share every file with its source through hard
 * links: instant, and no extra space, whatever the filestore's size.
 */
public final class Filestores
{
    private Filestores() {}

    /**
     * Makes {@code target} (which must not exist) a copy of the directory tree {@code source}: each
     * file a hard link to the source's, or a real copy where the file system refuses the link
     * (another file system; a platform user that neither owns the file nor may write it, under
     * {@code fs.protected_hardlinks}). Directories are made writable for the container's user.
     *
     * @return the number of files linked or copied
     */
    public static long linkCopy(Path source, Path target)
    {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Cannot copy the filestore " + source + " to " + target + ": the target exists");
        }
        long[] files = new long[1];
        try {
            if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                createWritableDirectory(target);
                return 0;
            }
            Files.walkFileTree(source, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
                        throws IOException
                {
                    createWritableDirectory(target.resolve(source.relativize(directory).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                        throws IOException
                {
                    // Symbolic links and other special files have no place in a filestore: skipped.
                    if (attributes.isRegularFile()) {
                        Path copy = target.resolve(source.relativize(file).toString());
                        try {
                            Files.createLink(copy, file);
                        }
                        catch (FileSystemException | UnsupportedOperationException e) {
                            Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                        }
                        files[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            return files[0];
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot copy the filestore " + source + " to " + target + ": " + e, e);
        }
    }

    /**
     * Takes a snapshot of a filestore as a linked copy, complete or not there at all: made beside
     * its final place, then moved there in one step, so that a platform stopped half-way leaves
     * no snapshot that looks whole.
     */
    public static void snapshot(Path filestore, Path snapshot)
    {
        Path partial = snapshot.resolveSibling(snapshot.getFileName() + ".partial");
        delete(partial);
        linkCopy(filestore, partial);
        try {
            Files.move(partial, snapshot, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot put the filestore snapshot " + snapshot + " in place: " + e, e);
        }
    }

    /**
     * Puts a filestore back as it was at the snapshot: what the filestore holds now is deleted and
     * the snapshot takes its place. Safe to call again after an interruption.
     */
    public static void restore(Path snapshot, Path filestore)
    {
        if (!Files.isDirectory(snapshot, LinkOption.NOFOLLOW_LINKS)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No filestore snapshot " + snapshot + " to restore " + filestore + " from");
        }
        delete(filestore);
        try {
            Files.createDirectories(filestore.getParent());
            Files.move(snapshot, filestore, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot restore the filestore " + filestore + " from " + snapshot + ": " + e, e);
        }
    }

    /**
     * Deletes a directory tree, if it exists.
     */
    public static void delete(Path directory)
    {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            // Insecure (no SecureDirectoryStream) is fine here: the platform alone writes under its data directory.
            MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot delete " + directory + ": " + e, e);
        }
    }

    /**
     * Makes a tree the platform wrote (a filestore or sessions restored from a backup, an imported
     * filestore) Odoo's to use, as {@link #linkCopy} makes its copies: every directory writable for
     * the container's user, who adds files to them, and every file readable by it.
     */
    public static void makeWritable(Path tree)
    {
        if (!Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(tree, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
                        throws IOException
                {
                    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                        throws IOException
                {
                    if (attributes.isRegularFile()) {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot make " + tree + " writable for Odoo: " + e, e);
        }
    }

    static void createWritableDirectory(Path directory)
            throws IOException
    {
        Files.createDirectories(directory);
        // The official image runs Odoo as its own user, whose uid the platform host does not know.
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
}
