package sh.stagehand.s3;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3ConfigTest
{
    @Test
    void testDefaults()
    {
        assertThat(S3Config.fromMap(Map.of("s3.bucket", "acme-backups")))
                .isEqualTo(new S3Config("acme-backups", "", "us-east-1", Optional.empty(), false, Optional.empty(), Optional.empty()));
    }

    @Test
    void testExplicitPropertyMappings()
    {
        S3Config config = S3Config.fromMap(Map.of(
                "s3.bucket", "backups",
                "s3.prefix", "stagehand",
                "s3.region", "eu-central-1",
                "s3.endpoint", "https://s3.example.com",
                "s3.path-style", "true",
                "s3.access-key", "AKIA",
                "s3.secret-key", "s3cret"));
        assertThat(config).isEqualTo(new S3Config("backups", "stagehand/", "eu-central-1", Optional.of(URI.create("https://s3.example.com")), true, Optional.of("AKIA"), Optional.of("s3cret")));
        assertThat(config.toString()).doesNotContain("s3cret");
    }

    @Test
    void testRejectsWhatCannotWorkNamingTheKey()
    {
        assertThatThrownBy(() -> S3Config.fromMap(Map.of())).isInstanceOf(StagehandException.class).hasMessageContaining("s3.bucket is not set");
        assertThatThrownBy(() -> S3Config.fromMap(Map.of("s3.bucket", "b", "s3.access-key", "a"))).hasMessageContaining("Set both s3.access-key and s3.secret-key");
        assertThatThrownBy(() -> S3Config.fromMap(Map.of("s3.bucket", "b", "s3.endpoint", "not a url"))).hasMessageContaining("s3.endpoint");
        assertThatThrownBy(() -> S3Config.fromMap(Map.of("s3.bucket", "b", "s3.path-style", "yes"))).hasMessageContaining("s3.path-style=yes");
        assertThatThrownBy(() -> S3Config.fromMap(Map.of("s3.bucket", "b", "s3.buckett", "x"))).hasMessageContaining("Unknown configuration key s3.buckett");
    }
}
