package sh.stagehand.core.files;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.StagehandConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The user a build's container runs as, who owns what the platform makes for it: its data directory
 * (mode 0700) and what the platform puts in it (directories 0700, files 0600), so that no other
 * user of the host reads or writes a tenant's files.
 *
 * <p>A platform running as root gives those to the configured user, by default the official
 * {@code odoo} image's ({@code platform.container-uid=101}, {@code platform.container-gid=101}).
 * A platform running as another user cannot give files away: it keeps them its own, and its
 * containers must then run as that user ({@link #asDockerUser()}, the hook a runtime uses).
 *
 * @param uid the numeric user id
 * @param gid the numeric group id
 */
public record ContainerUser(int uid, int gid)
{
    public static final String UID_KEY = "platform.container-uid";
    public static final String GID_KEY = "platform.container-gid";
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
     * one ({@link #UID_KEY}, {@link #GID_KEY}; default {@link #OFFICIAL_IMAGE}) if the platform
     * runs as root, else the platform's own user.
     *
     * @throws StagehandException {@code INVALID_CONFIGURATION} for a value that is no id, or for a
     *         user set explicitly that a platform not running as root cannot give files to
     */
    public static ContainerUser fromConfig(StagehandConfig config)
    {
        return resolve(config.get(UID_KEY), config.get(GID_KEY), ofThisProcess());
    }

    static ContainerUser resolve(Optional<String> uid, Optional<String> gid, ContainerUser platform)
    {
        ContainerUser configured = new ContainerUser(
                id(UID_KEY, uid.orElse(Integer.toString(OFFICIAL_IMAGE.uid()))),
                id(GID_KEY, gid.orElse(Integer.toString(OFFICIAL_IMAGE.gid()))));
        if (platform.isRoot() || configured.equals(platform)) {
            return configured;
        }
        if (uid.isPresent() || gid.isPresent()) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, UID_KEY + "/" + GID_KEY + " say " + configured.asDockerUser() + ", but the platform runs as "
                    + platform.asDockerUser() + ", not as root, and cannot give files to another user: remove both keys (its containers then run as "
                    + platform.asDockerUser() + "), or run the platform as root");
        }
        log.info("The platform does not run as root: build data directories are its own ({}), and its containers must run as that user", platform.asDockerUser());
        return platform;
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

    private static int id(String key, String value)
    {
        try {
            int id = Integer.parseInt(value.strip());
            if (id >= 0) {
                return id;
            }
        }
        catch (NumberFormatException e) {
            // said below
        }
        throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, key + "=" + value + " is not a numeric id such as 101 (the official odoo image's)");
    }
}
