package sh.stagehand.postgres;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresConfigTest
{
    @Test
    void testDefaults()
    {
        assertThat(PostgresConfig.fromMap(Map.of()))
                .isEqualTo(new PostgresConfig("jdbc:postgresql://127.0.0.1:5432/postgres", "odoo", "", "127.0.0.1", 5432, 4, "stagehand", Optional.empty(), Math.min(4, Runtime.getRuntime().availableProcessors()), Optional.empty(),
                        "odoo", ""));
    }

    @Test
    void testExplicitPropertyMappings()
    {
        Map<String, String> properties = Map.of(
                "postgres.url", "jdbc:postgresql://db.internal:6543/maintenance?sslmode=require",
                "postgres.user", "platform",
                "postgres.password", "s3cret",
                "postgres.container-host", "172.18.0.1",
                "postgres.container-port", "5433",
                "postgres.pool-size", "8",
                "postgres.metadata-database", "platform_meta",
                "postgres.client-bin-directory", "/opt/pg/bin",
                "postgres.copy-jobs", "8",
                "postgres.copy-scratch-directory", "/srv/scratch");
        assertThat(PostgresConfig.fromMap(properties))
                .isEqualTo(new PostgresConfig("jdbc:postgresql://db.internal:6543/maintenance?sslmode=require", "platform", "s3cret", "172.18.0.1", 5433, 8, "platform_meta", Optional.of(Path.of("/opt/pg/bin")), 8, Optional.of(Path.of("/srv/scratch")),
                        "platform", "s3cret"));
    }

    @Test
    void testTheMetadataRoleAndPasswordsFromFiles(@org.junit.jupiter.api.io.TempDir Path temp)
            throws java.io.IOException
    {
        Path platformSecret = java.nio.file.Files.writeString(temp.resolve("platform.password"), "pl4tform\n");
        Path metadataSecret = java.nio.file.Files.writeString(temp.resolve("metadata.password"), "m3ta\n");
        PostgresConfig config = PostgresConfig.fromMap(Map.of(
                "postgres.user", "stagehand",
                "postgres.password-file", platformSecret.toString(),
                "postgres.metadata-user", "stagehand_meta",
                "postgres.metadata-password-file", metadataSecret.toString()));
        assertThat(config.password()).isEqualTo("pl4tform");
        assertThat(config.metadataUser()).isEqualTo("stagehand_meta");
        assertThat(config.metadataPassword()).isEqualTo("m3ta");
        assertThat(config.toString()).doesNotContain("pl4tform", "m3ta");
        assertInvalid(Map.of("postgres.password", "x", "postgres.password-file", platformSecret.toString()), "postgres.password-file");
        assertInvalid(Map.of("postgres.password-file", temp.resolve("missing").toString()), "postgres.password-file");
    }

    @Test
    void testContainerAddressDefaultsToUrl()
    {
        PostgresConfig config = PostgresConfig.fromMap(Map.of("postgres.url", "jdbc:postgresql://db.internal/postgres"));
        assertThat(config.containerHost()).isEqualTo("db.internal");
        assertThat(config.containerPort()).isEqualTo(5432);
    }

    @Test
    void testRejectsBadValuesWithTheKeyInTheMessage()
    {
        assertInvalid(Map.of("postgres.url", "jdbc:mysql://x/y"), "postgres.url");
        assertInvalid(Map.of("postgres.pool-size", "zero"), "postgres.pool-size");
        assertInvalid(Map.of("postgres.container-port", "70000"), "postgres.container-port");
        assertInvalid(Map.of("postgres.passwd", "x"), "postgres.passwd");
        assertInvalid(Map.of("postgres.metadata-database", "meta data"), "postgres.metadata-database");
    }

    @Test
    void testUrlForAnotherDatabaseKeepsServerAndParameters()
    {
        PostgresConfig config = PostgresConfig.fromMap(Map.of("postgres.url", "jdbc:postgresql://db:6543/postgres?sslmode=require"));
        assertThat(config.urlFor("acme-main-1")).isEqualTo("jdbc:postgresql://db:6543/acme-main-1?sslmode=require");
    }

    @Test
    void testToStringHidesPassword()
    {
        assertThat(PostgresConfig.fromMap(Map.of("postgres.password", "s3cret")).toString()).doesNotContain("s3cret");
    }

    private static void assertInvalid(Map<String, String> properties, String key)
    {
        assertThatThrownBy(() -> PostgresConfig.fromMap(properties))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_CONFIGURATION.toErrorCode()))
                .hasMessageContaining(key);
    }
}
