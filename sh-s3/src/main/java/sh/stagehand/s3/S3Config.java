package sh.stagehand.s3;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The S3 backup store, keys under {@code s3.} (or {@code backup.replica.<name>.} for a replica):
 * <ul>
 * <li>{@code s3.bucket}: the bucket, which must exist (required)</li>
 * <li>{@code s3.prefix}: a prefix for every key, e.g. {@code stagehand/} (default none)</li>
 * <li>{@code s3.region}: the region (default {@code us-east-1})</li>
 * <li>{@code s3.endpoint}: the service's URL, for any S3-compatible service (default: AWS's)</li>
 * <li>{@code s3.path-style}: address the bucket in the path, as most S3-compatible services want
 *     (default false)</li>
 * <li>{@code s3.access-key}, {@code s3.secret-key}: credentials (the secret a secret; default: the
 *     AWS SDK's default chain: environment, profile, instance role)</li>
 * </ul>
 */
public record S3Config(String bucket, String prefix, String region, Optional<URI> endpoint, boolean pathStyle, Optional<String> accessKey, Optional<String> secretKey)
{
    public static final String BUCKET = "s3.bucket";
    public static final String PREFIX = "s3.prefix";
    public static final String REGION = "s3.region";
    public static final String ENDPOINT = "s3.endpoint";
    public static final String PATH_STYLE = "s3.path-style";
    public static final String ACCESS_KEY = "s3.access-key";
    public static final String SECRET_KEY = "s3.secret-key";
    private static final Set<String> KEYS = Set.of(BUCKET, PREFIX, REGION, ENDPOINT, PATH_STYLE, ACCESS_KEY, SECRET_KEY);

    public S3Config
    {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(region, "region is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(accessKey, "accessKey is null");
        requireNonNull(secretKey, "secretKey is null");
    }

    public static S3Config fromMap(Map<String, String> config)
    {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid("Unknown configuration key " + key + "; the S3 backup store knows " + new TreeSet<>(KEYS));
            }
        }
        String bucket = config.getOrDefault(BUCKET, "").strip();
        if (bucket.isEmpty()) {
            throw invalid(BUCKET + " is not set: name the bucket backups go to, e.g. " + BUCKET + "=acme-backups");
        }
        String prefix = config.getOrDefault(PREFIX, "").strip();
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        Optional<URI> endpoint;
        try {
            endpoint = Optional.ofNullable(config.get(ENDPOINT)).map(String::strip).filter(value -> !value.isEmpty()).map(URI::create);
        }
        catch (IllegalArgumentException e) {
            throw invalid(ENDPOINT + "=" + config.get(ENDPOINT) + " is not a URL: " + e.getMessage());
        }
        endpoint.filter(uri -> uri.getScheme() == null || uri.getHost() == null).ifPresent(uri -> {
            throw invalid(ENDPOINT + "=" + uri + " is not an http(s) URL such as https://s3.eu-central-1.amazonaws.com");
        });
        String pathStyle = config.getOrDefault(PATH_STYLE, "false").strip();
        if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
            throw invalid(PATH_STYLE + "=" + pathStyle + " is neither true nor false");
        }
        Optional<String> accessKey = Optional.ofNullable(config.get(ACCESS_KEY)).filter(value -> !value.isBlank());
        Optional<String> secretKey = Optional.ofNullable(config.get(SECRET_KEY)).filter(value -> !value.isBlank());
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw invalid("Set both " + ACCESS_KEY + " and " + SECRET_KEY + ", or neither (then the AWS SDK's default credentials are used)");
        }
        return new S3Config(bucket, prefix, config.getOrDefault(REGION, "us-east-1").strip(), endpoint, Boolean.parseBoolean(pathStyle), accessKey, secretKey);
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }

    @Override
    public String toString()
    {
        return "S3Config[bucket=" + bucket + ", prefix=" + prefix + ", region=" + region + ", endpoint=" + endpoint.map(URI::toString).orElse("(AWS)")
                + ", pathStyle=" + pathStyle + accessKey.map(key -> ", accessKey=" + key + ", secretKey=***").orElse("") + "]";
    }
}
