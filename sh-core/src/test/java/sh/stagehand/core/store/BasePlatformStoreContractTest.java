package sh.stagehand.core.store;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.vcs.DeployKey;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * What every store of the platform's records (projects, branches, builds, history) must do, the
 * in-memory one and the PostgreSQL one alike. Extend it with the store under test; each test uses
 * projects of its own, so one store may serve every test of the class.
 */
public abstract class BasePlatformStoreContractTest<S extends ProjectStore & BuildStore & OutboundMailStore>
{
    protected static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /**
     * The store under test, the same one for every test of the class or a new one each time.
     */
    protected abstract S store();

    private ProjectStore projects()
    {
        return store();
    }

    private BuildStore builds()
    {
        return store();
    }

    @Test
    void testOutboundMailIsKeptQueuedUntilSentOrBouncedAndListedByProject()
    {
        OutboundMailStore queue = store();
        String project = "mail-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] raw = "Subject: Welcome\r\n\r\nHello\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MailMessage message = new MailMessage("41", "shop@acme.example", List.of("a@example.com", "b@example.com"), raw, "Welcome", "shop@acme.example", "a@example.com",
                Optional.of("Hello"), Optional.of("<p>Hello</p>"));
        OutboundMail first = queue.enqueue(project, message, NOW);
        OutboundMail second = queue.enqueue(project, message, NOW.plusSeconds(1));
        assertThat(first.state()).isEqualTo(OutboundMail.State.QUEUED);
        assertThat(first.attempts()).isZero();
        assertThat(first.mail().message().rawMessage()).isEqualTo(raw);
        assertThat(first.mail().message().envelopeRecipients()).containsExactly("a@example.com", "b@example.com");

        assertThat(queue.dueMail(NOW.plusSeconds(1), 1000)).extracting(OutboundMail::id).contains(first.id(), second.id());
        queue.recordAttempt(first.id(), OutboundMail.State.QUEUED, Optional.of(NOW.plusSeconds(600)), Optional.of("relay down"), Optional.empty());
        assertThat(queue.dueMail(NOW.plusSeconds(1), 1000)).extracting(OutboundMail::id).doesNotContain(first.id()).contains(second.id());
        OutboundMail retried = queue.findOutboundMail(first.id()).orElseThrow();
        assertThat(retried.attempts()).isEqualTo(1);
        assertThat(retried.lastError()).contains("relay down");
        assertThat(retried.nextAttemptAt()).contains(NOW.plusSeconds(600));

        queue.recordAttempt(second.id(), OutboundMail.State.SENT, Optional.empty(), Optional.empty(), Optional.of(NOW.plusSeconds(2)));
        assertThat(queue.makeAllDue(NOW.plusSeconds(3))).isPositive();
        assertThat(queue.dueMail(NOW.plusSeconds(3), 1000)).extracting(OutboundMail::id).contains(first.id()).doesNotContain(second.id());
        queue.recordAttempt(first.id(), OutboundMail.State.BOUNCED, Optional.empty(), Optional.of("550 no such user"), Optional.of(NOW.plusSeconds(4)));

        assertThat(queue.listOutboundMail(project, 10)).extracting(OutboundMail::id, OutboundMail::state)
                .containsExactly(tuple(second.id(), OutboundMail.State.SENT), tuple(first.id(), OutboundMail.State.BOUNCED));
        assertThat(queue.listOutboundMail(project, 1)).hasSize(1);
        assertThat(queue.findOutboundMail(first.id()).orElseThrow().finishedAt()).contains(NOW.plusSeconds(4));
        assertThat(queue.dueMail(NOW.plusSeconds(5), 1000)).extracting(OutboundMail::id).doesNotContain(first.id(), second.id());
        assertThat(queue.findOutboundMail(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void testProjects()
    {
        Project project = new Project(projectId(), "https://github.com/acme/addons.git", Optional.of("token"), "webhook-secret", NOW);
        projects().createProject(project);

        assertThat(projects().findProject(project.id())).contains(project);
        assertThat(projects().findProject(projectId())).isEmpty();
        assertThat(projects().listProjects()).contains(project);
        assertThatThrownBy(() -> projects().createProject(project))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()));

        Project trial = project.withTrialEndsAt(Optional.of(NOW.plusSeconds(30 * 86400)));
        projects().updateProject(trial);
        assertThat(projects().findProject(project.id())).contains(trial);
        projects().updateProject(project);
        assertThat(projects().findProject(project.id())).contains(project);
        assertThatThrownBy(() -> projects().updateProject(new Project(projectId(), "/x", Optional.empty(), "s", NOW)))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    void testAProjectKeepsItsDeployKeyAndHostedUrl()
    {
        DeployKey key = new DeployKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPG0B9YkLCVSu08AiVjq71W5QhfzWjY7MuvvvPzMdKCm acme@stagehand.example",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n");
        String id = projectId();
        Project hosted = new Project(id, "/var/lib/stagehand/git/" + id + ".git", Optional.empty(), "webhook-secret", NOW, Optional.empty(), Optional.of(key),
                Optional.of("https://stagehand.example/git/" + id + ".git"));
        projects().createProject(hosted);
        assertThat(projects().findProject(id)).contains(hosted);

        // A project made before deploy keys gets one later.
        Project older = new Project(projectId(), "https://github.com/acme/addons.git", Optional.empty(), "webhook-secret", NOW);
        projects().createProject(older);
        projects().updateProject(older.withDeployKey(Optional.of(key)));
        assertThat(projects().findProject(older.id())).hasValueSatisfying(found -> {
            assertThat(found.deployKey()).contains(key);
            assertThat(found.hostedUrl()).isEmpty();
        });
    }

    @Test
    void testBranchesKeepTheirSettingsAndAreListedByName()
    {
        String project = createProject();
        Branch feature = new Branch(project, "feature/ünïcode#1", Stage.DEVELOPMENT, ModuleSelection.EXPLICIT, List.of("sale_extra", "stock_extra"), Optional.of("/sale_extra"), true, OnNewCommit.DO_NOTHING,
                List.of("www.ünïcode.example", "b.example"), List.of("crm", "website"));
        projects().saveBranch(feature);
        projects().saveBranch(Branch.development(project, "main"));
        projects().saveBranch(Branch.development(project, "Main"));

        assertThat(projects().findBranch(project, "feature/ünïcode#1")).contains(feature);
        assertThat(projects().listBranches(project)).extracting(Branch::name).containsExactly("Main", "feature/ünïcode#1", "main");

        Branch changed = new Branch(project, "main", Stage.STAGING, ModuleSelection.ALL, List.of(), Optional.empty(), false, OnNewCommit.UPDATE_PREVIOUS, List.of(), List.of("crm"));
        projects().saveBranch(changed);
        // Its apps change only by changeBranchApps: a settings save made from an older read loses none.
        assertThat(projects().findBranch(project, "main")).contains(changed.withApps(List.of()));
        assertThat(projects().changeBranchApps(project, "main", List.of("crm", "website"), List.of())).contains(changed.withApps(List.of("crm", "website")));
        assertThat(projects().changeBranchApps(project, "main", List.of("crm", "sale"), List.of("website"))).contains(changed.withApps(List.of("crm", "sale")));
        projects().saveBranch(changed.withApps(List.of()));
        assertThat(projects().findBranch(project, "main")).contains(changed.withApps(List.of("crm", "sale")));
        assertThat(projects().changeBranchApps(project, "absent", List.of("crm"), List.of())).isEmpty();
        changed = changed.withApps(List.of("crm", "sale"));
        // So do the apps production is to uninstall, by changeAppsToRemove.
        assertThat(projects().changeAppsToRemove(project, "main", List.of("sale", "crm"), List.of())).contains(changed.withAppsToRemove(List.of("sale", "crm")));
        projects().saveBranch(changed);
        assertThat(projects().changeAppsToRemove(project, "main", List.of("crm"), List.of("sale"))).contains(changed.withAppsToRemove(List.of("crm")));
        assertThat(projects().changeAppsToRemove(project, "absent", List.of("crm"), List.of())).isEmpty();
        changed = changed.withAppsToRemove(List.of("crm"));

        assertThat(projects().deleteBranch(project, "feature/ünïcode#1")).isTrue();
        assertThat(projects().deleteBranch(project, "feature/ünïcode#1")).isFalse();
        assertThat(projects().findBranch(project, "feature/ünïcode#1")).isEmpty();
    }

    @Test
    void testACustomDomainIsOneBranchsOnly()
    {
        String project = createProject();
        String other = createProject();
        String shop = project + ".example";
        Branch main = Branch.development(project, "main").withDomains(List.of("www." + shop, shop));
        projects().saveBranch(main);
        projects().saveBranch(Branch.development(project, "idle"));
        assertThat(projects().findBranch(project, "main")).contains(main);
        assertThat(projects().listBranchesWithDomains()).contains(main).extracting(Branch::name).doesNotContain("idle");

        assertThatThrownBy(() -> projects().saveBranch(Branch.development(other, "main").withDomains(List.of("new." + shop, shop))))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CONFLICT.toErrorCode()))
                .hasMessageContaining(shop).hasMessageContaining("another project").hasMessageNotContaining("branch main");
        assertThat(projects().findBranch(other, "main")).as("nothing of a refused save is kept").isEmpty();
        assertThat(projects().listBranchesWithDomains()).flatExtracting(Branch::domains).doesNotContain("new." + shop);

