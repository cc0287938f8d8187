package sh.stagehand.core.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
 */
public final class ContainerDirectory
{
    /** Directories opened at once below a walk's start: Odoo's filestore and sessions are two deep. */
    static final int MAX_DEPTH = 32;
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);
    // Tries at an entry a container keeps changing under the platform.
    private static final int MAX_ATTEMPTS = 5;
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path root;
    private final ContainerUser user;
    private final Duration openTimeout;
    private final Consumer<String> beforeOpen;

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
        this.beforeOpen = requireNonNull(beforeOpen, "beforeOpen is null");
        if (this.root.getParent() == null) {
            throw new IllegalArgumentException("A container's directory is never the file system's root: " + root);
        }
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
        List<String> start = names(directory);
        Opening operation = operation();
        try (SecureDirectoryStream<Path> top = openRoot()) {
            Optional<SecureDirectoryStream<Path>> opened = descend(top, start, operation);
            if (opened.isEmpty()) {
                return operation.leftOut();
            }
            try (SecureDirectoryStream<Path> from = opened.get()) {
                walk(from, directory, "", 0, operation, new Walker()
                {
                    @Override
                    public void file(SecureDirectoryStream<Path> parent, String name, String path, String relative, BasicFileAttributes attributes)
                            throws IOException
                    {
                        Optional<FileChannel> channel = openFile(parent, name, path, operation);
                        if (channel.isEmpty()) {
                            return;
                        }
                        try (FileChannel file = channel.get()) {
                            reader.read(relative, new ChannelFile(file, file.size(), path));
                        }
                        catch (UnreadableFileException e) {
                            operation.leaveOut(path, "unreadable: " + e.getMessage());
                        }
                    }
                });
            }
        }
        return operation.leftOut();
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
        List<String> start = names(directory);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "the copy's target exists");
        }
        Files.createDirectories(target.getParent());
        Files.createDirectory(target);
        own(target, user, true);
        Opening operation = operation();
        long[] files = new long[1];
        Path source = resolve(start);
        try (SecureDirectoryStream<Path> top = openRoot()) {
            Optional<SecureDirectoryStream<Path>> opened = descend(top, start, operation);
            if (opened.isEmpty()) {
                return new Copy(0, operation.leftOut());
            }
            try (SecureDirectoryStream<Path> from = opened.get()) {
                walk(from, directory, "", 0, operation, new Walker()
                {
                    @Override
                    public void enter(String path, String relative)
                            throws IOException
                    {
                        own(Files.createDirectory(target.resolve(relative)), user, true);
                    }

                    @Override
                    public void file(SecureDirectoryStream<Path> parent, String name, String path, String relative, BasicFileAttributes attributes)
                            throws IOException
                    {
                        beforeOpen.accept(path);
                        if (link(source.resolve(relative), target.resolve(relative), attributes.fileKey()) || write(parent, name, path, target.resolve(relative), operation)) {
                            files[0]++;
                        }
                    }
                });
            }
        }
        return new Copy(files[0], operation.leftOut());
    }

    /**
     * Puts a copy of {@code source}'s {@code directory} at {@code relative} ({@link #copyTo} beside
     * this root, then {@link #replace}'d in), whatever was there deleted.
     */
    public Copy copyFrom(ContainerDirectory source, String directory, String relative)
            throws IOException
    {
        names(relative);
        Path scratch = newScratchDirectory();
        try {
            Copy copy = source.copyTo(directory, scratch.resolve("copy"));
            moveIn(relative, scratch.resolve("copy"));
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
        try (SecureDirectoryStream<Path> top = openRoot()) {
            Optional<SecureDirectoryStream<Path>> parent = descend(top, names.subList(0, names.size() - 1), operation);
            if (parent.isEmpty()) {
                return;
            }
            try (SecureDirectoryStream<Path> opened = parent.get()) {
                deleteEntry(opened, names.get(names.size() - 1), relative, operation);
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
        moveIn(relative, staged);
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
        try (SecureDirectoryStream<Path> top = openRoot()) {
            Optional<SecureDirectoryStream<Path>> parent = descend(top, names.subList(0, names.size() - 1), operation);
            if (parent.isEmpty()) {
                return false;
            }
            try (SecureDirectoryStream<Path> from = parent.get()) {
                String name = names.get(names.size() - 1);
                Optional<BasicFileAttributes> attributes = stat(from, name);
                if (attributes.isEmpty() || !attributes.get().isDirectory()) {
                    return false;
                }
                target.moveInto(targetNames, from, name);
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
        own(directory, user, true);
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
        Path absolute = path.toAbsolutePath().normalize();
        if (absolute.getParent() == null || !Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (SecureDirectoryStream<Path> parent = openPlatformDirectory(absolute.getParent())) {
            deleteEntry(parent, absolute.getFileName().toString(), absolute.toString(), new Opening(OPEN_TIMEOUT));
        }
    }

    /**
     * Deletes the scratch directories an operation stopped half-way (the platform stopped) left
     * beside the root: at the platform's start, while no operation runs.
     */
    public void deleteScratch()
            throws IOException
    {
        String prefix = "." + root.getFileName() + "-";
        List<Path> scratch = new ArrayList<>();
        try (DirectoryStream<Path> beside = Files.newDirectoryStream(root.getParent(), entry -> entry.getFileName().toString().startsWith(prefix))) {
            beside.forEach(scratch::add);
        }
        for (Path directory : scratch) {
            deleteTree(directory);
        }
    }

    @Override
    public String toString()
    {
        return "ContainerDirectory[" + root + "]";
    }

    private void moveIn(String relative, Path staged)
            throws IOException
    {
        Path absolute = staged.toAbsolutePath().normalize();
        try (SecureDirectoryStream<Path> stagedParent = openPlatformDirectory(absolute.getParent())) {
            moveInto(names(relative), stagedParent, absolute.getFileName().toString());
        }
    }

    // Renames `name` of the open directory `from` to `names` below this root, whatever is there deleted.
    private void moveInto(List<String> names, SecureDirectoryStream<Path> from, String name)
            throws IOException
    {
        Opening operation = operation();
        String relative = String.join("/", names);
        try (SecureDirectoryStream<Path> top = openRoot()) {
            SecureDirectoryStream<Path> parent = directoriesFor(top, names.subList(0, names.size() - 1), operation);
            try {
                String leaf = names.get(names.size() - 1);
                for (int attempt = 1; ; attempt++) {
                    deleteEntry(parent, leaf, relative, operation);
                    try {
                        from.move(Path.of(name), parent, Path.of(leaf));
                        return;
                    }
                    catch (NoSuchFileException e) {
                        throw e;
                    }
                    catch (FileSystemException e) {
                        // A container made it again meanwhile (not empty, or not a directory).
                        if (attempt == MAX_ATTEMPTS) {
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
                    if (attempt > MAX_ATTEMPTS) {
                        throw new FileSystemException(root.resolve(path).toString(), null, "keeps changing while the platform makes it a directory");
                    }
                    Optional<BasicFileAttributes> attributes = stat(current, name);
                    if (attributes.isEmpty()) {
                        createDirectory(current, name);
                    }
                    else if (!attributes.get().isDirectory()) {
                        deleteFile(current, name);
                    }
                    else {
                        next = openDirectory(current, name, path, operation).orElse(null);
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
        try (SecureDirectoryStream<Path> beside = openPlatformDirectory(scratch.getParent())) {
            beside.move(scratch.getFileName(), parent, Path.of(name));
        }
        catch (FileSystemException e) {
            // Something took the place meanwhile: the caller looks again.
            deleteTree(scratch);
        }
    }

    private Path newScratchDirectory()
            throws IOException
    {
        Path scratch = root.resolveSibling("." + root.getFileName() + "-" + UUID.randomUUID());
        Files.createDirectory(scratch);
        own(scratch, user, true);
        return scratch;
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
        Optional<FileChannel> opened = openFile(parent, name, path, operation);
        if (opened.isEmpty()) {
            return false;
        }
        try (FileChannel file = opened.get(); InputStream in = new ChannelFile(file, file.size(), path).newInputStream()) {
            Files.copy(in, target);
        }
        catch (UnreadableFileException e) {
            Files.deleteIfExists(target);
            operation.leaveOut(path, "unreadable: " + e.getMessage());
            return false;
        }
        own(target, user, false);
        return true;
    }

    private interface Walker
    {
        /**
         * A directory just opened, before what is in it.
         */
        default void enter(String path, String relative)
                throws IOException
        {
        }

        /**
         * A regular file, as it was when looked at; not opened.
         *
         * @param path its path below the root, for reports
         * @param relative its path below the directory walked
         */
        void file(SecureDirectoryStream<Path> parent, String name, String path, String relative, BasicFileAttributes attributes)
                throws IOException;
    }

    // Depth first; `base` is the directory walked, below the root, and `prefix` the path below it.
    private void walk(SecureDirectoryStream<Path> directory, String base, String prefix, int depth, Opening operation, Walker walker)
            throws IOException
    {
        for (String name : list(directory)) {
            String relative = prefix.isEmpty() ? name : prefix + "/" + name;
            String path = base + "/" + relative;
            Optional<BasicFileAttributes> attributes = stat(directory, name);
            if (attributes.isEmpty()) {
                // Gone meanwhile (Odoo's garbage collection, a logout).
                continue;
            }
            if (attributes.get().isDirectory()) {
                if (depth + 1 >= MAX_DEPTH) {
                    operation.leaveOut(path, "deeper than " + MAX_DEPTH + " directories");
                    continue;
                }
                Optional<SecureDirectoryStream<Path>> opened = openDirectory(directory, name, path, operation);
                if (opened.isPresent()) {
                    try (SecureDirectoryStream<Path> subdirectory = opened.get()) {
                        walker.enter(path, relative);
                        walk(subdirectory, base, relative, depth + 1, operation, walker);
                    }
                }
            }
            else if (attributes.get().isRegularFile()) {
                walker.file(directory, name, path, relative, attributes.get());
            }
            else {
                operation.leaveOut(path, kind(attributes.get()));
            }
        }
    }

    // Opens the directories `names` below `top` one by one, none followed if it is a link; empty if
    // one is absent or no directory (then left out).
    private Optional<SecureDirectoryStream<Path>> descend(SecureDirectoryStream<Path> top, List<String> names, Opening operation)
            throws IOException
    {
        SecureDirectoryStream<Path> current = top;
        String path = "";
        try {
            for (String name : names) {
                path = path.isEmpty() ? name : path + "/" + name;
                Optional<BasicFileAttributes> attributes = stat(current, name);
                Optional<SecureDirectoryStream<Path>> next = Optional.empty();
                if (attributes.isPresent() && attributes.get().isDirectory()) {
                    next = openDirectory(current, name, path, operation);
                }
                else if (attributes.isPresent()) {
                    operation.leaveOut(path, kind(attributes.get()));
                }
                if (current != top) {
                    current.close();
                }
                current = null;
                if (next.isEmpty()) {
                    return Optional.empty();
                }
                current = next.get();
            }
            // The caller closes what it gets, and `top` is the caller's own: a second handle on it.
            return Optional.of(current == top ? top.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS) : current);
        }
        catch (IOException | RuntimeException e) {
            if (current != null && current != top) {
                current.close();
            }
            throw e;
        }
    }

    private Optional<SecureDirectoryStream<Path>> openDirectory(SecureDirectoryStream<Path> parent, String name, String path, Opening operation)
            throws IOException
    {
        beforeOpen.accept(path);
        try {
            return Optional.of(operation.open(path, parent, opened -> opened.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS)));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (Opening.BlockedOpenException e) {
            operation.leaveOut(path, e.getMessage());
            return Optional.empty();
        }
        catch (FileSystemException e) {
            // O_NOFOLLOW refused a link, or it is no directory now: it changed since it was looked at.
            operation.leaveOut(path, changedKind(parent, name, "a directory"));
            return Optional.empty();
        }
    }

    private Optional<FileChannel> openFile(SecureDirectoryStream<Path> parent, String name, String path, Opening operation)
            throws IOException
    {
        beforeOpen.accept(path);
        SeekableByteChannel channel;
        try {
            channel = operation.open(path, parent, opened -> opened.newByteChannel(Path.of(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (Opening.BlockedOpenException e) {
            operation.leaveOut(path, e.getMessage());
            return Optional.empty();
        }
        catch (IOException e) {
            // O_NOFOLLOW refused a link put there since it was looked at (ELOOP), or the like.
            operation.leaveOut(path, changedKind(parent, name, "a regular file"));
            return Optional.empty();
        }
        if (!(channel instanceof FileChannel file)) {
            channel.close();
            throw new IOException("The file system gives no file channel for " + path);
        }
        try {
            // Through the open file, not its name: a directory or a FIFO that took the file's place
            // cannot be read at a position.
            file.read(ByteBuffer.allocate(1), 0);
            return Optional.of(file);
        }
        catch (IOException e) {
            file.close();
            operation.leaveOut(path, "not a regular file once opened: " + e.getMessage());
            return Optional.empty();
        }
    }

    // One entry and, if it is a directory, all below it, whatever a container does meanwhile.
    private static void deleteEntry(SecureDirectoryStream<Path> parent, String name, String path, Opening operation)
            throws IOException
    {
        for (int attempt = 1; ; attempt++) {
            try {
                Optional<BasicFileAttributes> attributes = stat(parent, name);
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
                if (attempt == MAX_ATTEMPTS) {
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
        for (String name : list(directory)) {
            String entry = path + "/" + name;
            Optional<BasicFileAttributes> attributes = stat(directory, name);
            if (attributes.isEmpty()) {
                continue;
            }
            if (!attributes.get().isDirectory()) {
                deleteFile(directory, name);
                continue;
            }
            if (depth >= MAX_DEPTH) {
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

    private static void deleteFile(SecureDirectoryStream<Path> directory, String name)
            throws IOException
    {
        try {
            directory.deleteFile(Path.of(name));
        }
        catch (NoSuchFileException e) {
            // gone already
        }
    }

    // Through a handle of its own: a directory stream gives its entries once.
    private static List<String> list(SecureDirectoryStream<Path> directory)
            throws IOException
    {
        List<String> names = new ArrayList<>();
        try (SecureDirectoryStream<Path> again = directory.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS)) {
            for (Path entry : again) {
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }

    private static Optional<BasicFileAttributes> stat(SecureDirectoryStream<Path> directory, String name)
            throws IOException
    {
        try {
            return Optional.of(directory.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes());
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static String changedKind(SecureDirectoryStream<Path> parent, String name, String was)
    {
        try {
            return stat(parent, name).map(attributes -> kind(attributes) + ", " + was + " a moment before").orElse("gone");
        }
        catch (IOException e) {
            return "no longer " + was + ": " + e.getMessage();
        }
    }

    private static String kind(BasicFileAttributes attributes)
    {
        if (attributes.isSymbolicLink()) {
            return "a symbolic link, never followed";
        }
        if (attributes.isDirectory()) {
            return "a directory";
        }
        if (attributes.isRegularFile()) {
            return "a regular file";
        }
        return "neither a regular file nor a directory (a FIFO, a socket, a device)";
    }

    private SecureDirectoryStream<Path> openRoot()
            throws IOException
    {
        try (SecureDirectoryStream<Path> parent = openPlatformDirectory(root.getParent())) {
            return parent.newDirectoryStream(root.getFileName(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static SecureDirectoryStream<Path> openPlatformDirectory(Path directory)
            throws IOException
    {
        DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new UnsupportedOperationException("The file system of " + directory + " cannot open a directory relative to another (SecureDirectoryStream, openat): "
                + "run the platform on Linux, whose file systems can");
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

    private static void own(Path path, ContainerUser user, boolean directory)
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

    private Opening operation()
    {
        return new Opening(openTimeout);
    }
}
