package sh.stagehand.docker.internal;

import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The files container specs give (a configuration holding passwords), kept on the host while their
 * container exists and mounted into it read-only, one file each: owned by the container's user,
 * mode as the spec says, in a directory of the container's own (0700) under a root only the
 * platform and the engine reach (0700). Mounting costs the engine nothing; copying into a created
 * container would cost a mount of its file system each time (about 150 ms). Thread-safe.
 */
public final class ContainerFiles
{
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private final Path root;

    public ContainerFiles(Path root)
    {
        this.root = requireNonNull(root, "root is null").toAbsolutePath();
    }

    /**
     * Writes a container's files into a new directory of its own.
     *
     * @return the directory, and each file's path in the container to its path on the host
     */
    public Written write(String containerName, List<ContainerFile> files, long uid, long gid)
    {
        Path directory = root.resolve(containerName + "-" + RandomSecrets.randomHex(6));
        try {
            Files.createDirectories(root);
            // Another user of the host must not have made it first, nor a link in its place.
            if (Files.isSymbolicLink(root) || !Files.getOwner(root, LinkOption.NOFOLLOW_LINKS).equals(Files.getOwner(Path.of("/proc/self")))) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "The directory " + root + " for containers' files is a link or another user's; remove it, or give the provider a "
                        + "directory of its own");
            }
            Files.setPosixFilePermissions(root, PRIVATE_DIRECTORY);
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
            Map<String, Path> mounts = new LinkedHashMap<>();
            int index = 0;
            for (ContainerFile file : files) {
                Path host = directory.resolve("file-" + index++);
                // Made with its mode, never readable by others for a moment.
                try (var channel = Files.newByteChannel(host, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                        PosixFilePermissions.asFileAttribute(permissions(file.mode())))) {
                    channel.write(java.nio.ByteBuffer.wrap(file.content().getBytes(StandardCharsets.UTF_8)));
                }
                Files.setPosixFilePermissions(host, permissions(file.mode()));
                if (isRoot()) {
                    Files.setAttribute(host, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(host, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
                }
                mounts.put(file.path(), host);
            }
            return new Written(directory, mounts);
        }
        catch (IOException e) {
            delete(directory);
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write the files of container " + containerName + " under " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param directory where {@link #write} put a container's files
     * @param mounts each file's path in the container to its path on the host
     */
    public record Written(Path directory, Map<String, Path> mounts)
    {
        public Written
        {
            requireNonNull(directory, "directory is null");
            mounts = Map.copyOf(requireNonNull(mounts, "mounts is null"));
        }
    }

    /**
     * Deletes a directory {@link #write} made, if it is one of this root's. Idempotent.
     */
    public void delete(Path directory)
    {
        if (!directory.toAbsolutePath().normalize().startsWith(root) || directory.toAbsolutePath().normalize().equals(root)) {
            return;
        }
        try (Stream<Path> files = Files.exists(directory, LinkOption.NOFOLLOW_LINKS) ? Files.list(directory) : Stream.empty()) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot delete the files " + directory + " of a removed container: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every directory of this root but those named: what containers removed while the
     * platform was down left.
     */
    public void deleteAllBut(Set<Path> kept)
    {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> directories = Files.list(root)) {
            for (Path directory : directories.toList()) {
                if (!kept.contains(directory.toAbsolutePath())) {
                    delete(directory);
                }
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode)
    {
        StringBuilder text = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = (mode >> shift) & 7;
            text.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return PosixFilePermissions.fromString(text.toString());
    }

    private static boolean isRoot()
    {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        }
        catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
