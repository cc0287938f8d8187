package sh.stagehand.core.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link ContainerDirectory} asks of one open directory: its entries' names and kinds,
 * looked at without following links, and an entry that is no directory deleted as itself; and the
 * platform's own directories, opened by path, from which a container's are opened relative.
 */
final class Entries
{
    private Entries()
    {
    }

    // Through a handle of its own: a directory stream gives its entries once.
    static List<String> list(SecureDirectoryStream<Path> directory)
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

    static Optional<BasicFileAttributes> stat(SecureDirectoryStream<Path> directory, String name)
            throws IOException
    {
        try {
            return Optional.of(directory.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes());
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    static String changedKind(SecureDirectoryStream<Path> parent, String name, String was)
    {
        try {
            return stat(parent, name).map(attributes -> kind(attributes) + ", " + was + " a moment before").orElse("gone");
        }
        catch (IOException e) {
            return "no longer " + was + ": " + e.getMessage();
        }
    }

    static String kind(BasicFileAttributes attributes)
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

    static void deleteFile(SecureDirectoryStream<Path> directory, String name)
            throws IOException
    {
        try {
            directory.deleteFile(Path.of(name));
        }
        catch (NoSuchFileException e) {
            // gone already
        }
    }

    static SecureDirectoryStream<Path> openPlatformDirectory(Path directory)
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
}
