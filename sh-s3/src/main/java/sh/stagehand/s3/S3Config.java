package sh.stagehand.s3;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The S3 backup store, keys under {@code s3.} (or {@code backup.replica.<name>.} for a replica),
 * declared in {@link #KEYS}.
 */
public record S3Config(String bucket, String prefix, String region, Optional<URI> endpoint, boolean pathStyle, Optional<String> accessKey, Optional<String> secretKey)
{
    public static final ConfigKey<String> BUCKET = ConfigKey.required("s3.bucket", ConfigType.nonEmptyString(), "the bucket backups go to, which must exist, e.g. acme-backups");
    public static final ConfigKey<String> PREFIX = ConfigKey.of("s3.prefix", ConfigType.string().map(String::strip), "", "a prefix for every key, e.g. stagehand/");
    public static final ConfigKey<String> REGION = ConfigKey.of("s3.region", ConfigType.nonEmptyString(), "us-east-1", "the region");
    public static final ConfigKey<URI> ENDPOINT = ConfigKey.optional("s3.endpoint",
            ConfigType.uri().check(uri -> uri.getScheme() != null && uri.getHost() != null, "an http(s) URL such as https://s3.eu-central-1.amazonaws.com"),
            "the service's URL, for any S3-compatible service (default: AWS's)");
    public static final ConfigKey<Boolean> PATH_STYLE = ConfigKey.of("s3.path-style", ConfigType.bool(), "false",
            "address the bucket in the path, as most S3-compatible services want");
    public static final ConfigKey<String> ACCESS_KEY = ConfigKey.optional("s3.access-key", ConfigType.string(),
            "the access key (default: the AWS SDK's default chain: environment, profile, instance role)");
    public static final ConfigKey<String> SECRET_KEY = ConfigKey.optional("s3.secret-key", ConfigType.string(), "the secret key, with s3.access-key").secret();

    public static final ConfigKeys KEYS = ConfigKeys.of("the S3 backup store", BUCKET, PREFIX, REGION, ENDPOINT, PATH_STYLE, ACCESS_KEY, SECRET_KEY);

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
        ConfigValues values = KEYS.read(config);
        String bucket = values.get(BUCKET);
        String prefix = values.get(PREFIX);
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        Optional<String> accessKey = values.optional(ACCESS_KEY);
        Optional<String> secretKey = values.optional(SECRET_KEY);
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw invalid("Set both " + ACCESS_KEY + " and " + SECRET_KEY + ", or neither (then the AWS SDK's default credentials are used)");
        }
        return new S3Config(bucket, prefix, values.get(REGION), values.optional(ENDPOINT), values.get(PATH_STYLE), accessKey, secretKey);
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
