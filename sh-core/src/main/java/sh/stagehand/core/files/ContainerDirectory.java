package sh.stagehand.core.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * A directory a container can write: a build's Odoo data directory ({@code /var/lib/odoo} in its
 * containers, with the filestore and the sessions), bind-mounted read-write. The tenant's code in
 * the container may put a symbolic link (to {@code /etc/shadow}, to {@code /}), a FIFO or anything
 * else in the place of any entry below the root, at any moment, while the platform works in it.
 *
 * <p>So no path below the root is ever resolved: each directory is opened relative to its already
 * open parent with {@code O_NOFOLLOW} ({@link SecureDirectoryStream}: {@code openat},
 * {@code fstatat}, {@code unlinkat}, {@code renameat}), and a file is read through a channel opened
 * the same way, its size and kind taken from the open file, so that an entry swapped for a link
 * after it was looked at cannot redirect anything. A link met is never followed: it is left out of
 * what is read or copied ({@link LeftOut}, for the caller to report), and removed as itself where
 * its place is deleted or replaced. A FIFO cannot block the platform: every open has a deadline.
 *
 * <p>The root itself must be the platform's: no component of its path is a container's (a mount
 * point cannot be renamed from inside the container). Paths below it are given as
 * {@code '/'}-separated names ({@code filestore/acme-production}); none may be empty, {@code .} or
 * {@code ..}.
 *
 * <p>Thread-safe: it holds no state but the root. The platform's own trees that are moved in are
 * made the {@link ContainerUser}'s first (directories 0700, files 0600).
 *
 * <p>The work is its collaborators': {@link Traversal} opens and walks the tree, {@link TreeCopy}
 * copies out of it, {@link Placement} moves directories into it, {@link TreeDeletion} deletes in
 * it, {@link Ownership} gives the platform's paths to the user, {@link Entries} looks at the
 * entries of an open directory.
 */
public final class ContainerDirectory
{
    /** Directories opened at once below a walk's start: Odoo's filestore and sessions are two deep. */
    static final int MAX_DEPTH = 32;
    /** Tries at an entry a container keeps changing under the platform. */
    static final int MAX_ATTEMPTS = 5;
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

    private final Path root;
    private final ContainerUser user;
    private final Duration openTimeout;
    private final Traversal traversal;
    private final TreeCopy copier;
    private final Placement placement;

    public ContainerDirectory(Path root, ContainerUser user)
    {
        this(root, user, OPEN_TIMEOUT, path -> {});
    }

    /**
     * @param beforeOpen called with an entry's path (below the root) between looking at it and
     *        opening or linking it: what a container can do in that moment, for tests
     */
    ContainerDirectory(Path root, ContainerUser user, Duration openTimeout, Consumer<String> beforeOpen)
    {
        this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
        this.user = requireNonNull(user, "user is null");
        this.openTimeout = requireNonNull(openTimeout, "openTimeout is null");
        requireNonNull(beforeOpen, "beforeOpen is null");
        if (this.root.getParent() == null) {
            throw new IllegalArgumentException("A container's directory is never the file system's root: " + root);
        }
        this.traversal = new Traversal(this.root, beforeOpen);
        this.copier = new TreeCopy(this.root, this.user, traversal);
        this.placement = new Placement(this.root, this.user, traversal);
    }

    public Path root()
    {
        return root;
    }

    public ContainerUser user()
    {
        return user;
    }

    /**
     * An entry left out of what was read or copied: a symbolic link, a FIFO, anything but a regular
     * file or a directory, or one that changed while it was opened.
     *
     * @param path its path, below the directory walked
     * @param reason why, for people
     */
    public record LeftOut(String path, String reason)
    {
        public LeftOut
        {
            requireNonNull(path, "path is null");
            requireNonNull(reason, "reason is null");
        }

        @Override
        public String toString()
        {
            return path + " (" + reason + ")";
        }
    }

