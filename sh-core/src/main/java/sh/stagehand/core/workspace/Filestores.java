package sh.stagehand.core.workspace;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.files.ContainerDirectory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Copies and snapshots of Odoo filestores ({@code <data_dir>/filestore/<db>}). Odoo stores an
 * attachment under the SHA-1 of its content and never rewrites a file in place (a new content is a
 * new file; an unused one is deleted), so a copy can share every file with its source through hard
 * links: instant, and no extra space, whatever the filestore's size.
 *
 * <p>A filestore is in a data directory a container writes: it is reached through a
 * {@link ContainerDirectory}, and a link a tenant put in it is never followed.
 */
public final class Filestores
{
    private static final Logger log = LoggerFactory.getLogger(Filestores.class);

    private Filestores() {}

    /**
     * The filestore of a database, below its data directory.
     */
    public static String of(String database)
    {
        return "filestore/" + database;
    }

    /**
     * Makes {@code target} (which must not exist, and which no container can write) a copy of the
     * directory {@code directory} of {@code source}: each file a hard link to the source's, or a
     * real copy where the file system refuses the link (another file system; a platform user that
     * neither owns the file nor may write it, under {@code fs.protected_hardlinks}). Directories
     * are the container user's. Links and anything but files and directories are left out.
     */
    public static ContainerDirectory.Copy linkCopy(ContainerDirectory source, String directory, Path target)
    {
        try {
            return logged(source, directory, source.copyTo(directory, target));
        }
        catch (FileAlreadyExistsException e) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Cannot copy the filestore " + directory + " of " + source.root() + " to " + target + ": the target exists");
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot copy the filestore " + directory + " of " + source.root() + " to " + target + ": " + e, e);
        }
    }

    /**
     * Puts a copy of {@code source}'s {@code directory} at {@code targetDirectory} of
     * {@code target}, as {@link #linkCopy(ContainerDirectory, String, Path)} makes one, whatever
     * was there replaced: a staging build's copy of production's filestore.
     */
    public static ContainerDirectory.Copy linkCopy(ContainerDirectory source, String directory, ContainerDirectory target, String targetDirectory)
    {
        try {
            return logged(source, directory, target.copyFrom(source, directory, targetDirectory));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot copy the filestore " + directory + " of " + source.root() + " to " + target.root() + ": " + e, e);
        }
    }

    /**
     * Takes a snapshot of a filestore as a linked copy, complete or not there at all: made beside
     * its final place, then moved there in one step, so that a platform stopped half-way leaves
     * no snapshot that looks whole.
     */
    public static void snapshot(ContainerDirectory data, String filestore, Path snapshot)
    {
        Path partial = snapshot.resolveSibling(snapshot.getFileName() + ".partial");
        delete(partial);
        linkCopy(data, filestore, partial);
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
    public static void restore(Path snapshot, ContainerDirectory data, String filestore)
    {
        if (!Files.isDirectory(snapshot, LinkOption.NOFOLLOW_LINKS)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No filestore snapshot " + snapshot + " to restore " + filestore + " of " + data.root() + " from");
        }
        try {
            data.replace(filestore, snapshot);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot restore the filestore " + filestore + " of " + data.root() + " from " + snapshot + ": " + e, e);
        }
    }

    /**
     * Deletes a directory below a data directory, links in it removed, never followed.
     */
    public static void delete(ContainerDirectory data, String directory)
    {
        try {
            data.delete(directory);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot delete " + directory + " of " + data.root() + ": " + e, e);
        }
    }

    /**
     * Deletes a directory tree of the platform's (a snapshot, a scratch directory, a build's whole
     * workspace), if it exists; no link below it is followed, whoever put it there.
     */
    public static void delete(Path directory)
    {
        try {
            ContainerDirectory.deleteTree(directory);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot delete " + directory + ": " + e, e);
        }
    }

    private static ContainerDirectory.Copy logged(ContainerDirectory source, String directory, ContainerDirectory.Copy copy)
    {
        if (!copy.leftOut().isEmpty()) {
            log.warn("Copying {} of {} left out what is no regular file or directory (a link is never followed): {}", directory, source.root(), copy.leftOut());
        }
        return copy;
    }
}
