package sh.stagehand.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.testkit.TestingPostgres;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresPlatformStoreIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();

    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private static PostgresPlatformStore store;

    @BeforeAll
    static void createStore()
    {
        store = new PostgresPlatformStore(config());
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
        assertThat(migrations).isEqualTo("1,2,3");
        // A second store on the same database finds it migrated.
        new PostgresPlatformStore(config()).close();
        assertThat(postgres.queryForString(METADATA_DATABASE, "SELECT string_agg(version, ',' ORDER BY installed_rank) FROM flyway_schema_history WHERE success")).isEqualTo(migrations);
    }

    @Test
    void testProjectsAndBranches()
    {
        Project project = new Project("acme", "https://github.com/acme/addons.git", Optional.of("token"), "webhook-secret", NOW);
        store.createProject(project);
        assertThat(store.findProject("acme")).contains(project);
        assertThatThrownBy(() -> store.createProject(project))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()));

        Branch feature = new Branch("acme", "feature/ünïcode#1", Stage.DEVELOPMENT, ModuleSelection.EXPLICIT, List.of("sale_extra", "stock_extra"), Optional.of("/sale_extra"), true);
        store.saveBranch(feature);
        store.saveBranch(Branch.development("acme", "main").withStage(Stage.PRODUCTION));
        assertThat(store.findBranch("acme", "feature/ünïcode#1")).contains(feature);
        assertThat(store.listBranches("acme")).extracting(Branch::name).containsExactly("feature/ünïcode#1", "main");

        assertThatThrownBy(() -> store.saveBranch(Branch.development("acme", "other").withStage(Stage.PRODUCTION)))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CONFLICT.toErrorCode()))
                .hasMessageContaining("production branch");

        assertThat(store.recordDelivery("acme", "delivery-1")).isTrue();
        assertThat(store.recordDelivery("acme", "delivery-1")).isFalse();
        store.forgetDelivery("acme", "delivery-1");
        assertThat(store.recordDelivery("acme", "delivery-1")).as("a delivery whose handling failed is taken again").isTrue();

        assertThat(store.branchHead("acme", "main")).isEmpty();
        store.recordBranchHead("acme", "main", "c".repeat(40));
        assertThat(store.branchHead("acme", "main")).contains("c".repeat(40));
        assertThat(store.branchHead("acme", "no-such-branch")).isEmpty();
        assertThat(store.deleteBranch("acme", "feature/ünïcode#1")).isTrue();
        assertThat(store.deleteBranch("acme", "feature/ünïcode#1")).isFalse();
    }

    @Test
    void testBuildsAndEvents()
    {
        store.createProject(new Project("builds", "/srv/git/builds", Optional.empty(), "secret", NOW));
        store.saveBranch(Branch.development("builds", "feature/Big Change"));

        Build first = store.createBuild("builds", "feature/Big Change", "a".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-secret", NOW);
        Build second = store.createBuild("builds", "feature/Big Change", "b".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-secret", NOW);

        assertThat(first.state()).isEqualTo(BuildState.QUEUED);
        assertThat(first.databaseName()).isEqualTo("builds-feature-big-change-" + first.id());
        assertThat(first.hostname()).isEqualTo("builds-feature-big-change-" + first.id() + ".stagehand.test");
        assertThat(store.listBuilds("builds", "feature/Big Change")).extracting(Build::id).containsExactly(second.id(), first.id());

        Build running = first.withState(BuildState.RUNNING, "answers on its port")
                .withVerdict(BuildVerdict.WARNING)
                .withContainer(Optional.of("container-id"), Optional.of(32768))
                .withStartedAt(NOW)
                .withFinishedAt(NOW.plusSeconds(5));
        assertThat(store.updateBuildIf(BuildState.TESTING, running)).as("first is QUEUED, not TESTING").isFalse();
        assertThat(store.updateBuildIf(BuildState.QUEUED, running)).isTrue();
        assertThat(store.findBuild(first.id())).contains(running);
        assertThat(store.updateBuildIf(BuildState.QUEUED, running.withState(BuildState.STOPPED, "late"))).isFalse();
        assertThat(store.listBuildsInState(Set.of(BuildState.RUNNING))).extracting(Build::id).contains(first.id()).doesNotContain(second.id());

        store.appendEvent(new Event(0, "builds", Optional.of("feature/Big Change"), Optional.of(first.id()), EventKind.BUILD_QUEUED, "queued", NOW));
        Event last = store.appendEvent(new Event(0, "builds", Optional.of("feature/Big Change"), Optional.of(first.id()), EventKind.BUILD_RUNNING, "running", NOW));
        store.appendEvent(new Event(0, "builds", Optional.empty(), Optional.empty(), EventKind.STAGE_CHANGED, "project-wide", NOW));
        assertThat(last.id()).isPositive();
        assertThat(store.listEvents("builds", Optional.of("feature/Big Change"), 10)).extracting(Event::kind)
                .containsExactly(EventKind.BUILD_RUNNING, EventKind.BUILD_QUEUED);
        assertThat(store.listEvents("builds", Optional.empty(), 2)).extracting(Event::message).containsExactly("project-wide", "running");
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
