package sh.stagehand.server.ssh;

import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The SSH server's keys: {@code ssh -p <ssh.port> <build>@<host>} with a key of the user's profile
 * lands in the build's shell.
 *
 * @param enabled whether it listens at all
 * @param host the address it listens on
 * @param port its port (0 picks a free one)
 */
public record SshConfig(boolean enabled, String host, int port)
{
    public static final ConfigKey<Boolean> ENABLED = ConfigKey.of("ssh.enabled", ConfigType.bool(), "true", "whether users reach builds' shells over SSH");
    public static final ConfigKey<String> HOST = ConfigKey.of("ssh.host", ConfigType.nonEmptyString(), "127.0.0.1", "where the SSH server listens");
    public static final ConfigKey<Integer> PORT = ConfigKey.of("ssh.port", ConfigType.listenPort(), "2222", "the SSH server's port");
    public static final ConfigKeys KEYS = ConfigKeys.of("the SSH server", ENABLED, HOST, PORT);
    public static final SshConfig DEFAULTS = fromMap(Map.of());

    public SshConfig
    {
        requireNonNull(host, "host is null");
    }

    public static SshConfig fromMap(Map<String, String> properties)
    {
        ConfigValues values = KEYS.readDeclared(properties);
        return new SshConfig(values.get(ENABLED), values.get(HOST), values.get(PORT));
    }
}
