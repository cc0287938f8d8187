package sh.stagehand.spi.runtime;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * A host directory or file bound into a container.
 *
 * @param source absolute path on the host
 * @param target absolute path in the container
 * @param readOnly whether the container may write to it
 */
public record Mount(Path source, String target, boolean readOnly)
{
    public Mount
    {
        requireNonNull(source, "source is null");
        requireNonNull(target, "target is null");
        if (!source.isAbsolute()) {
            throw new IllegalArgumentException("Mount source must be an absolute path: " + source);
        }
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("Mount target must be an absolute path: " + target);
        }
    }

    public static Mount readOnly(Path source, String target)
    {
        return new Mount(source, target, true);
    }

    public static Mount readWrite(Path source, String target)
    {
        return new Mount(source, target, false);
    }
}
