package sh.stagehand.core.files;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.config.PlatformSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The user a build's container runs as, who owns what the platform makes for it: its data directory
 * (mode 0700) and what the platform puts in it (directories 0700, files 0600), so that no other
 * user of the host reads or writes a tenant's files.
 *
 * <p>A platform running as root gives those to the configured user, {@code platform.container-user}
 * ({@code 101:101} by default, the official {@code odoo} image's user). A platform running as
 * another user cannot give files away: it keeps them its own, and its containers must then run as
 * that user — {@link #asDockerUser()} is what a runtime should run them as.
 *
 * @param uid the numeric user id
 * @param gid the numeric group id
 */
public record ContainerUser(int uid, int gid)
{
    /** The official {@code odoo:17.0} image's {@code odoo} user (and sh-testkit's test server's). */
    public static final ContainerUser OFFICIAL_IMAGE = new ContainerUser(101, 101);

    private static final Logger log = LoggerFactory.getLogger(ContainerUser.class);

    public ContainerUser
    {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("A user and group id is 0 or more: " + uid + ":" + gid);
        }
    }

    /**
     * The user the platform's containers run as and its directories are made for: the configured
     * {@code platform.container-user} if the platform runs as root, else the platform's own user.
     */
    public static ContainerUser fromSettings(PlatformSettings settings)
    {
        return resolve(parse(settings.containerUser()), ofThisProcess());
    }

    static ContainerUser resolve(ContainerUser configured, ContainerUser platform)
    {
        if (platform.isRoot() || configured.equals(platform)) {
            return configured;
        }
        log.warn("The platform runs as {}, not as root, and cannot give build data directories to platform.container-user={}: they are its own (mode 0700), "
                + "and its containers must run as {}", platform.asDockerUser(), configured.asDockerUser(), platform.asDockerUser());
        return platform;
    }

    /**
     * @param uidGid {@code uid:gid}, numeric, as {@link PlatformSettings#containerUser()} holds it
     */
    public static ContainerUser parse(String uidGid)
    {
        String[] ids = uidGid.strip().split(":", -1);
        if (ids.length != 2 || !ids[0].matches("[0-9]{1,9}") || !ids[1].matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("Not a numeric uid:gid such as 101:101: " + uidGid);
        }
        return new ContainerUser(Integer.parseInt(ids[0]), Integer.parseInt(ids[1]));
    }

    /**
     * The user and group this process runs as.
     */
    public static ContainerUser ofThisProcess()
    {
        try {
            // What /proc/self belongs to is this process's effective user and group.
            Path self = Path.of("/proc/self");
            return new ContainerUser((Integer) Files.getAttribute(self, "unix:uid"), (Integer) Files.getAttribute(self, "unix:gid"));
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot tell which user the platform runs as (/proc/self): " + e.getMessage(), e);
        }
    }

    public boolean isRoot()
    {
        return uid == 0;
    }

    /**
     * @return {@code uid:gid}, as {@code docker run --user} takes it
     */
    public String asDockerUser()
    {
        return uid + ":" + gid;
    }
}
