package sh.stagehand.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.testkit.memory.InMemoryDatabaseProvider;
import sh.stagehand.testkit.memory.InMemoryRuntimeProvider;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Production's safety, decided by the pipelines and proven here without Docker or PostgreSQL: the
 * platform runs on the in-memory providers of sh-testkit and {@link FakeOdoo}, so every rollback
 * decision and every state a platform stopped dead leaves is checked in milliseconds. A failed
 * update, a new server that does not answer, and a platform stopped in the middle of an update or
 * of production's creation each end with production's database and filestore exactly as they were,
 * served by the build that served them. (RealOdooIT checks the same lifecycles on real Odoo.)
 */
class ProductionSafetyTest
{
    @TempDir
    Path dataDirectory;

    private InMemoryPlatform fixture;
    private InMemoryDatabaseProvider databases;

    @BeforeEach
    void setUp()
    {
        fixture = new InMemoryPlatform(dataDirectory);
        databases = fixture.databases();
        commit("acme_sale", "1.0", Map.of());
    }

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    @Test
    void testAnUpdateThatChangesAModuleIsBackedUpAndReplacesTheServingBuild()
    {
        Stagehand platform = platform(runtime());
        Build first = createProduction(platform);

        commit("acme_sale", "1.1", Map.of());
        Build second = push(platform);

        assertThat(second.state()).as(second.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(platform.builds().build(first.id()).state()).isEqualTo(BuildState.STOPPED);
        assertThat(installedVersion("acme_sale")).isEqualTo("17.0.1.1");
        assertThat(filestore()).containsKeys("acme_sale/17.0.1.0", "acme_sale/17.0.1.1");
        assertThat(fixture.backups().list("").stream().filter(object -> object.key().contains("update"))).isNotEmpty();
        assertThat(databases.list(BuildNames.snapshotDatabasePrefix(InMemoryPlatform.PROJECT))).isEmpty();
    }

    @Test
    void testAFailedUpdatePutsTheDatabaseAndFilestoreBackAndServesThePreviousBuild()
    {
        Served before = productionServing();
        Stagehand platform = before.platform();

        commit("acme_sale", "1.1", Map.of("acme_sale/FAIL_UPDATE", ""));
        Build failed = push(platform);

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElseThrow()).contains("Build " + before.build().id()).contains("serves production again, on the database as it was before the update");
        assertServedAsBefore(before);
    }

