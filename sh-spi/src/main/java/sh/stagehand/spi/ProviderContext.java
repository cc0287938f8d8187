package sh.stagehand.spi;

import java.nio.file.Path;
import java.time.Clock;

import static java.util.Objects.requireNonNull;

/**
 * What the platform hands every provider it creates.
 *
 * @param instanceName names this platform instance; providers tag what they create with it (a
 *         container label, a database prefix) so that two platforms sharing one Docker engine or
 *         one PostgreSQL never touch each other's resources
 * @param dataDirectory a directory the provider may keep state in (caches, workspaces); it exists
 *         and is writable
 * @param clock the platform's clock, so that tests control time
 */
public record ProviderContext(String instanceName, Path dataDirectory, Clock clock)
{
    public ProviderContext
    {
        requireNonNull(instanceName, "instanceName is null");
        requireNonNull(dataDirectory, "dataDirectory is null");
        requireNonNull(clock, "clock is null");
        if (!instanceName.matches("[a-z0-9][a-z0-9-]{0,31}")) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT,
                    "Instance name '" + instanceName + "' is not valid: use 1 to 32 lower-case letters, digits and '-', starting with a letter or digit");
        }
    }
}
