package sh.stagehand.core.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The tree below a {@link ContainerDirectory}'s root, opened one directory at a time relative to
 * its open parent with {@code O_NOFOLLOW}, and walked depth first: a link, a FIFO or anything
 * else met is left out, a file read through a channel opened the same way, every open with the
 * operation's deadline. Thread-safe: it holds no state but the root and the tests' hook.
 */
final class Traversal
{
    private final Path root;
    private final Consumer<String> beforeOpen;

    /**
     * @param beforeOpen called with an entry's path (below the root) between looking at it and
     *        opening or linking it: what a container can do in that moment, for tests
     */
    Traversal(Path root, Consumer<String> beforeOpen)
    {
        this.root = root;
        this.beforeOpen = beforeOpen;
    }

    /**
     * The moment between looking at the entry {@code path} and opening or linking it.
     */
    void beforeOpen(String path)
    {
        beforeOpen.accept(path);
    }

    /**
     * @see ContainerDirectory#readFiles
     */
    List<ContainerDirectory.LeftOut> readFiles(String directory, List<String> start, ContainerDirectory.FileReader reader, Opening operation)
            throws IOException
    {
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
                        catch (ContainerDirectory.UnreadableFileException e) {
                            operation.leaveOut(path, "unreadable: " + e.getMessage());
                        }
                    }
                });
            }
        }
        return operation.leftOut();
    }

    /**
     * @see ContainerDirectory#usage
     */
    ContainerDirectory.Usage usage(String directory, List<String> start, Opening operation)
            throws IOException
    {
        long[] totals = new long[2];
        try (SecureDirectoryStream<Path> top = openRoot()) {
            Optional<SecureDirectoryStream<Path>> opened = descend(top, start, operation);
            if (opened.isPresent()) {
                try (SecureDirectoryStream<Path> from = opened.get()) {
                    // Sizes as the entries were looked at: nothing is opened, so nothing can block.
                    walk(from, directory, "", 0, operation, (parent, name, path, relative, attributes) -> {
                        totals[0] += attributes.size();
                        totals[1]++;
                    });
                }
            }
        }
        return new ContainerDirectory.Usage(totals[0], totals[1]);
    }

    interface Walker
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
    void walk(SecureDirectoryStream<Path> directory, String base, String prefix, int depth, Opening operation, Walker walker)
            throws IOException
    {
        for (String name : Entries.list(directory)) {
            String relative = prefix.isEmpty() ? name : prefix + "/" + name;
            String path = base + "/" + relative;
            Optional<BasicFileAttributes> attributes = Entries.stat(directory, name);
            if (attributes.isEmpty()) {
                // Gone meanwhile (Odoo's garbage collection, a logout).
                continue;
            }
            if (attributes.get().isDirectory()) {
                if (depth + 1 >= ContainerDirectory.MAX_DEPTH) {
                    operation.leaveOut(path, "deeper than " + ContainerDirectory.MAX_DEPTH + " directories");
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
                operation.leaveOut(path, Entries.kind(attributes.get()));
            }
        }
    }

    // Opens the directories `names` below `top` one by one, none followed if it is a link; empty if
    // one is absent or no directory (then left out).
    Optional<SecureDirectoryStream<Path>> descend(SecureDirectoryStream<Path> top, List<String> names, Opening operation)
            throws IOException
    {
        SecureDirectoryStream<Path> current = top;
        String path = "";
        try {
            for (String name : names) {
                path = path.isEmpty() ? name : path + "/" + name;
                Optional<BasicFileAttributes> attributes = Entries.stat(current, name);
                Optional<SecureDirectoryStream<Path>> next = Optional.empty();
                if (attributes.isPresent() && attributes.get().isDirectory()) {
                    next = openDirectory(current, name, path, operation);
                }
                else if (attributes.isPresent()) {
                    operation.leaveOut(path, Entries.kind(attributes.get()));
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

    Optional<SecureDirectoryStream<Path>> openDirectory(SecureDirectoryStream<Path> parent, String name, String path, Opening operation)
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
            operation.leaveOut(path, Entries.changedKind(parent, name, "a directory"));
            return Optional.empty();
        }
    }

    Optional<FileChannel> openFile(SecureDirectoryStream<Path> parent, String name, String path, Opening operation)
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
            operation.leaveOut(path, Entries.changedKind(parent, name, "a regular file"));
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

    // The root itself, from its parent (the platform's), not followed if it is a link.
    SecureDirectoryStream<Path> openRoot()
            throws IOException
    {
        try (SecureDirectoryStream<Path> parent = Entries.openPlatformDirectory(root.getParent())) {
            return parent.newDirectoryStream(root.getFileName(), LinkOption.NOFOLLOW_LINKS);
        }
    }
}