        projects().saveBranch(main.withDomains(List.of(shop)));
        projects().saveBranch(Branch.development(other, "main").withDomains(List.of("www." + shop)));
        assertThat(projects().findBranch(other, "main").orElseThrow().domains()).as("a domain given up is free").containsExactly("www." + shop);

        projects().deleteBranch(project, "main");
        projects().saveBranch(Branch.development(other, "feature").withDomains(List.of(shop)));
        assertThat(projects().findBranch(other, "feature").orElseThrow().domains()).as("a deleted branch's domains are free").containsExactly(shop);
    }

    // The rule lives in sh-core's services; the store refuses a second production branch all the same.
    @Test
    void testOneProductionBranchPerProject()
    {
        String project = createProject();
        projects().saveBranch(Branch.development(project, "main").withStage(Stage.PRODUCTION));
        projects().saveBranch(Branch.development(project, "main").withStage(Stage.PRODUCTION));

        assertThatThrownBy(() -> projects().saveBranch(Branch.development(project, "other").withStage(Stage.PRODUCTION)))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CONFLICT.toErrorCode()))
                .hasMessageContaining("production branch");
        assertThat(projects().findBranch(project, "other")).isEmpty();
    }

    @Test
    void testBranchHeadsAndDeliveries()
    {
        String project = createProject();
        projects().saveBranch(Branch.development(project, "main"));

        assertThat(projects().branchHead(project, "main")).isEmpty();
        projects().recordBranchHead(project, "main", "c".repeat(40));
        projects().recordBranchHead(project, "main", "d".repeat(40));
        assertThat(projects().branchHead(project, "main")).contains("d".repeat(40));
        assertThat(projects().branchHead(project, "no-such-branch")).isEmpty();

        assertThat(projects().recordDelivery(project, "delivery-1")).isTrue();
        assertThat(projects().recordDelivery(project, "delivery-1")).isFalse();
        projects().forgetDelivery(project, "delivery-1");
        assertThat(projects().recordDelivery(project, "delivery-1")).as("a delivery whose handling failed is taken again").isTrue();
    }

    @Test
    void testBuilds()
    {
        String project = createProject();
        projects().saveBranch(Branch.development(project, "feature/Big Change"));

        Build first = builds().createBuild(project, "feature/Big Change", "a".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-secret", NOW);
        Build second = builds().createBuild(project, "feature/Big Change", "b".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-secret", NOW);

        assertThat(second.id()).isGreaterThan(first.id());
        assertThat(first.state()).isEqualTo(BuildState.QUEUED);
        assertThat(first.databaseName()).isEqualTo(project + "-feature-big-change-" + first.id());
        assertThat(first.hostname()).isEqualTo(project + "-feature-big-change-" + first.id() + ".stagehand.test");
        assertThat(builds().findBuild(first.id())).contains(first);
        assertThat(builds().listBuilds(project, "feature/Big Change")).extracting(Build::id).containsExactly(second.id(), first.id());
        assertThat(builds().listBuilds(project, "other")).isEmpty();

        Build running = first.withState(BuildState.RUNNING, "answers on its port")
                .withVerdict(BuildVerdict.WARNING)
                .withContainer(Optional.of("container-id"), Optional.of(32768))
                .withStartedAt(NOW)
                .withFinishedAt(NOW.plusSeconds(5));
        assertThat(builds().updateBuildIf(BuildState.TESTING, running)).as("first is QUEUED, not TESTING").isFalse();
        assertThat(builds().findBuild(first.id())).contains(first);
        assertThat(builds().updateBuildIf(BuildState.QUEUED, running)).isTrue();
        assertThat(builds().findBuild(first.id())).contains(running);
        assertThat(builds().updateBuildIf(BuildState.QUEUED, running.withState(BuildState.STOPPED, "late"))).isFalse();
        assertThat(builds().listBuildsInState(Set.of(BuildState.RUNNING))).extracting(Build::id).contains(first.id()).doesNotContain(second.id());

        Build failed = second.withState(BuildState.FAILED, "broken").withVerdict(BuildVerdict.FAILED);
        builds().updateBuild(failed);
        assertThat(builds().findBuild(second.id())).contains(failed);
        assertThat(builds().findBuild(Long.MAX_VALUE)).isEmpty();

        Build production = builds().createBuild(project, "feature/Big Change", "c".repeat(40), Stage.PRODUCTION, "stagehand.test", "smtp-secret", NOW)
                .withNames(project + "-production", project + ".stagehand.test");
        builds().updateBuild(production);
        assertThat(builds().findBuild(production.id())).as("production's names are the caller's").contains(production);
    }

    @Test
    void testRecentBuildsOfEachBranchInOneCall()
    {
        String project = createProject();
        String other = createProject();
        List<Long> main = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            main.add(builds().createBuild(project, "main", "a".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-secret", NOW).id());
            builds().createBuild(other, "main", "b".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-secret", NOW);
        }
        long feature = builds().createBuild(project, "feature/ü", "c".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-secret", NOW).id();

        Map<String, List<Build>> recent = builds().listRecentBuilds(project, 3);
        assertThat(recent).containsOnlyKeys("main", "feature/ü");
        assertThat(recent.get("main")).extracting(Build::id).containsExactly(main.get(4), main.get(3), main.get(2));
        assertThat(recent.get("feature/ü")).extracting(Build::id).containsExactly(feature);
        assertThat(recent.get("main")).isEqualTo(builds().listBuilds(project, "main").subList(0, 3));
        assertThat(builds().listRecentBuilds(projectId(), 3)).isEmpty();
    }

    @Test
    void testHistoryNewestFirstPerBranchOrProject()
    {
        String project = createProject();
        projects().saveBranch(Branch.development(project, "main"));
        Build build = builds().createBuild(project, "main", "a".repeat(40), Stage.DEVELOPMENT, "stagehand.test", "smtp-secret", NOW);

        Event queued = builds().appendEvent(build, EventKind.BUILD_QUEUED, "queued", NOW);
        Event running = builds().appendEvent(build, EventKind.BUILD_RUNNING, "running", NOW.plusSeconds(1));
        builds().appendEvent(new Event(0, project, Optional.empty(), Optional.empty(), EventKind.STAGE_CHANGED, "project-wide", NOW.plusSeconds(2)));

        assertThat(running.id()).isGreaterThan(queued.id());
        assertThat(builds().listEvents(project, Optional.of("main"), 10))
                .extracting(Event::kind, Event::message, Event::buildId)
                .containsExactly(
                        tuple(EventKind.BUILD_RUNNING, "running", Optional.of(build.id())),
                        tuple(EventKind.BUILD_QUEUED, "queued", Optional.of(build.id())));
        assertThat(builds().listEvents(project, Optional.empty(), 2)).extracting(Event::message).containsExactly("project-wide", "running");
        assertThat(builds().listEvents(project, Optional.of("other"), 10)).isEmpty();
    }

    private String createProject()
    {
        String id = projectId();
        projects().createProject(new Project(id, "/srv/git/" + id, Optional.empty(), "secret", NOW));
        return id;
    }

    private static String projectId()
    {
        return "p" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
