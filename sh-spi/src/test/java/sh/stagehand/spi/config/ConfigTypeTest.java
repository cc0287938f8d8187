package sh.stagehand.spi.config;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTypeTest
{
    private enum Mode
    {
        FAST,
        VERY_SAFE
    }

    @Test
    void testDurationsAreANumberAndAUnit()
    {
        assertThat(read(ConfigType.duration(), "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(read(ConfigType.duration(), "60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(read(ConfigType.duration(), " 5m ")).isEqualTo(Duration.ofMinutes(5));
        assertThat(read(ConfigType.duration(), "8h")).isEqualTo(Duration.ofHours(8));
        assertThat(read(ConfigType.duration(), "7d")).isEqualTo(Duration.ofDays(7));
        assertThat(read(ConfigType.durationOrZero(), "0")).isEqualTo(Duration.ZERO);
        assertThat(read(ConfigType.durationOrZero(), "0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void testRefusedDurationsSayWhatTheKeyTakes()
    {
        assertRefused(ConfigType.duration(), "abc", "docker.api-timeout=abc is not a duration; use e.g. 60s, 5m or 8h");
        assertRefused(ConfigType.duration(), "60", "docker.api-timeout=60 is not a duration; use e.g. 60s, 5m or 8h");
        assertRefused(ConfigType.duration(), "0", "docker.api-timeout=0 is not a duration; use e.g. 60s, 5m or 8h (it must be longer than 0)");
        assertRefused(ConfigType.duration(), "-5m", "docker.api-timeout=-5m is not a duration");
        assertRefused(ConfigType.duration(), "5 min", "docker.api-timeout=5 min is not a duration");
        assertRefused(ConfigType.duration(), "PT8H", "docker.api-timeout=PT8H is not a duration; use e.g. 60s, 5m or 8h (ISO-8601 durations such as PT8H are no longer read)");
    }

    @Test
    void testNumbers()
    {
        assertThat(read(ConfigType.positiveInteger(), " 4 ")).isEqualTo(4);
        assertThat(read(ConfigType.integer(0, 10), "0")).isZero();
        assertThat(read(ConfigType.longInteger(0, Long.MAX_VALUE), "8589934592")).isEqualTo(8L << 30);
        assertThat(read(ConfigType.decimal(0.0), "1.5")).isEqualTo(1.5);
        assertThat(read(ConfigType.port(), "65535")).isEqualTo(65535);
        assertThat(read(ConfigType.listenPort(), "0")).isZero();
        assertRefused(ConfigType.positiveInteger(), "0", "docker.api-timeout=0 is not a positive whole number");
        assertRefused(ConfigType.positiveInteger(), "four", "docker.api-timeout=four is not a positive whole number");
        assertRefused(ConfigType.positiveInteger(), "99999999999", "is not a positive whole number");
        assertRefused(ConfigType.integer(1, 9999), "10000", "is not a whole number from 1 to 9999");
        assertRefused(ConfigType.longInteger(0, Long.MAX_VALUE), "-1", "is not a whole number of 0 or more");
        assertRefused(ConfigType.decimal(0.0), "-0.5", "is not a number of 0.0 or more");
        assertRefused(ConfigType.decimal(0.0), "NaN", "is not a number of 0.0 or more");
        assertRefused(ConfigType.port(), "0", "is not a TCP port (1 to 65535)");
        assertRefused(ConfigType.listenPort(), "70000", "is not a TCP port (0 to 65535; 0 picks a free one)");
    }

    @Test
    void testSizes()
    {
        assertThat(read(ConfigType.size(), "1048576")).isEqualTo(1L << 20);
        assertThat(read(ConfigType.size(), "512KB")).isEqualTo(512L << 10);
        assertThat(read(ConfigType.size(), "64mb")).isEqualTo(64L << 20);
        assertThat(read(ConfigType.size(), "20GB")).isEqualTo(20L << 30);
        assertThat(read(ConfigType.size(), "1TB")).isEqualTo(1L << 40);
        assertRefused(ConfigType.size(), "20G", "docker.api-timeout=20G is not a size; use e.g. 64MB, 20GB or a number of bytes");
        assertRefused(ConfigType.size(), "0", "is not a size");
        assertRefused(ConfigType.size(), "99999999TB", "(it is too large)");
    }

    @Test
    void testOtherTypes()
    {
        assertThat(read(ConfigType.bool(), "true")).isTrue();
        assertThat(read(ConfigType.bool(), " false")).isFalse();
        assertRefused(ConfigType.bool(), "yes", "docker.api-timeout=yes is not true or false");
        assertThat(read(ConfigType.oneOf("a", "b"), "b")).isEqualTo("b");
        assertRefused(ConfigType.oneOf("a", "b"), "c", "is not one of a, b");
        assertThat(read(ConfigType.enumeration(Mode.class), "very-safe")).isEqualTo(Mode.VERY_SAFE);
        assertRefused(ConfigType.enumeration(Mode.class), "VERY_SAFE", "is not one of fast, very-safe");
        assertThat(read(ConfigType.uri(), "tcp://10.0.0.5:2375")).isEqualTo(URI.create("tcp://10.0.0.5:2375"));
        assertRefused(ConfigType.uri(), "a b", "is not a URI (");
        assertThat(read(ConfigType.httpUrl(), "https://sh.example.com/x")).isEqualTo(URI.create("https://sh.example.com/x"));
        assertRefused(ConfigType.httpUrl(), "ftp://sh.example.com", "is not an http(s) URL such as https://sh.example.com");
        assertThat(read(ConfigType.path(), "/srv/x ")).isEqualTo(Path.of("/srv/x"));
        assertRefused(ConfigType.path(), "a\0b", "is not a path");
        assertThat(read(ConfigType.list(), " a, b ,,c")).isEqualTo(List.of("a", "b", "c"));
        assertThat(read(ConfigType.string(), " kept ")).isEqualTo(" kept ");
        assertThat(read(ConfigType.nonEmptyString(), " stripped ")).isEqualTo("stripped");
        assertRefused(ConfigType.nonEmptyString(), " ", "is not a text (it is empty)");
    }

    @Test
    void testChecksAndMappings()
    {
        ConfigType<URI> engine = ConfigType.uri().check(uri -> "unix".equals(uri.getScheme()), "a Docker engine address; use unix:///var/run/docker.sock");
        assertThat(read(engine, "unix:///var/run/docker.sock")).isEqualTo(URI.create("unix:///var/run/docker.sock"));
        assertRefused(engine, "http://x", "docker.api-timeout=http://x is not a Docker engine address; use unix:///var/run/docker.sock");
        ConfigType<String> named = ConfigType.positiveInteger().map(number -> "x" + number);
        assertThat(read(named, "21")).isEqualTo("x21");
        ConfigType<String> time = ConfigType.of("a time of day HH:MM, nor off", value -> {
            if (!value.matches("\\d\\d:\\d\\d|off")) {
                throw new IllegalArgumentException();
            }
            return value;
        });
        assertRefused(time, "3am", "docker.api-timeout=3am is not a time of day HH:MM, nor off");
    }

    private static <T> T read(ConfigType<T> type, String value)
    {
        return ConfigKey.optional("docker.api-timeout", type, "a key").parse(value);
    }

    private static void assertRefused(ConfigType<?> type, String value, String message)
    {
        assertThatThrownBy(() -> read(type, value))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining(message);
    }
}