    /**
     * A regular file, open: read it as often as needed, always from its start.
     */
    public interface OpenFile
    {
        /**
         * @return its size when it was opened; no more is ever read
         */
        long size();

        /**
         * @return its content from the start, up to {@link #size()}; a failure to read it is an
         *         {@link UnreadableFileException}, and the file is left out
         */
        InputStream newInputStream();
    }

    @FunctionalInterface
    public interface FileReader
    {
        /**
         * @param path the file's path below the directory walked, {@code '/'}-separated
         */
        void read(String path, OpenFile file)
                throws IOException;
    }

    /**
     * The open file could not be read (a directory or a FIFO that took its place).
     */
    public static final class UnreadableFileException
            extends IOException
    {
        UnreadableFileException(String message, Throwable cause)
        {
            super(message, cause);
        }
    }

    /**
     * What a copy did.
     *
     * @param files the regular files copied (hard-linked or written)
     * @param leftOut what it left out, at most {@link Opening#MAX_REPORTED} named
     */
    public record Copy(long files, List<LeftOut> leftOut)
    {
        public Copy
        {
            leftOut = List.copyOf(requireNonNull(leftOut, "leftOut is null"));
        }
    }

    /**
     * Reads every regular file below {@code directory}, depth first. Directories and files are
     * opened without following links; a link, a FIFO or anything else on the way is left out, and
     * so is everything below a link. An absent directory reads as empty.
     *
     * @return what was left out
     * @throws IOException as the reader throws it, or if the directory cannot be walked
     */
    public List<LeftOut> readFiles(String directory, FileReader reader)
            throws IOException
    {
        requireNonNull(reader, "reader is null");
        return traversal.readFiles(directory, names(directory), reader, operation());
    }

    /**
     * What a tree's regular files hold, as {@code du --apparent-size} counts them.
     */
    public record Usage(long bytes, long files)
    {
    }

    /**
     * Adds up the sizes of the regular files below {@code directory}, walked as {@link #readFiles}
     * walks it: no link followed, no file opened. An absent directory holds nothing.
     */
    public Usage usage(String directory)
            throws IOException
    {
        return traversal.usage(directory, names(directory), operation());
    }

    /**
     * Copies the tree {@code directory} to {@code target}, which must not exist and which no
     * container can write (a snapshot, a scratch directory of the platform's; its parents are made
     * as needed): each regular file a
     * hard link to the same file, checked to be that file once made, or else a copy written from
     * the file opened without following links; directories made the container user's, 0700. What
     * {@link #readFiles} leaves out is left out. An absent directory copies as an empty one.
     */
    public Copy copyTo(String directory, Path target)
            throws IOException
    {
        return copier.copy(directory, names(directory), target, operation());
    }

    /**
     * Puts a copy of {@code source}'s {@code directory} at {@code relative} ({@link #copyTo} beside
     * this root, then {@link #replace}'d in), whatever was there deleted.
     */
    public Copy copyFrom(ContainerDirectory source, String directory, String relative)
            throws IOException
    {
        names(relative);
        Path scratch = placement.newScratchDirectory();
        try {
            Copy copy = source.copyTo(directory, scratch.resolve("copy"));
            placement.moveIn(relative, scratch.resolve("copy"), operation());
            return copy;
        }
        finally {
            deleteTree(scratch);
        }
    }

    /**
     * Deletes {@code relative} and, if it is a directory, everything below it; a link is deleted
     * itself, never what it names. Nothing happens if it, or a directory on its way, is absent, and
     * nothing if a directory on its way is a link (nothing of this directory's is there).
     */
    public void delete(String relative)
            throws IOException
    {
        List<String> names = names(relative);
        Opening operation = operation();
        try (SecureDirectoryStream<Path> top = traversal.openRoot()) {
            Optional<SecureDirectoryStream<Path>> parent = traversal.descend(top, names.subList(0, names.size() - 1), operation);
            if (parent.isEmpty()) {
                return;
            }
            try (SecureDirectoryStream<Path> opened = parent.get()) {
                TreeDeletion.deleteEntry(opened, names.get(names.size() - 1), relative, operation);
            }
        }
    }