    @Test
    void testANewServerThatDoesNotAnswerPutsProductionBack()
    {
        Served before = productionServing();
        Stagehand platform = before.platform();

        commit("acme_sale", "1.1", Map.of("acme_sale/UNHEALTHY", ""));
        Build failed = push(platform);

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElseThrow()).contains("did not answer /web/login").contains("serves production again");
        assertServedAsBefore(before);
    }

    @Test
    void testARestartOnNewCodeWithoutModuleChangesTakesNoSnapshotAndFallsBackWhenTheServerDoesNotAnswer()
    {
        Served before = productionServing();
        Stagehand platform = before.platform();

        // Same version: nothing to update, only a restart on the new code, which does not answer.
        commit("acme_sale", "1.0", Map.of("acme_sale/UNHEALTHY", "", "acme_sale/models.py", "raise ImportError"));
        Build failed = push(platform);

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElseThrow()).contains("serves production again, on the database unchanged");
        assertThat(platform.builds().history(InMemoryPlatform.PROJECT, Optional.empty(), 50).stream().map(event -> event.message()))
                .noneMatch(message -> message.startsWith("Backup ") && message.contains("(update)"));
        assertServedAsBefore(before);
    }

    @Test
    void testAPlatformStoppedDeadMidUpdatePutsProductionBackAtItsNextStart()
    {
        InMemoryRuntimeProvider host = runtime();
        DyingRuntime dying = new DyingRuntime(host);
        Stagehand dead = platformThatDies(dying);
        Build first = createProduction(dead);
        Production before = production();

        commit("acme_sale", "1.1", Map.of("acme_sale/HANG_UPDATE", ""));
        dead.projects().poll(InMemoryPlatform.PROJECT);
        // The update wrote its module's row and file, and hangs there: the platform is stopped dead.
        InMemoryPlatform.awaitUntil(() -> installedVersion("acme_sale").equals("17.0.1.1"));
        dying.die();
        Build interrupted = latest(dead);
        assertThat(interrupted.state()).isEqualTo(BuildState.UPDATING);

        Stagehand restarted = platform(host).start();

        assertThat(restarted.builds().build(interrupted.id()).state()).isEqualTo(BuildState.FAILED);
        assertThat(restarted.builds().build(interrupted.id()).message().orElseThrow()).contains("the database and filestore were put back as they were before its update");
        assertServedAsBefore(restarted, host, first, before);
    }

    @Test
    void testAnAppWhoseInstallAPlatformStoppedDeadCutShortLeavesTheBranchsApps()
    {
        InMemoryRuntimeProvider host = runtime();
        DyingRuntime dying = new DyingRuntime(host);
        Stagehand dead = platformThatDies(dying);
        createProduction(dead);
        Branch main = dead.projects().branch(InMemoryPlatform.PROJECT, "main");
        dead.projects().saveBranch(new Branch(main.projectId(), main.name(), main.stage(), ModuleSelection.EXPLICIT, List.of("acme_sale"), main.testTags(), main.cronsEnabled(),
                main.onNewCommit(), main.domains()));
        // An app of the branch's, chosen on the Apps tab, whose install hangs: the platform is stopped dead.
        fixture.chooseApp("main", "acme_crm");
        commit("acme_crm", "1.0", Map.of("acme_crm/HANG_UPDATE", ""));
        dead.projects().poll(InMemoryPlatform.PROJECT);
        InMemoryPlatform.awaitUntil(() -> installedVersion("acme_crm").equals("17.0.1.0"));
        dying.die();
        Build interrupted = latest(dead);

        Stagehand restarted = platform(host).start();

        assertThat(restarted.builds().build(interrupted.id()).message().orElseThrow()).contains("put back as they were before its update", "acme_crm is no longer among the branch's apps");
        assertThat(installedVersion("acme_crm")).isEmpty();
        assertThat(fixture.apps("main")).isEmpty();
    }

    @Test
    void testAnAppToUninstallIsUninstalledByAnUpdateAfterABackupAndLeavesTheBranchsApps()
    {
        Stagehand platform = platform(runtime());
        Build serving = productionWithApp(platform, Map.of());

        // As the Apps tab's "Uninstall from production" does.
        fixture.store().changeAppsToRemove(InMemoryPlatform.PROJECT, "main", List.of("acme_crm"), List.of());
        Build update = fixture.awaitRebuild(platform, serving.id(), "main");

        assertThat(update.state()).as(update.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(update.message().orElseThrow()).contains("uninstall acme_crm");
        assertThat(databases.database(database()).select("ir_module_module", row -> "acme_crm".equals(row.get("name")))).singleElement()
                .satisfies(row -> assertThat(row.get("state")).isEqualTo("uninstalled"));
        assertThat(databases.database(database()).select("ir_cron", row -> "acme_crm reminders".equals(row.get("name")))).isEmpty();
        assertThat(installedVersion("acme_sale")).isEqualTo("17.0.1.0");
        assertThat(fixture.backups().list("").stream().filter(object -> object.key().contains("update"))).isNotEmpty();
        assertThat(fixture.apps("main")).isEmpty();
        assertThat(fixture.appsToRemove("main")).isEmpty();
        assertThat(platform.builds().build(serving.id()).state()).isEqualTo(BuildState.STOPPED);
    }

    @Test
    void testAnUninstallThatFailsPutsProductionBackAndIsNotTriedAgain()
    {
        InMemoryRuntimeProvider runtime = runtime();
        Stagehand platform = platform(runtime);
        Build serving = productionWithApp(platform, Map.of("acme_crm/FAIL_UNINSTALL", ""));
        Production before = production();

        fixture.store().changeAppsToRemove(InMemoryPlatform.PROJECT, "main", List.of("acme_crm"), List.of());
        Build failed = fixture.awaitRebuild(platform, serving.id(), "main");

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElseThrow()).contains("uninstalling acme_crm", "serves production again, on the database as it was before the update", "acme_crm stays installed");
        assertServedAsBefore(platform, runtime, serving, before);
        assertThat(fixture.apps("main")).containsExactly("acme_crm");
        assertThat(fixture.appsToRemove("main")).isEmpty();
    }

    // Production with acme_sale, its module, and acme_crm, an app of the branch's chosen on the Apps tab.
    private Build productionWithApp(Stagehand platform, Map<String, String> appFiles)
    {
        createProduction(platform);
        Branch main = platform.projects().branch(InMemoryPlatform.PROJECT, "main");
        platform.projects().saveBranch(new Branch(main.projectId(), main.name(), main.stage(), ModuleSelection.EXPLICIT, List.of("acme_sale"), main.testTags(), main.cronsEnabled(),
                main.onNewCommit(), main.domains()));
        fixture.chooseApp("main", "acme_crm");
        commit("acme_crm", "1.0", appFiles);
        Build serving = push(platform);
        assertThat(serving.state()).as(serving.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(installedVersion("acme_crm")).isEqualTo("17.0.1.0");
        return serving;
    }

    @Test
    void testAPlatformStoppedDeadWhileCreatingProductionDiscardsItAndTheNextPushCreatesItAgain()
    {
        commit("acme_sale", "1.0", Map.of("acme_sale/HANG_UPDATE", ""));
        InMemoryRuntimeProvider host = runtime();
        DyingRuntime dying = new DyingRuntime(host);
        Stagehand dead = platformThatDies(dying);
        dead.projects().createProject(InMemoryPlatform.PROJECT, InMemoryPlatform.REPOSITORY, Optional.empty(), Optional.of("main"));
        InMemoryPlatform.awaitUntil(() -> databases.exists(database()) && !databases.database(database()).select("ir_module_module", row -> row.get("name").equals("acme_sale")).isEmpty());
        dying.die();
        Build interrupted = latest(dead);

        Stagehand restarted = platform(host).start();

        assertThat(restarted.builds().build(interrupted.id()).state()).isEqualTo(BuildState.FAILED);
        assertThat(databases.exists(database())).isFalse();
        assertThat(filestore()).isEmpty();

        Map<String, String> fixed = new HashMap<>();
        fixed.put("acme_sale/HANG_UPDATE", null);
        commit("acme_sale", "1.0", fixed);
        Build created = push(restarted);
        assertThat(created.state()).as(created.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(installedVersion("acme_sale")).isEqualTo("17.0.1.0");
    }

    @Test
    void testARollbackThatFailsIsFinishedAtTheNextStart()
    {
        Served before = productionServing();
        Stagehand platform = before.platform();

        Build failed = failAnUpdateAndItsRollback(platform);

        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElseThrow()).contains("putting production back failed too").contains("the platform tries again at its next start");
        assertThat(installedVersion("acme_sale")).isEqualTo("17.0.1.1");

        assertPutBackAtTheNextStart(before);
    }

    @Test
    void testNoUpdateRunsWhileARollbackIsUnfinishedAndTheNextStartStillFinishesIt()
    {
        Served before = productionServing();
        Stagehand platform = before.platform();
        assertThat(failAnUpdateAndItsRollback(platform).state()).isEqualTo(BuildState.FAILED);
        Map<String, List<Map<String, Object>>> halfUpdated = databases.database(database()).tables();

        Map<String, String> fixed = new HashMap<>();
        fixed.put("acme_sale/FAIL_UPDATE", null);
        commit("acme_sale", "1.2", fixed);
        Build refused = push(platform);

        assertThat(refused.state()).isEqualTo(BuildState.FAILED);
        assertThat(refused.message().orElseThrow()).contains("whose rollback did not finish").contains("It is put back at the platform's next start");
        assertThat(databases.database(database()).tables()).isEqualTo(halfUpdated);

        assertPutBackAtTheNextStart(before);
    }

    @Test
    void testNoBackupIsRestoredWhileARollbackIsUnfinished()
    {
        Served before = productionServing();
        Stagehand platform = before.platform();
        Backup backup = platform.productionBackups().create(InMemoryPlatform.PROJECT, BackupKind.MANUAL);
        assertThat(failAnUpdateAndItsRollback(platform).state()).isEqualTo(BuildState.FAILED);
        Map<String, List<Map<String, Object>>> halfUpdated = databases.database(database()).tables();

        // Restored now, the backup would be overwritten by the snapshot at the next start.
        assertThatThrownBy(() -> platform.productionRestores().restore(InMemoryPlatform.PROJECT, backup.id()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CONFLICT.toErrorCode()))
                .hasMessageContaining("whose rollback did not finish");
        assertThat(databases.database(database()).tables()).isEqualTo(halfUpdated);

        assertPutBackAtTheNextStart(before);
    }

    private record Production(Map<String, List<Map<String, Object>>> tables, Map<String, String> filestore) {}

    // What served production, and what production held, before what a test does to it.
    private record Served(InMemoryRuntimeProvider runtime, Stagehand platform, Build build, Production production) {}

    // A platform on a host of its own, with the production its first build created.
    private Served productionServing()
    {
        InMemoryRuntimeProvider runtime = runtime();
        Stagehand platform = platform(runtime);
        Build first = createProduction(platform);
        return new Served(runtime, platform, first, production());
    }

    // An update that fails, and whose rollback fails too: the database server fails restoring the snapshot.
    private Build failAnUpdateAndItsRollback(Stagehand platform)
    {
        commit("acme_sale", "1.1", Map.of("acme_sale/FAIL_UPDATE", ""));
        databases.failNext("restoreSnapshot", 1);
        return push(platform);
    }

    // The platform stops and starts again, on the same host: it finishes the rollback.
    private void assertPutBackAtTheNextStart(Served before)
    {
        before.platform().close();
        assertServedAsBefore(platform(before.runtime()).start(), before);
    }

    private void assertServedAsBefore(Served before)
    {
        assertServedAsBefore(before.platform(), before);
    }

    private void assertServedAsBefore(Stagehand platform, Served before)
    {
        assertServedAsBefore(platform, before.runtime(), before.build(), before.production());
    }

    private Production production()
    {
        return new Production(databases.database(database()).tables(), filestore());
    }

    private void assertServedAsBefore(Stagehand platform, InMemoryRuntimeProvider runtime, Build previous, Production before)
    {
        Build serving = platform.builds().build(previous.id());
        assertThat(serving.state()).isEqualTo(BuildState.RUNNING);
        assertThat(runtime.inspect(serving.containerId().orElseThrow())).hasValueSatisfying(container -> assertThat(container.state().isRunning()).isTrue());
        assertThat(databases.database(database()).tables()).isEqualTo(before.tables());
        assertThat(filestore()).isEqualTo(before.filestore());
        assertThat(databases.list(BuildNames.snapshotDatabasePrefix(InMemoryPlatform.PROJECT))).isEmpty();
    }

    private Build createProduction(Stagehand platform)
    {
        platform.projects().createProject(InMemoryPlatform.PROJECT, InMemoryPlatform.REPOSITORY, Optional.empty(), Optional.of("main"));
        Build first = awaitBuilds(platform);
        assertThat(first.state()).as(first.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(installedVersion("acme_sale")).isEqualTo("17.0.1.0");
        return first;
    }

    private Build push(Stagehand platform)
    {
        return fixture.push(platform, "main");
    }

    private Build awaitBuilds(Stagehand platform)
    {
        return fixture.awaitBuilds(platform, "main");
    }

    private static Build latest(Stagehand platform)
    {
        return InMemoryPlatform.latest(platform, "main");
    }

    private String installedVersion(String module)
    {
        return fixture.installedVersion(database(), module);
    }

    private Map<String, String> filestore()
    {
        return fixture.filestore(database());
    }

    private static String database()
    {
        return InMemoryPlatform.production();
    }

    private void commit(String module, String version, Map<String, String> files)
    {
        fixture.commit("main", module, version, files);
    }

    private InMemoryRuntimeProvider runtime()
    {
        return fixture.runtime();
    }

    private Stagehand platform(RuntimeProvider runtime)
    {
        return fixture.platform(runtime);
    }

    private Stagehand platformThatDies(DyingRuntime runtime)
    {
        return fixture.platformThatDies(runtime);
    }
}
