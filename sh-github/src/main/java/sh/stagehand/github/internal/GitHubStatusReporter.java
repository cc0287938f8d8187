package sh.stagehand.github.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.github.GitConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.CommitStatus;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Reports commit statuses through GitHub's REST API
 * ({@code POST /repos/OWNER/REPO/statuses/SHA}) with the repository's token. A repository is on
 * GitHub when its URL's host is {@code github.com} or the API's host without a leading {@code api.}
 * (GitHub Enterprise Server). Thread-safe.
 */
public final class GitHubStatusReporter
{
    /** How long connecting, and then the whole request, may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final String API_VERSION = "2022-11-28";

    private static final Logger log = LoggerFactory.getLogger(GitHubStatusReporter.class);
    private static final int MAX_DESCRIPTION_LENGTH = 140;
    private static final int MAX_QUOTED_MESSAGE_LENGTH = 200;
    private static final Pattern SCP_LIKE_URL = Pattern.compile("(?:[^@/]+@)?([^@/:]+):(.*)");
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    private static final Pattern REPOSITORY_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}");
    private static final Set<String> URL_SCHEMES = Set.of("https", "http", "ssh", "git", "git+ssh");

    private final URI apiUrl;
    private final Set<String> githubHosts;
    private final Duration timeout;
    private final HttpClient client;
    private final ObjectMapper mapper = JsonMapper.builder().build();

    /**
     * @param apiUrl GitHub's REST API, e.g. {@code https://api.github.com}
     */
    public GitHubStatusReporter(URI apiUrl, Duration timeout)
    {
        this.apiUrl = URI.create(requireNonNull(apiUrl, "apiUrl is null").toString().replaceAll("/+$", ""));
        this.timeout = requireNonNull(timeout, "timeout is null");
        String apiHost = requireNonNull(apiUrl.getHost(), "apiUrl has no host").toLowerCase(Locale.ROOT);
        this.githubHosts = Set.copyOf(List.of("github.com", apiHost.startsWith("api.") ? apiHost.substring("api.".length()) : apiHost));
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * @throws StagehandException {@code NOT_SUPPORTED} if the repository is not on GitHub or has no
     *         token; {@code INVALID_ARGUMENT} if the commit id is not one, or GitHub refuses the
     *         status (422); {@code PERMISSION_DENIED} if GitHub refuses the token (401, 403);
     *         {@code NOT_FOUND} if GitHub has no such repository, or hides it from the token (404);
     *         {@code PROVIDER_UNAVAILABLE} if GitHub cannot be reached, does not answer in time,
     *         fails (5xx) or rate-limits the token
     */
    public void report(RemoteRepository repository, String commitId, CommitStatus status)
    {
        requireNonNull(repository, "repository is null");
        requireNonNull(commitId, "commitId is null");
        requireNonNull(status, "status is null");
        String state = status.state().name().toLowerCase(Locale.ROOT);
        String asked = "Cannot report the " + state + " status " + status.context() + " of commit " + commitId + " of " + repository;
        GitHubRepository target = githubRepository(repository.url())
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_SUPPORTED, asked + ": it is not a GitHub repository (expected https://"
                        + String.join(" or https://", githubHosts.stream().sorted().toList()) + "/OWNER/REPO, or its ssh form); "
                        + "statuses are reported to GitHub only, so there is nothing to do for this repository"));
        String token = repository.token().filter(value -> !value.isBlank())
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_SUPPORTED, asked + ": the project has no GitHub token. "
                        + "Give it a token that may write commit statuses of " + target + " to see build results on GitHub"));
        if (!COMMIT_ID.matcher(commitId).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, asked + ": it is not a full commit id of 40 or 64 hexadecimal digits");
        }

        URI uri = URI.create(apiUrl + "/repos/" + target.owner() + "/" + target.name() + "/statuses/" + commitId.toLowerCase(Locale.ROOT));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/vnd.github+json")
                .header("Authorization", "Bearer " + token)
                .header("X-GitHub-Api-Version", API_VERSION)
                .header("User-Agent", "stagehand")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(state, status)))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (HttpTimeoutException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, asked + ": GitHub at " + apiUrl + " did not answer within " + describe(timeout)
                    + " (" + e.getMessage() + "). Report the status again later", e);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, asked + ": cannot reach GitHub at " + apiUrl + " (" + e + "). "
                    + "Check the network and " + GitConfig.GITHUB_API_URL + ", then report the status again", e);
        }
        catch (InterruptedException e) {
            throw StagehandException.interrupted("reporting a commit status to " + apiUrl, e);
        }
        checkResponse(response, asked, target);
        log.debug("Reported the {} status {} of commit {} of {}", state, status.context(), commitId, target);
    }

    private byte[] requestBody(String state, CommitStatus status)
    {
        ObjectNode body = mapper.createObjectNode();
        body.put("state", state);
        status.targetUrl().ifPresent(url -> body.put("target_url", url.toString()));
        body.put("description", truncate(status.description()));
        body.put("context", status.context());
        try {
            return mapper.writeValueAsBytes(body);
        }
        catch (JacksonException e) {
            throw new IllegalStateException("A JSON tree of strings always serializes", e);
        }
    }

    private void checkResponse(HttpResponse<String> response, String asked, GitHubRepository target)
    {
        int code = response.statusCode();
        if (code >= 200 && code < 300) {
            return;
        }
        String answered = asked + ": GitHub answered HTTP " + code + gitHubMessage(response.body()) + ". ";
        boolean rateLimited = code == 429
                || (code == 403 && (response.headers().firstValue("x-ratelimit-remaining").filter("0"::equals).isPresent()
                        || response.headers().firstValue("retry-after").isPresent()));
        if (rateLimited) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, answered + "The token's rate limit is used up; report the status again after "
                    + response.headers().firstValue("retry-after").map(seconds -> seconds + " s")
                            .or(() -> response.headers().firstValue("x-ratelimit-reset").map(epochSecond -> "the rate limit resets (epoch second " + epochSecond + ")"))
                            .orElse("a minute"));
        }
        switch (code) {
            case 401 -> throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, answered
                    + "The project's GitHub token is wrong, expired or revoked; give the project a valid token");
            case 403 -> throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, answered
                    + "The project's GitHub token may not write commit statuses of " + target + "; give it the \"Commit statuses: write\" permission "
                    + "(fine-grained token) or the repo:status scope (classic token)");
            case 404 -> throw new StagehandException(StandardErrorCode.NOT_FOUND, answered
                    + "GitHub has no repository " + target + ", or hides it from the project's token; check the project's repository URL and that its token may see it");
            case 422 -> throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, answered
                    + "GitHub refused the status: the commit may not have been pushed to " + target + ", or it has too many statuses in this context");
            default -> {
                if (code >= 500) {
                    throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, answered + "GitHub is having trouble; report the status again later");
                }
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, answered + "Check " + GitConfig.GITHUB_API_URL + " and the project's repository URL");
            }
        }
    }

    // GitHub's error bodies are {"message": "...", "documentation_url": "..."}; quote the message, never the whole body.
    private String gitHubMessage(String body)
    {
        try {
            JsonNode message = mapper.readTree(body).path("message");
            if (message.isTextual() && !message.textValue().isBlank()) {
                String text = message.textValue().replaceAll("\\p{Cntrl}", " ").strip();
                if (text.length() > MAX_QUOTED_MESSAGE_LENGTH) {
                    text = text.substring(0, MAX_QUOTED_MESSAGE_LENGTH) + "…";
                }
                return " \"" + text + "\"";
            }
        }
        catch (JacksonException | RuntimeException e) {
            // not JSON: GitHub's message is unknown, the status code says enough
        }
        return "";
    }

    private static String describe(Duration duration)
    {
        return duration.toMillisPart() == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /**
     * @return the description cut to GitHub's 140 characters, the last one an ellipsis when cut;
     *         never in the middle of a surrogate pair
     */
    public static String truncate(String description)
    {
        if (description.codePointCount(0, description.length()) <= MAX_DESCRIPTION_LENGTH) {
            return description;
        }
        return description.substring(0, description.offsetByCodePoints(0, MAX_DESCRIPTION_LENGTH - 1)) + "…";
    }

    /**
     * @return owner and name of a repository on GitHub, from its https, ssh or scp-like URL
     */
    public Optional<GitHubRepository> githubRepository(String url)
    {
        String host;
        String path;
        String value = url.strip();
        if (value.contains("://")) {
            URI uri;
            try {
                uri = new URI(value);
            }
            catch (URISyntaxException e) {
                return Optional.empty();
            }
            if (uri.getScheme() == null || !URL_SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT)) || uri.getHost() == null || uri.getPath() == null) {
                return Optional.empty();
            }
            host = uri.getHost();
            path = uri.getPath();
        }
        else {
            Matcher scpLike = SCP_LIKE_URL.matcher(value);
            if (!scpLike.matches()) {
                return Optional.empty();
            }
            host = scpLike.group(1);
            path = scpLike.group(2);
        }
        if (!githubHosts.contains(host.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        path = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (path.endsWith(".git")) {
            path = path.substring(0, path.length() - ".git".length());
        }
        String[] segments = path.split("/", -1);
        if (segments.length != 2
                || !OWNER.matcher(segments[0]).matches()
                || !REPOSITORY_NAME.matcher(segments[1]).matches()
                || segments[1].equals(".")
                || segments[1].equals("..")) {
            return Optional.empty();
        }
        return Optional.of(new GitHubRepository(segments[0], segments[1]));
    }

    /**
     * A repository on GitHub.
     */
    public record GitHubRepository(String owner, String name)
    {
        public GitHubRepository
        {
            requireNonNull(owner, "owner is null");
            requireNonNull(name, "name is null");
        }

        @Override
        public String toString()
        {
            return owner + "/" + name;
        }
    }
}
