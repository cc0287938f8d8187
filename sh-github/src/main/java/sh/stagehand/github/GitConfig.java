package sh.stagehand.github;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Configuration of the git provider, keys under {@code git.}:
 * <ul>
 * <li>{@code git.cache-directory}: where fetched repositories are kept (default: {@code git-cache}
 *     in the platform's data directory)</li>
 * <li>{@code git.timeout-seconds}: how long one fetch may take (default 300)</li>
 * </ul>
 */
public record GitConfig(Optional<Path> cacheDirectory, Duration timeout)
{
    public static final String CACHE_DIRECTORY = "git.cache-directory";
    public static final String TIMEOUT_SECONDS = "git.timeout-seconds";

    private static final Set<String> KEYS = Set.of(CACHE_DIRECTORY, TIMEOUT_SECONDS);

    public GitConfig
    {
        requireNonNull(cacheDirectory, "cacheDirectory is null");
        requireNonNull(timeout, "timeout is null");
    }

    public static GitConfig fromMap(Map<String, String> config)
    {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid("Unknown configuration key " + key + "; the git provider knows " + new TreeSet<>(KEYS));
            }
        }
        Optional<Path> cacheDirectory;
        try {
            cacheDirectory = Optional.ofNullable(config.get(CACHE_DIRECTORY)).map(Path::of);
        }
        catch (InvalidPathException e) {
            throw invalid(CACHE_DIRECTORY + "=" + config.get(CACHE_DIRECTORY) + " is not a valid path: " + e.getMessage());
        }
        String timeoutValue = config.getOrDefault(TIMEOUT_SECONDS, "300");
        long seconds;
        try {
            seconds = Long.parseLong(timeoutValue.strip());
        }
        catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > Integer.MAX_VALUE) {
            throw invalid(TIMEOUT_SECONDS + "=" + timeoutValue + " is not a positive whole number of seconds");
        }
        return new GitConfig(cacheDirectory, Duration.ofSeconds(seconds));
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }
}