    /**
     * Puts {@code staged}, a directory of the platform's on this root's file system, at
     * {@code relative}, whatever was there deleted first (a link removed, never followed), in one
     * rename; the directories on the way are made as needed, a link or a file in the place of one
     * removed. {@code staged} is made the container user's first, while it is still the platform's
     * alone: its directories 0700, its files 0600 (but those the user owns already, such as hard
     * links to a container's files, which are left as they are).
     */
    public void replace(String relative, Path staged)
            throws IOException
    {
        names(relative);
        handOver(staged, user);
        placement.moveIn(relative, staged, operation());
    }

    /**
     * Moves the directory {@code relative} to {@code targetRelative} in {@code target} (whatever was
     * there deleted), in one rename: a staging build taking the previous one's filestore over.
     *
     * @return false, and nothing moved, if there is no directory at {@code relative} (absent, or a
     *         link, which stays where it is)
     */
    public boolean moveTo(String relative, ContainerDirectory target, String targetRelative)
            throws IOException
    {
        List<String> names = names(relative);
        List<String> targetNames = names(targetRelative);
        Opening operation = operation();
        try (SecureDirectoryStream<Path> top = traversal.openRoot()) {
            Optional<SecureDirectoryStream<Path>> parent = traversal.descend(top, names.subList(0, names.size() - 1), operation);
            if (parent.isEmpty()) {
                return false;
            }
            try (SecureDirectoryStream<Path> from = parent.get()) {
                String name = names.get(names.size() - 1);
                Optional<BasicFileAttributes> attributes = Entries.stat(from, name);
                if (attributes.isEmpty() || !attributes.get().isDirectory()) {
                    return false;
                }
                target.placement.moveInto(targetNames, from, name, target.operation());
                return true;
            }
        }
    }

    /**
     * Makes a tree of the platform's, which no container can write yet, the user's: every
     * directory owned by the user with mode 0700; every regular file the user does not own yet
     * (what the platform wrote) owned by it with mode 0600. Links are left as they are, never
     * followed.
     */
    public static void handOver(Path tree, ContainerUser user)
            throws IOException
    {
        Ownership.handOver(tree, user);
    }

    /**
     * Makes {@code directory}, a path of the platform's (no component of it a container's), with
     * its parents if needed, and gives it to the user with mode 0700: a build's data directory.
     */
    public static ContainerDirectory create(Path directory, ContainerUser user)
            throws IOException
    {
        Files.createDirectories(directory);
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotDirectoryException(directory.toString());
        }
        Ownership.own(directory, user, true);
        return new ContainerDirectory(directory, user);
    }

    /**
     * Deletes {@code path} and, if it is a directory, everything below it, without following any
     * link below it: for trees of the platform's, or those that hold a container's directory
     * (a build's whole workspace). Only its parent is reached by its path, so the parent must be
     * the platform's.
     */
    public static void deleteTree(Path path)
            throws IOException
    {
        TreeDeletion.deleteTree(path, OPEN_TIMEOUT);
    }

    /**
     * Deletes the scratch directories an operation stopped half-way (the platform stopped) left
     * beside the root: at the platform's start, while no operation runs.
     */
    public void deleteScratch()
            throws IOException
    {
        placement.deleteScratch();
    }

    @Override
    public String toString()
    {
        return "ContainerDirectory[" + root + "]";
    }

    static List<String> names(String relative)
    {
        requireNonNull(relative, "relative is null");
        List<String> names = List.of(relative.split("/", -1));
        for (String name : names) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("Not a path of names below a container's directory: '" + relative + "'");
            }
        }
        return names;
    }

    private Opening operation()
    {
        return new Opening(openTimeout);
    }
}
