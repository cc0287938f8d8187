package sh.stagehand.docker.internal;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a Docker build context: a directory tree (without {@code .git}) plus a Dockerfile, as the
 * tar stream the engine's build API takes. Symbolic links are kept as links, never followed, so a
 * repository cannot smuggle host files into an image. The context's root names the platform uses
 * ({@value #DOCKERFILE}, {@code .dockerignore}) are the platform's alone: a repository's files of
 * those names are left out, since the engine would take the later of two entries and build the
 * tenant's Dockerfile (an {@code ADD} from the host's network, another tenant's image).
 */
public final class BuildContext
{
    public static final String DOCKERFILE = ".stagehand.Dockerfile";
    private static final String DOCKERIGNORE = ".dockerignore";
    private static final Set<String> PLATFORM_FILES = Set.of(DOCKERFILE, DOCKERIGNORE);

    private BuildContext() {}

    public static void write(Path sourceDirectory, String dockerfile, OutputStream output)
            throws IOException
    {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(output)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            addBytes(tar, DOCKERFILE, dockerfile.getBytes(StandardCharsets.UTF_8));
            addBytes(tar, DOCKERIGNORE, (DOCKERFILE + "\n" + DOCKERIGNORE + "\n**/.git\n").getBytes(StandardCharsets.UTF_8));
            if (sourceDirectory != null) {
                List<Path> paths;
                try (Stream<Path> walk = Files.walk(sourceDirectory)) {
                    paths = walk.filter(path -> !path.equals(sourceDirectory))
                            .filter(path -> !sourceDirectory.relativize(path).toString().startsWith(".git"))
                            .filter(path -> !PLATFORM_FILES.contains(sourceDirectory.relativize(path).toString()))
                            .sorted()
                            .toList();
                }
                for (Path path : paths) {
                    add(tar, sourceDirectory, path);
                }
            }
            tar.finish();
        }
        catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void add(TarArchiveOutputStream tar, Path root, Path path)
            throws IOException
    {
        String name = root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
        if (Files.isSymbolicLink(path)) {
            TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
        }
        else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            TarArchiveEntry entry = new TarArchiveEntry(name + "/");
            entry.setMode(0755);
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
        }
        else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(Files.size(path));
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            entry.setMode(permissions.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644);
            tar.putArchiveEntry(entry);
            Files.copy(path, tar);
            tar.closeArchiveEntry();
        }
    }

    private static void addBytes(TarArchiveOutputStream tar, String name, byte[] content)
            throws IOException
    {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
