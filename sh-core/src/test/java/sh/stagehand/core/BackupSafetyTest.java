package sh.stagehand.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupCatalog;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.testkit.memory.InMemoryDatabaseProvider;
import sh.stagehand.testkit.memory.InMemoryRuntimeProvider;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static sh.stagehand.core.InMemoryPlatform.PROJECT;
import static sh.stagehand.core.InMemoryPlatform.production;

/**
 * Production's backups, decided by sh-core and proven without Docker or PostgreSQL (see
 * {@link InMemoryPlatform}): a backup verifies, restores production to what it held, and a backup
 * that cannot be restored whole leaves production as it is. (ProductionAndStagingIT and RealOdooIT
 * check the same on the test server and on real Odoo.)
 */
class BackupSafetyTest
{
    @TempDir
    Path dataDirectory;

    private InMemoryPlatform fixture;
    private InMemoryDatabaseProvider databases;
    private InMemoryRuntimeProvider runtime;
    private Stagehand platform;

    @BeforeEach
    void setUp()
    {
        fixture = new InMemoryPlatform(dataDirectory);
        databases = fixture.databases();
        runtime = fixture.runtime();
        platform = fixture.platformWithProduction(runtime);
    }

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    @Test
    void testABackupVerifiesAndRestoresProductionAsItWasThenAndServesIt()
    {
        String dumpThen = databases.database(production()).dump();
        Map<String, String> filesThen = fixture.filestore(production());
        Backup backup = platform.productionBackups().create(PROJECT, BackupKind.MANUAL);
        assertThat(platform.productionBackups().verify(PROJECT, backup.id()).passed()).isTrue();

        fixture.commit("main", "acme_sale", "1.1", Map.of());
        Build updated = fixture.push(platform, "main");
        assertThat(updated.state()).isEqualTo(BuildState.RUNNING);
        assertThat(databases.database(production()).dump()).isNotEqualTo(dumpThen);

        Backup before = platform.productionRestores().restore(PROJECT, backup.id());

        assertThat(before.kind()).isEqualTo(BackupKind.UPDATE);
        assertThat(databases.database(production()).dump()).isEqualTo(dumpThen);
        assertThat(fixture.filestore(production())).isEqualTo(filesThen);
        Build serving = InMemoryPlatform.latest(platform, "main");
        assertThat(serving.state()).isEqualTo(BuildState.RUNNING);
        assertThat(runtime.inspect(serving.containerId().orElseThrow())).hasValueSatisfying(container -> assertThat(container.state().isRunning()).isTrue());
    }

    @Test
    void testABackupThatCannotBeReadWholeFailsVerificationAndLeavesProductionAsItIs()
    {
        Backup backup = platform.productionBackups().create(PROJECT, BackupKind.MANUAL);
        fixture.commit("main", "acme_sale", "1.1", Map.of());
        assertThat(fixture.push(platform, "main").state()).isEqualTo(BuildState.RUNNING);
        String dumpNow = databases.database(production()).dump();
        Map<String, String> filesNow = fixture.filestore(production());
        Build serving = InMemoryPlatform.latest(platform, "main");
        // One piece of the backup's database dump rots on the store's disk.
        fixture.backups().corrupt(BackupCatalog.chunkKey(PROJECT, backup.dump().chunks().get(0)));

        assertThat(platform.productionBackups().verify(PROJECT, backup.id()).passed()).isFalse();
        assertThatThrownBy(() -> platform.productionRestores().restore(PROJECT, backup.id()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CORRUPT_DATA.toErrorCode()));

        assertThat(databases.database(production()).dump()).isEqualTo(dumpNow);
        assertThat(fixture.filestore(production())).isEqualTo(filesNow);
        assertThat(platform.builds().build(serving.id()).state()).isEqualTo(BuildState.RUNNING);
        assertThat(runtime.inspect(serving.containerId().orElseThrow())).hasValueSatisfying(container -> assertThat(container.state().isRunning()).isTrue());
    }
}
