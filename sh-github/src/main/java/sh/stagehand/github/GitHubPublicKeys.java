package sh.stagehand.github;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.PublicKeyDirectory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The public SSH keys a GitHub user publishes, read from {@code <host>/<user>.keys}. Thread-safe.
 */
public final class GitHubPublicKeys
        implements PublicKeyDirectory
{
    private static final Pattern GITHUB_USER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();

    @Override
    public List<String> publicKeys(URI host, String user)
    {
        if (user == null || !GITHUB_USER.matcher(user.strip()).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "'" + user + "' is not a GitHub user name; send {\"github\": \"octocat\"}");
        }
        URI url = URI.create(host + "/" + user.strip() + ".keys");
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot read " + url + ": " + e.getMessage() + "; try again, or paste the keys by hand", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StagehandException(StandardErrorCode.INTERRUPTED, "Interrupted while reading " + url, e);
        }
        if (response.statusCode() == 404) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "GitHub has no user " + user.strip());
        }
        if (response.statusCode() != 200) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, url + " answered " + response.statusCode() + "; try again, or paste the keys by hand");
        }
        return Arrays.stream(response.body().split("\n"))
                .filter(line -> !line.isBlank())
                .toList();
    }
}
