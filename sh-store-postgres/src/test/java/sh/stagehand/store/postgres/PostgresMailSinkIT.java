package sh.stagehand.store.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.testkit.BaseMailSinkContractTest;
import sh.stagehand.testkit.TestingPostgres;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;

class PostgresMailSinkIT
        extends BaseMailSinkContractTest
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();

    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static PostgresMailSink sink;

    @BeforeAll
    static void createSink()
    {
        sink = new PostgresMailSink(PostgresConfig.fromMap(Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.metadata-database", METADATA_DATABASE)), TestingSecrets.secretBox(), Clock.systemUTC());
    }

    @AfterAll
    static void closeSink()
    {
        if (sink != null) {
            sink.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Override
    protected MailSink sink()
    {
        return sink;
    }
}
