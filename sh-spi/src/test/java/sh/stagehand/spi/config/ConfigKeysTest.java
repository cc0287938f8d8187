package sh.stagehand.spi.config;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigKeysTest
{
    private static final ConfigKey<URI> HOST = ConfigKey.of("docker.host", ConfigType.uri(), "unix:///var/run/docker.sock", "the engine's address");
    private static final ConfigKey<String> NETWORK = ConfigKey.optional("docker.network", ConfigType.nonEmptyString(), "the network containers join");
    private static final ConfigKey<Duration> API_TIMEOUT = ConfigKey.of("docker.api-timeout", ConfigType.duration(), "60s", "how long one engine call may take")
            .formerly("docker.api-timeout-seconds");
    private static final ConfigKey<Duration> BUILD_TIMEOUT = ConfigKey.of("docker.image-build-timeout", ConfigType.duration(), "30m", "the longest an image build may take");
    private static final ConfigKey<String> BUCKET = ConfigKey.required("docker.bucket", ConfigType.nonEmptyString(), "where things go");
    private static final ConfigKey<String> PASSWORD = ConfigKey.optional("docker.password", ConfigType.string().check(value -> value.length() > 3, "a long password"), "a secret")
            .secret();
    private static final ConfigKeys KEYS = ConfigKeys.of("the Docker provider", HOST, NETWORK, API_TIMEOUT, BUILD_TIMEOUT, BUCKET, PASSWORD);

    @Test
    void testDefaultsAndValues()
    {
        ConfigValues defaults = KEYS.read(Map.of());
        assertThat(defaults.get(HOST)).isEqualTo(URI.create("unix:///var/run/docker.sock"));
        assertThat(defaults.get(API_TIMEOUT)).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.optional(NETWORK)).isEmpty();
        assertThat(defaults.isSet(NETWORK)).isFalse();

        ConfigValues values = KEYS.read(Map.of("docker.host", "tcp://10.0.0.5:2375", "docker.network", " builds ", "docker.api-timeout", "2m", "docker.bucket", "b"));
        assertThat(values.get(HOST)).isEqualTo(URI.create("tcp://10.0.0.5:2375"));
        assertThat(values.optional(NETWORK)).contains("builds");
        assertThat(values.get(API_TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
        assertThat(values.get(BUCKET)).isEqualTo("b");
        // A blank value is no value.
        assertThat(KEYS.read(Map.of("docker.network", " ")).optional(NETWORK)).isEqualTo(Optional.empty());
        assertThat(KEYS.read(Map.of("docker.network", " ")).isSet(NETWORK)).isTrue();
    }

    @Test
    void testRequiredKeySaysWhatItTakes()
    {
        assertThatThrownBy(() -> KEYS.read(Map.of()).get(BUCKET))
                .isInstanceOf(StagehandException.class)
                .hasMessage("docker.bucket is not set; it takes a text: where things go");
    }

    @Test
    void testSecretValuesAreNotRepeated()
    {
        assertThatThrownBy(() -> KEYS.read(Map.of("docker.password", "abc")).optional(PASSWORD))
                .isInstanceOf(StagehandException.class)
                .hasMessage("docker.password is not a long password");
        assertThat(PASSWORD.isSecret()).isTrue();
        assertThatThrownBy(() -> KEYS.read(Map.of("docker.host", "tcp://user:pa55@host:2375 x")).get(HOST))
                .isInstanceOf(StagehandException.class)
                .hasMessageStartingWith("docker.host=(a URL with credentials) is not a URI")
                .hasMessageNotContaining("pa55");
    }

    @Test
    void testUnknownKeysAreRefusedWithTheNearestSuggested()
    {
        assertUnknown("docker.hots", "Unknown configuration key docker.hots; did you mean docker.host?");
        assertUnknown("dokcer.host", "Unknown configuration key dokcer.host; did you mean docker.host?");
        assertUnknown("docker.netwrk", "Unknown configuration key docker.netwrk; did you mean docker.network?");
        assertUnknown("docker.image-build-timeout-minutes", "Unknown configuration key docker.image-build-timeout-minutes; did you mean docker.image-build-timeout?");
        assertUnknown("docker.api-timeout-seconds",
                "Unknown configuration key docker.api-timeout-seconds; did you mean docker.api-timeout? It was renamed, and takes a duration; use e.g. 60s, 5m or 8h");
        assertUnknown("docker.colour", "Unknown configuration key docker.colour; the Docker provider knows [docker.api-timeout, docker.bucket, docker.host, docker.image-build-timeout, "
                + "docker.network, docker.password]");
        assertThat(KEYS.nearest("something.else.entirely")).isEmpty();
    }

    @Test
    void testReadDeclaredLeavesOtherKeysToTheirOwners()
    {
        ConfigValues values = KEYS.readDeclared(Map.of("docker.api-timeout", "5s", "platform.domain", "example.com"));
        assertThat(values.get(API_TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void testUnionAndListing()
    {
        ConfigKey<Boolean> other = ConfigKey.of("s3.path-style", ConfigType.bool(), "false", "address the bucket in the path");
        ConfigKeys all = ConfigKeys.union("the platform", List.of(KEYS, ConfigKeys.of("the S3 store", other)));
        assertThat(all.contains("s3.path-style")).isTrue();
        assertThat(all.contains(HOST)).isTrue();
        assertThat(all.nearest("s3.path-styl")).contains("s3.path-style");
        assertThat(ConfigKeys.none().isEmpty()).isTrue();
        assertThat(all.toString()).contains("docker.api-timeout: how long one engine call may take (default 60s)")
                .contains("docker.bucket: where things go (required)");
    }

    @Test
    void testDeclarationsAreChecked()
    {
        assertThatThrownBy(() -> ConfigKey.of("docker.x", ConfigType.duration(), "60", "bad default"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("docker.x=60 is not a duration");
        assertThatThrownBy(() -> ConfigKey.of("Docker_X", ConfigType.string(), "", "bad name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfigKeys.of("twice", HOST, ConfigKey.of("docker.host", ConfigType.string(), "", "again"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KEYS.read(Map.of()).get(NETWORK)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KEYS.read(Map.of()).get(ConfigKey.of("docker.other", ConfigType.string(), "", "not declared")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void testEditDistanceCountsASwapOnce()
    {
        assertThat(ConfigKeys.distance("docker.hots", "docker.host")).isEqualTo(1);
        assertThat(ConfigKeys.distance("abc", "abc")).isZero();
        assertThat(ConfigKeys.distance("", "abc")).isEqualTo(3);
        assertThat(ConfigKeys.distance("kitten", "sitting")).isEqualTo(3);
    }

    private static void assertUnknown(String key, String message)
    {
        assertThatThrownBy(() -> KEYS.read(Map.of(key, "x")))
                .isInstanceOf(StagehandException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((StagehandException) e).errorCode()).isEqualTo(StandardErrorCode.INVALID_CONFIGURATION.toErrorCode()));
    }
}
