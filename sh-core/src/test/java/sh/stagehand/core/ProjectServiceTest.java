package sh.stagehand.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.pipeline.BuildScheduler;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.database.DumpLoader;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.spi.vcs.VcsProvider;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stage rules of {@link ProjectService}, on a hand-written repository and the in-memory store.
 */
class ProjectServiceTest
{
    private static final Instant START = Instant.parse("2026-11-01T09:00:00Z");

    private final InMemoryPlatformStore store = new InMemoryPlatformStore();
    private final MutableClock clock = new MutableClock(START);
    private final PlatformSettings settings = PlatformSettings.fromConfig(new StagehandConfig(Map.of("platform.trial-length", "30d")));
    private final BuildScheduler scheduler = new BuildScheduler(store, build -> {}, settings, clock);
    private final Set<String> databases = new HashSet<>();
    private final FakeRepository repository = new FakeRepository();
    private final ProjectService projects = new ProjectService(store, store, repository, scheduler, new FakeDatabases(databases), new HostRouter(store, store, settings, clock), settings, clock);

    @AfterEach
    void close()
    {
        scheduler.close();
    }

    @Test
    void testTheDefaultBranchBecomesTheOneProductionBranch()
    {
        projects.createProject("acme", "/srv/git/acme", Optional.empty());

        assertThat(projects.branch("acme", "main").stage()).isEqualTo(Stage.PRODUCTION);
        assertThat(projects.branch("acme", "main").cronsEnabled()).as("production runs its scheduled actions").isTrue();
        assertThat(projects.branch("acme", "feature").stage()).isEqualTo(Stage.DEVELOPMENT);
        assertThat(store.listBuilds("acme", "main")).singleElement().satisfies(build -> {
            assertThat(build.stage()).isEqualTo(Stage.PRODUCTION);
            assertThat(build.databaseName()).isEqualTo("acme-production");
            assertThat(build.hostname()).isEqualTo("acme.stagehand.localhost");
        });
        assertThatThrownBy(() -> projects.saveBranch(projects.branch("acme", "feature").movedTo(Stage.PRODUCTION)))
                .isInstanceOf(StagehandException.class)
                .hasMessage("Project acme has a production branch already, main; a project has exactly one. Move main to staging or development first");
        assertThatThrownBy(() -> projects.createProject("other", "/srv/git/acme", Optional.empty(), Optional.of("nope")))
                .hasMessageContaining("has no branch nope to make production");
    }

    @Test
    void testANewProjectNeverAdoptsAProductionDatabaseItDidNotMake()
    {
        databases.add("acme-production");
        assertThatThrownBy(() -> projects.createProject("acme", "/srv/git/acme", Optional.empty()))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("A database acme-production exists already")
                .hasMessageContaining("drop it or pick another project id");
        assertThat(store.findProject("acme")).isEmpty();
    }

    @Test
    void testAMoveTakesOdooShsBehaviourOnNewCommitAndIsInTheHistory()
    {
        projects.createProject("acme", "/srv/git/acme", Optional.empty(), Optional.empty());

        projects.saveBranch(projects.branch("acme", "feature").movedTo(Stage.STAGING));
        assertThat(projects.branch("acme", "feature").onNewCommit()).isEqualTo(OnNewCommit.UPDATE_PREVIOUS);
        projects.saveBranch(projects.branch("acme", "feature").movedTo(Stage.DEVELOPMENT));
        assertThat(projects.branch("acme", "feature").onNewCommit()).isEqualTo(OnNewCommit.DO_NOTHING);
        assertThat(store.listEvents("acme", Optional.of("feature"), 10)).extracting(Event::message)
                .contains("Branch feature moved from DEVELOPMENT to STAGING", "Branch feature moved from STAGING to DEVELOPMENT");
    }

    @Test
    void testATrialsProductionAndStagingGoBackToDevelopmentWhenItEnds()
    {
        projects.createProject("acme", "/srv/git/acme", Optional.empty());
        projects.saveBranch(projects.branch("acme", "feature").movedTo(Stage.STAGING));
        assertThat(projects.setTrial("acme", true).trialEndsAt()).contains(START.plus(Duration.ofDays(30)));

        clock.set(START.plus(Duration.ofDays(29)));
        assertThat(projects.endTrials()).isEmpty();
        assertThat(projects.branch("acme", "main").stage()).isEqualTo(Stage.PRODUCTION);

        clock.set(START.plus(Duration.ofDays(30)));
        assertThat(projects.endTrials()).extracting(project -> project.id()).containsExactly("acme");
        assertThat(projects.branch("acme", "main").stage()).isEqualTo(Stage.DEVELOPMENT);
        assertThat(projects.branch("acme", "feature").stage()).isEqualTo(Stage.DEVELOPMENT);
        assertThat(projects.project("acme").trialEndsAt()).isEmpty();
        assertThat(store.listEvents("acme", Optional.empty(), 20)).extracting(Event::message).contains("Trial ended: production and staging branches moved to development");
        assertThat(projects.endTrials()).as("once").isEmpty();
    }

