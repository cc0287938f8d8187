package sh.stagehand.store.postgres;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BasePlatformStoreContractTest;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.testkit.TestingPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The PostgreSQL store passes the platform store contract; its own migrations are checked here.
 */
class PostgresPlatformStoreIT
        extends BasePlatformStoreContractTest<PostgresPlatformStore>
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();

    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static PostgresPlatformStore store;

    @TempDir
    Path temp;

    @BeforeAll
    static void createStore()
    {
        store = new PostgresPlatformStore(config(), secrets());
    }

    @AfterAll
    static void closeStore()
    {
        if (store != null) {
            store.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testCreatesMetadataDatabaseAndMigratesOnce()
    {
        String migrations = postgres.queryForString(METADATA_DATABASE, "SELECT string_agg(version, ',' ORDER BY installed_rank) FROM flyway_schema_history WHERE success");
        assertThat(migrations).isEqualTo("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
        // A second store on the same database finds it migrated.
        new PostgresPlatformStore(config(), secrets()).close();
        assertThat(postgres.queryForString(METADATA_DATABASE, "SELECT string_agg(version, ',' ORDER BY installed_rank) FROM flyway_schema_history WHERE success")).isEqualTo(migrations);
    }

    @Test
    void testSecretsAreSealedInTheDatabaseAndOpenOnlyWhereTheyBelong()
    {
        String privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAprivateKeyInTheClear\n-----END OPENSSH PRIVATE KEY-----\n";
        store.createProject(new Project("sealed", "https://example.com/sealed.git", Optional.of("ghp_repositoryTokenInTheClear"), "webhook-secret-in-the-clear", Instant.now(),
                Optional.empty(), Optional.of(new sh.stagehand.spi.vcs.DeployKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIsealed sealed", privateKey)), Optional.empty()));
        Build build = store.createBuild("sealed", "main", "0".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-password-in-the-clear", Instant.now());
        store.createProject(new Project("other", "https://example.com/other.git", Optional.empty(), "other-webhook-secret", Instant.now()));

        // Whoever reads the rows (a dump, a backup, a tenant who reached the database) finds no secret.
        String rows = postgres.queryForString(METADATA_DATABASE, "SELECT string_agg(concat_ws(' ', repository_token, webhook_secret, deploy_private_key), ' ') FROM project")
                + postgres.queryForString(METADATA_DATABASE, "SELECT string_agg(smtp_password, ' ') FROM build");
        assertThat(rows).doesNotContain("ghp_repositoryTokenInTheClear", "webhook-secret-in-the-clear", "smtp-password-in-the-clear", "other-webhook-secret", "privateKeyInTheClear");
        assertThat(store.findProject("sealed").orElseThrow().deployKey().orElseThrow().privateKey()).isEqualTo(privateKey);
        assertThat(postgres.queryForString(METADATA_DATABASE, "SELECT webhook_secret FROM project WHERE id = 'sealed'")).startsWith("sealed:v1:");
        // The platform reads them back.
        assertThat(store.findProject("sealed").orElseThrow().repositoryToken()).contains("ghp_repositoryTokenInTheClear");
        assertThat(store.findProject("sealed").orElseThrow().webhookSecret()).isEqualTo("webhook-secret-in-the-clear");
        assertThat(store.findBuild(build.id()).orElseThrow().smtpPassword()).isEqualTo("smtp-password-in-the-clear");

        // A sealed value copied onto another row, or a known one written in the clear, does not open:
        // who can write the database cannot choose a project's webhook secret.
        postgres.execute(METADATA_DATABASE, "UPDATE project SET webhook_secret = (SELECT webhook_secret FROM project WHERE id = 'sealed') WHERE id = 'other'");
        assertThatThrownBy(() -> store.findProject("other")).isInstanceOfSatisfying(StagehandException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CORRUPT_DATA.toErrorCode()))
                .hasMessageContaining("project.webhook_secret:other").hasMessageNotContaining("webhook-secret-in-the-clear");
        postgres.execute(METADATA_DATABASE, "UPDATE project SET webhook_secret = 'chosen-by-an-attacker' WHERE id = 'other'");
        assertThatThrownBy(() -> store.findProject("other")).hasMessageContaining("unsealed").hasMessageNotContaining("chosen-by-an-attacker");
        postgres.execute(METADATA_DATABASE, "DELETE FROM project WHERE id IN ('sealed', 'other')");
    }

    @Test
    void testTheMigrationSealsWhatEarlierVersionsKeptInTheClear()
    {
        String database = "meta_" + UUID.randomUUID().toString().substring(0, 8);
        PostgresConfig config = PostgresConfig.fromMap(Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.metadata-database", database));
        postgres.execute("CREATE DATABASE \"" + database + "\" OWNER \"" + postgres.user() + "\"");
        try {
            // The metadata database as version 7 left it: secrets in the clear.
            Flyway.configure().dataSource(config.urlFor(database), config.user(), config.password())
                    .locations("classpath:sh/stagehand/store/postgres/migration").target("7").load().migrate();
            postgres.execute(database, """
                    INSERT INTO project (id, repository_url, repository_token, webhook_secret, created_at) VALUES
                        ('legacy', 'https://example.com/legacy.git', 'ghp_legacyToken', 'legacy-webhook-secret', now()),
                        ('plain', '/srv/git/plain.git', NULL, 'plain-webhook-secret', now());
                    INSERT INTO build (id, project_id, branch, commit_id, stage, state, database_name, hostname, smtp_password, created_at)
                        VALUES (41, 'legacy', 'main', 'abc', 'DEVELOPMENT', 'RUNNING', 'legacy-main-41', 'legacy-main-41.stagehand.test', 'legacy-smtp-password', now());
                    """);

            try (PostgresPlatformStore migrated = new PostgresPlatformStore(config, secrets())) {
                String rows = postgres.queryForString(database, "SELECT string_agg(concat_ws(' ', repository_token, webhook_secret), ' ') FROM project")
                        + postgres.queryForString(database, "SELECT string_agg(smtp_password, ' ') FROM build");
                assertThat(rows).doesNotContain("ghp_legacyToken", "legacy-webhook-secret", "plain-webhook-secret", "legacy-smtp-password");
                assertThat(migrated.findProject("legacy").orElseThrow().repositoryToken()).contains("ghp_legacyToken");
                assertThat(migrated.findProject("legacy").orElseThrow().webhookSecret()).isEqualTo("legacy-webhook-secret");
                assertThat(migrated.findProject("plain").orElseThrow().repositoryToken()).isEmpty();
                assertThat(migrated.findBuild(41).orElseThrow().smtpPassword()).isEqualTo("legacy-smtp-password");
            }

            // Started with another key (the key file lost, or another platform's): refused at once, saying what to do.
            SecretBox another = SecretBox.fromKeyFile(temp.resolve("another.key"));
            assertThatThrownBy(() -> new PostgresPlatformStore(config, another)).isInstanceOfSatisfying(StagehandException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_CONFIGURATION.toErrorCode()))
                    .hasMessageContaining("do not open with the key in " + temp.resolve("another.key"))
                    .hasMessageContaining("put back the key file");
        }
        finally {
            postgres.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
        }
    }

    @Test
    void testTheKeyFileIsMadeOnceReadableByItsOwnerOnly()
            throws Exception
    {
        Path keyFile = temp.resolve("data/secrets.key");
        SecretBox made = SecretBox.fromConfig(new StagehandConfig(Map.of("data.directory", temp.resolve("data").toString())));
        assertThat(made.keyFile()).isEqualTo(keyFile);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        String sealed = made.seal("a secret", "test:1");
        assertThat(SecretBox.fromConfig(new StagehandConfig(Map.of(SecretBox.KEY_FILE.name(), keyFile.toString()))).open(sealed, "test:1")).as("the same key, read again").isEqualTo("a secret");
        assertThat(sealed).doesNotContain("a secret").isNotEqualTo(made.seal("a secret", "test:1"));
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SecretBox.fromKeyFile(keyFile)).hasMessageContaining("chmod 600 " + keyFile);
        Files.writeString(temp.resolve("garbage.key"), "{\"not\": \"a key\"}");
        Files.setPosixFilePermissions(temp.resolve("garbage.key"), PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> SecretBox.fromKeyFile(temp.resolve("garbage.key"))).hasMessageContaining("holds no key Stagehand made");
    }

    private static SecretBox secrets()
    {
        return TestingSecrets.secretBox();
    }

    @Override
    protected PostgresPlatformStore store()
    {
        return store;
    }

    private static PostgresConfig config()
    {
        return PostgresConfig.fromMap(Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.metadata-database", METADATA_DATABASE));
    }
}
