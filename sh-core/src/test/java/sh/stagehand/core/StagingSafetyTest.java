package sh.stagehand.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Stage;
import sh.stagehand.testkit.memory.InMemoryDatabase;
import sh.stagehand.testkit.memory.InMemoryDatabaseProvider;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.core.InMemoryPlatform.PROJECT;
import static sh.stagehand.core.InMemoryPlatform.production;

/**
 * Staging's promise, decided by the staging pipeline and proven without Docker or PostgreSQL (see
 * {@link InMemoryPlatform}): a staging build is a neutralized copy of production, its mail pointed
 * at the platform's catcher and its crons off, updated to the branch's code; production is never
 * touched; a copy that is not neutralized is never served. (ProductionAndStagingIT and RealOdooIT
 * check the same on the test server and on real Odoo.)
 */
class StagingSafetyTest
{
    private static final String STAGING = "staging";

    @TempDir
    Path dataDirectory;

    private InMemoryPlatform fixture;
    private InMemoryDatabaseProvider databases;
    private Stagehand platform;

    @BeforeEach
    void setUp()
    {
        fixture = new InMemoryPlatform(dataDirectory);
        databases = fixture.databases();
        platform = fixture.platformWithProduction(fixture.runtime());
    }

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    @Test
    void testAStagingBuildIsANeutralizedCopyOfProductionUpdatedToItsCode()
    {
        Map<String, List<Map<String, Object>>> productionBefore = databases.database(production()).tables();
        Map<String, String> productionFiles = fixture.filestore(production());

        Build staging = stagingBuild("1.1", Map.of());

        assertThat(staging.state()).as(staging.message().orElse("")).isEqualTo(BuildState.RUNNING);
        InMemoryDatabase copy = databases.database(staging.databaseName());
        assertThat(fixture.installedVersion(staging.databaseName(), "acme_sale")).isEqualTo("17.0.1.1");
        assertThat(copy.select("res_partner", row -> true)).extracting(row -> row.get("name")).containsExactly("acme_sale 17.0.1.0", "acme_sale 17.0.1.1");
        assertNeutralized(copy, staging);
        assertThat(fixture.filestore(staging.databaseName())).containsAllEntriesOf(productionFiles).containsKey("acme_sale/17.0.1.1");
        assertThat(databases.database(production()).tables()).isEqualTo(productionBefore);
        assertThat(fixture.filestore(production())).isEqualTo(productionFiles);
    }

    @Test
    void testACopyWhoseNeutralizationFailsIsDroppedAndNeverServed()
    {
        Map<String, List<Map<String, Object>>> productionBefore = databases.database(production()).tables();

        Build staging = stagingBuild("1.0", Map.of("acme_sale/FAIL_NEUTRALIZE", ""));

        assertThat(staging.state()).isEqualTo(BuildState.FAILED);
        assertThat(staging.message().orElseThrow()).contains("Neutralizing the copy of production failed").contains("The copy was dropped");
        assertThat(staging.containerId()).isEmpty();
        assertThat(databases.exists(staging.databaseName())).isFalse();
        assertThat(databases.database(production()).tables()).isEqualTo(productionBefore);
    }

    @Test
    void testTheNextStagingBuildNeutralizesADatabaseWhoseNeutralizationWasCutShort()
    {
        Build first = stagingBuild("1.0", Map.of());
        assertThat(first.state()).isEqualTo(BuildState.RUNNING);
        // As a platform stopped between the copy and its neutralization leaves it: production's own mail servers and crons on.
        InMemoryDatabase cutShort = databases.database(first.databaseName());
        cutShort.delete("ir_config_parameter", row -> "database.is_neutralized".equals(row.get("key")));
        cutShort.update("ir_mail_server", row -> true, Map.of("active", true));
        cutShort.update("ir_cron", row -> true, Map.of("active", true));

        fixture.commit(STAGING, "acme_sale", "1.1", Map.of());
        Build next = fixture.push(platform, STAGING);

        assertThat(next.state()).as(next.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(next.message().orElseThrow()).contains("staging updated from build " + first.id());
        assertThat(platform.builds().build(first.id()).state()).isEqualTo(BuildState.STOPPED);
        assertNeutralized(databases.database(next.databaseName()), next);
        assertThat(fixture.installedVersion(next.databaseName(), "acme_sale")).isEqualTo("17.0.1.1");
    }

    // Odoo's neutralization, and the dummy server it adds pointed at the catcher as the build.
    private static void assertNeutralized(InMemoryDatabase database, Build build)
    {
        assertThat(database.select("ir_config_parameter", row -> "database.is_neutralized".equals(row.get("key")))).extracting(row -> row.get("value")).containsExactly("true");
        // Every server that sends is Odoo's dummy one, pointed at the catcher as the build (each neutralization adds one, as neutralize.sql does).
        assertThat(database.select("ir_mail_server", row -> Boolean.TRUE.equals(row.get("active"))))
                .isNotEmpty()
                .allSatisfy(server -> {
                    assertThat(server.get("name")).isEqualTo("neutralization - disable emails");
                    assertThat(server.get("smtp_host")).isEqualTo("172.17.0.1");
                    assertThat(server.get("smtp_user")).isEqualTo(Long.toString(build.id()));
                    assertThat(server.get("smtp_pass")).isEqualTo(build.smtpPassword());
                });
        assertThat(database.select("ir_cron", row -> true)).isNotEmpty().allSatisfy(cron -> assertThat(cron.get("active")).isEqualTo(false));
    }

    // The branch is pushed (a development build), moved to staging, and built there.
    private Build stagingBuild(String version, Map<String, String> files)
    {
        fixture.commit(STAGING, "acme_sale", version, files);
        fixture.push(platform, STAGING);
        platform.projects().saveBranch(platform.projects().branch(PROJECT, STAGING).movedTo(Stage.STAGING));
        platform.projects().rebuildBranch(PROJECT, STAGING);
        Build build = fixture.awaitBuilds(platform, STAGING);
        assertThat(build.stage()).isEqualTo(Stage.STAGING);
        return build;
    }
}
