package sh.stagehand.github;

import sh.stagehand.github.internal.RepositoryUrlPolicy;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.net.URI;
import java.net.URISyntaxException;
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
 * Configuration of the git provider, keys under {@code git.}, declared in {@link #KEYS}.
 */
public record GitConfig(Optional<Path> cacheDirectory, Duration timeout, URI githubApiUrl, Set<String> allowedHosts)
{
    public static final URI DEFAULT_GITHUB_API_URL = URI.create("https://api.github.com");
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[?[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*]?");

    public static final ConfigKey<Path> CACHE_DIRECTORY = ConfigKey.optional("git.cache-directory", ConfigType.path(),
            "where fetched repositories are kept (default: git-cache in the platform's data directory)");
    public static final ConfigKey<Duration> TIMEOUT = ConfigKey.of("git.timeout", ConfigType.duration(), "5m", "how long one fetch may take")
            .formerly("git.timeout-seconds");
    /**
     * Repositories on {@code github.com} and on this API's host (without a leading {@code api.})
     * count as GitHub repositories; for GitHub Enterprise Server it is {@code https://HOST/api/v3}.
     */
    public static final ConfigKey<URI> GITHUB_API_URL = ConfigKey.of("git.github-api-url", ConfigType.of("an http(s) URL without credentials, query or fragment; use "
            + DEFAULT_GITHUB_API_URL + " for github.com, or https://HOST/api/v3 for GitHub Enterprise Server", GitConfig::githubApiUrl),
            DEFAULT_GITHUB_API_URL.toString(), "GitHub's REST API, where commit statuses are reported");
    /**
     * Hosts whose addresses are inside (loopback, private, link-local, the platform's own), such as
     * a company's {@code gitlab.internal.example}; http:// is allowed to these too. Every other
     * host must be on the internet, over https or ssh.
     */
    public static final ConfigKey<Set<String>> ALLOWED_HOSTS = ConfigKey.of(RepositoryUrlPolicy.ALLOWED_HOSTS_KEY, ConfigType.of("a comma-separated list of host names as URLs "
            + "write them, without scheme, user, port or path: gitlab.internal.example,git.acme.example", GitConfig::allowedHosts), "",
            "hosts a repository URL may name although their addresses are inside, comma-separated");

    public static final ConfigKeys KEYS = ConfigKeys.of("the git provider", CACHE_DIRECTORY, TIMEOUT, GITHUB_API_URL, ALLOWED_HOSTS);

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
        ConfigValues values = KEYS.read(config);
        return new GitConfig(values.optional(CACHE_DIRECTORY), values.get(TIMEOUT), values.get(GITHUB_API_URL), values.get(ALLOWED_HOSTS));
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
                throw new IllegalArgumentException("'" + entry.strip() + "' is not a host name");
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
            // the key's refusal does not repeat a URL with credentials: the message ends up in logs
            throw new IllegalArgumentException();
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
        return URI.create(url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority() + path);
    }
}
