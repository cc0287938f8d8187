package sh.stagehand.spi.runtime;

import static java.util.Objects.requireNonNull;

/**
 * A file the runtime gives a container from its start, read-only, owned by the container's user
 * ({@link ContainerSpec#user()}, else the image's when it names a numeric one, else root):
 * how a secret reaches a container (a configuration file holding a password), never through its
 * environment or command line, which the engine shows to whoever inspects the container and the
 * host shows to whoever lists its processes.
 *
 * @param path absolute path in the container, e.g. {@code /run/stagehand/odoo.conf}
 * @param content the file's text, UTF-8; a secret, never in {@link #toString()}
 * @param mode permission bits, e.g. {@code 0600}
 */
public record ContainerFile(String path, String content, int mode)
{
    public ContainerFile
    {
        requireNonNull(path, "path is null");
        requireNonNull(content, "content is null");
        if (!path.startsWith("/") || path.endsWith("/") || path.contains("/../") || path.contains("/./") || path.contains("//")) {
            throw new IllegalArgumentException("Container file path must be an absolute, normal file path: " + path);
        }
        if (mode < 0 || mode > 0777) {
            throw new IllegalArgumentException("Container file mode is not between 0 and 0777: " + Integer.toOctalString(mode));
        }
    }

    /**
     * A file only the container's user may read and write.
     */
    public static ContainerFile secret(String path, String content)
    {
        return new ContainerFile(path, content, 0600);
    }

    @Override
    public String toString()
    {
        return "ContainerFile[path=" + path + ", mode=" + Integer.toOctalString(mode) + ", content=***]";
    }
}