    @Test
    void testEveryProjectHasADeployKeyOfItsOwnThatItsFetchesCarry()
    {
        Project acme = projects.createProject("acme", "git@github.com:acme/addons.git", Optional.empty());
        Project other = projects.createProject("other", "https://github.com/acme/other.git", Optional.of("token"));

        assertThat(acme.deployKey()).isPresent();
        assertThat(other.deployKey()).isPresent();
        assertThat(acme.deployKey()).isNotEqualTo(other.deployKey());
        assertThat(acme.deployKey().orElseThrow().publicKey()).endsWith(" acme@stagehand.localhost");
        assertThat(store.findProject("acme").orElseThrow().deployKey()).isEqualTo(acme.deployKey());
        assertThat(repository.fetched).extracting(RemoteRepository::deployKey).containsExactly(acme.deployKey(), other.deployKey());
    }

    @Test
    void testAnSshRepositoryThatRefusesTheNewKeyWaitsForItsCustomerToAddIt()
    {
        repository.refuseUnknownKeys = true;
        Project acme = projects.createProject("acme", "git@github.com:acme/addons.git", Optional.empty());

        assertThat(projects.branches("acme")).isEmpty();
        String publicKey = acme.deployKey().orElseThrow().publicKey();
        assertThat(store.listEvents("acme", Optional.empty(), 10)).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo(EventKind.DEPLOY_KEY_AWAITED);
            assertThat(event.message()).contains("add " + publicKey + " to it as a read-only deploy key");
        });

        // The customer adds it on GitHub; the next poll finds the branches, the default one production.
        repository.acceptedKeys.add(publicKey);
        projects.poll("acme");
        assertThat(projects.branch("acme", "main").stage()).isEqualTo(Stage.PRODUCTION);
        assertThat(projects.branch("acme", "feature").stage()).isEqualTo(Stage.DEVELOPMENT);

        // Refused credentials over https are the token's, not a key to wait for: nothing is created.
        assertThatThrownBy(() -> projects.createProject("other", "https://github.com/acme/other.git", Optional.of("wrong")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PERMISSION_DENIED.toErrorCode()));
        assertThat(store.findProject("other")).isEmpty();
    }

    @Test
    void testAProjectMadeBeforeDeployKeysGetsOneWhenRead()
    {
        store.createProject(new Project("older", "git@github.com:acme/addons.git", Optional.empty(), "secret", START));

        Project read = projects.project("older");
        assertThat(read.deployKey()).isPresent();
        assertThat(store.findProject("older").orElseThrow().deployKey()).isEqualTo(read.deployKey());
        assertThat(projects.project("older").deployKey()).as("made once").isEqualTo(read.deployKey());
    }

    private static final class FakeRepository
            implements VcsProvider
    {
        private final List<BranchHead> heads = List.of(new BranchHead("feature", "b".repeat(40)), new BranchHead("main", "a".repeat(40)));
        private final List<RemoteRepository> fetched = new ArrayList<>();
        private final Set<String> acceptedKeys = new HashSet<>();
        private boolean refuseUnknownKeys;
        private int keys;

        @Override
        public List<BranchHead> fetch(RemoteRepository repository)
        {
            fetched.add(repository);
            boolean keyAccepted = repository.deployKey().map(key -> acceptedKeys.contains(key.publicKey())).orElse(false);
            if (refuseUnknownKeys && (repository.url().startsWith("git@") ? !keyAccepted : repository.token().equals(Optional.of("wrong")))) {
                throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "The host of " + repository.url() + " refused the project's credentials");
            }
            return heads;
        }

        @Override
        public DeployKey newDeployKey(String comment)
        {
            keys++;
            return new DeployKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + "A".repeat(42) + keys + " " + comment, "-----BEGIN OPENSSH PRIVATE KEY-----\n" + keys + "\n-----END OPENSSH PRIVATE KEY-----\n");
        }

        @Override
        public Optional<String> defaultBranch(RemoteRepository repository)
        {
            return Optional.of("main");
        }

        @Override
        public List<BranchHead> branches(RemoteRepository repository)
        {
            return heads;
        }

        @Override
        public String resolve(RemoteRepository repository, String revision)
        {
            return revision;
        }

        @Override
        public List<String> checkout(RemoteRepository repository, String commitId, Path target)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }

    private record FakeDatabases(Set<String> names)
            implements DatabaseProvider
    {
        @Override
        public boolean exists(String name)
        {
            return names.contains(name);
        }

        @Override
        public DatabaseConnection create(String name)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean drop(String name)
        {
            return names.remove(name);
        }

        @Override
        public List<String> list(String prefix)
        {
            return names.stream().filter(name -> name.startsWith(prefix)).sorted().toList();
        }

        @Override
        public DatabaseConnection copy(String source, String target)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void dump(String name, Path target)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public DatabaseConnection restoreDump(String name, DumpLoader loader)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void replaceWithDump(String name, DumpLoader loader, String thenRun)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void snapshot(String name, String snapshotName)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void restoreSnapshot(String snapshotName, String name)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public DatabaseConnection rename(String from, String to)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public DatabaseConnection renewCredentials(String name)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Map<String, Object>> query(String database, String sql, List<?> parameters)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int execute(String database, String sql, List<?> parameters)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
