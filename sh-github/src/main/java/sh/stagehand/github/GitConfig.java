package sh.stagehand.github;

import sh.stagehand.github.internal.RepositoryUrlPolicy;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Configuration of the git provider, keys under {@code git.}:
 * <ul>
 * <li>{@code git.cache-directory}: where fetched repositories are kept (default: {@code git-cache}
 *     in the platform's data directory)</li>
 * <li>{@code git.timeout-seconds}: how long one fetch may take (default 300)</li>
 * <li>{@code git.github-api-url}: GitHub's REST API, where commit statuses are reported (default
 *     {@code https://api.github.com}; for GitHub Enterprise Server {@code https://HOST/api/v3}).
 *     Repositories on {@code github.com} and on this API's host (without a leading {@code api.})
 *     count as GitHub repositories.</li>
 * <li>{@code git.allowed-hosts}: hosts a repository URL may name although their addresses are
 *     inside (loopback, private, link-local, the platform's own), comma-separated names as URLs
 *     write them, e.g. a company's {@code gitlab.internal.example}; http:// is allowed to these
 *     too (default: none). Every other host must be on the internet, over https or ssh.</li>
 * </ul>
 */
public record GitConfig(Optional<Path> cacheDirectory, Duration timeout, URI githubApiUrl, Set<String> allowedHosts)
{
    public static final String CACHE_DIRECTORY = "git.cache-directory";
    public static final String TIMEOUT_SECONDS = "git.timeout-seconds";
    public static final String GITHUB_API_URL = "git.github-api-url";
    public static final String ALLOWED_HOSTS = RepositoryUrlPolicy.ALLOWED_HOSTS_KEY;

    public static final URI DEFAULT_GITHUB_API_URL = URI.create("https://api.github.com");

    private static final Set<String> KEYS = Set.of(CACHE_DIRECTORY, TIMEOUT_SECONDS, GITHUB_API_URL, ALLOWED_HOSTS);
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[?[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*]?");

    public GitConfig
    {
        requireNonNull(cacheDirectory, "cacheDirectory is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(githubApiUrl, "githubApiUrl is null");
        allowedHosts = Set.copyOf(requireNonNull(allowedHosts, "allowedHosts is null"));
    }

    public GitConfig(Optional<Path> cacheDirectory, Duration timeout, URI githubApiUrl)
    {
        this(cacheDirectory, timeout, githubApiUrl, Set.of());
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
        URI githubApiUrl = Optional.ofNullable(config.get(GITHUB_API_URL)).map(GitConfig::githubApiUrl).orElse(DEFAULT_GITHUB_API_URL);
        return new GitConfig(cacheDirectory, Duration.ofSeconds(seconds), githubApiUrl, allowedHosts(config.getOrDefault(ALLOWED_HOSTS, "")));
    }

    private static Set<String> allowedHosts(String value)
    {
        Set<String> hosts = new TreeSet<>();
        for (String entry : value.split(",")) {
            String host = entry.strip().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
            if (host.isEmpty()) {
                continue;
            }
            if (!HOST.matcher(host).matches()) {
                throw invalid(ALLOWED_HOSTS + " holds '" + entry.strip() + "', which is not a host name; list names as URLs write them, comma-separated, "
                        + "without scheme, user, port or path: gitlab.internal.example,git.acme.example");
            }
            hosts.add(host);
        }
        return hosts;
    }

    // Without a trailing slash, so that "/repos/..." can be appended.
    private static URI githubApiUrl(String value)
    {
        URI url;
        try {
            url = new URI(value.strip());
        }
        catch (URISyntaxException e) {
            url = null;
        }
        if (url == null
                || url.getScheme() == null
                || !Set.of("http", "https").contains(url.getScheme().toLowerCase(Locale.ROOT))
                || url.getHost() == null
                || url.getRawUserInfo() != null
                || url.getRawQuery() != null
                || url.getRawFragment() != null) {
            // a URL with credentials is not repeated: the message ends up in logs
            String shown = value.contains("@") ? "(a URL with credentials)" : value;
            throw invalid(GITHUB_API_URL + "=" + shown + " is not an http(s) URL without credentials, query or fragment; use " + DEFAULT_GITHUB_API_URL
                    + " for github.com, or https://HOST/api/v3 for GitHub Enterprise Server");
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
        return URI.create(url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority() + path);
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }
}
