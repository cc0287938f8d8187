package sh.stagehand.core;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.core.store.InMemoryPlatformStore;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class HostRouterTest
{
    private static final String DOMAIN = "stagehand.localhost";

    private final InMemoryPlatformStore store = new InMemoryPlatformStore();
    private final HostRouter router = new HostRouter(store, store, PlatformSettings.fromConfig(new StagehandConfig(Map.of("platform.domain", DOMAIN))), Clock.systemUTC());

    @Test
    void testEachNameReachesItsBuildAndProductionIsInMaintenanceWhileItUpdates()
    {
        Build production = running(store.createBuild("acme", "main", "c1", Stage.PRODUCTION, DOMAIN, "secret", Instant.now()), 9001);
        store.updateBuild(production.withNames(BuildNames.productionDatabaseName("acme"), BuildNames.productionHostname("acme", DOMAIN)));
        Build olderFeature = running(store.createBuild("acme", "feature/Ünïcode", "c2", Stage.DEVELOPMENT, DOMAIN, "secret", Instant.now()), 9002);
        Build newerFeature = running(store.createBuild("acme", "feature/Ünïcode", "c3", Stage.DEVELOPMENT, DOMAIN, "secret", Instant.now()), 9003);
        Build failed = store.createBuild("acme", "broken", "c4", Stage.DEVELOPMENT, DOMAIN, "secret", Instant.now());
        store.updateBuild(failed.withState(BuildState.FAILED, "failed"));

        assertThat(target("acme." + DOMAIN)).contains(production.id());
        assertThat(target("ACME." + DOMAIN.toUpperCase() + ".:8080")).as("any case, a port, a final dot").contains(production.id());
        assertThat(target(olderFeature.hostname())).as("a build's own name").contains(olderFeature.id());
        assertThat(target("acme-feature-unicode." + DOMAIN)).as("its branch's name: the newest running build").contains(newerFeature.id());
        assertThat(router.route(failed.hostname())).hasValueSatisfying(route -> assertThat(route.kind()).isEqualTo(HostRouter.Route.Kind.NOTHING));
        assertThat(router.route("acme-nothing." + DOMAIN)).hasValueSatisfying(route -> assertThat(route.kind()).isEqualTo(HostRouter.Route.Kind.NOTHING));
        assertThat(router.route("127.0.0.1:8080")).as("the platform's own pages").isEmpty();
        assertThat(router.route(DOMAIN)).isEmpty();
        assertThat(router.route("acme." + DOMAIN + ".evil.example")).isEmpty();

        Build updating = store.createBuild("acme", "main", "c5", Stage.PRODUCTION, DOMAIN, "secret", Instant.now());
        store.updateBuild(updating.withNames(BuildNames.productionDatabaseName("acme"), BuildNames.productionHostname("acme", DOMAIN)).withState(BuildState.UPDATING, "maintenance"));
        HostRouter fresh = new HostRouter(store, store, PlatformSettings.fromConfig(new StagehandConfig(Map.of("platform.domain", DOMAIN))), Clock.systemUTC());
        assertThat(fresh.route("acme." + DOMAIN)).hasValueSatisfying(route -> {
            assertThat(route.kind()).isEqualTo(HostRouter.Route.Kind.MAINTENANCE);
            assertThat(route.build().map(Build::id)).contains(updating.id());
        });
    }

    @Test
    void testCustomDomainsReachTheirBranch()
    {
        store.createProject(new Project("shop", "/srv/git/shop.git", Optional.empty(), "secret", Instant.now()));
        store.saveBranch(Branch.development("shop", "main").withStage(Stage.PRODUCTION).withDomains(List.of("www.shop.example", "shop.example")));
        store.saveBranch(Branch.development("shop", "preview").withStage(Stage.STAGING).withDomains(List.of("preview.shop.example")));
        store.saveBranch(Branch.development("shop", "idle").withDomains(List.of("idle.shop.example")));
        Build production = running(store.createBuild("shop", "main", "c1", Stage.PRODUCTION, DOMAIN, "secret", Instant.now()), 9101);
        store.updateBuild(production.withNames(BuildNames.productionDatabaseName("shop"), BuildNames.productionHostname("shop", DOMAIN)));
        running(store.createBuild("shop", "preview", "c2", Stage.STAGING, DOMAIN, "secret", Instant.now()), 9102);
        Build newerStaging = running(store.createBuild("shop", "preview", "c3", Stage.STAGING, DOMAIN, "secret", Instant.now()), 9103);

        assertThat(target("www.shop.example")).contains(production.id());
        assertThat(target("SHOP.example.:443")).as("any case, a port, a final dot").contains(production.id());
        assertThat(target("preview.shop.example")).as("the branch's newest running build").contains(newerStaging.id());
        assertThat(router.route("idle.shop.example")).as("a branch with no running build").hasValueSatisfying(route -> assertThat(route.kind()).isEqualTo(HostRouter.Route.Kind.NOTHING));
        assertThat(router.route("other.example")).as("a name nobody claimed is the platform's own").isEmpty();

        Build updating = store.createBuild("shop", "main", "c4", Stage.PRODUCTION, DOMAIN, "secret", Instant.now());
        store.updateBuild(updating.withNames(BuildNames.productionDatabaseName("shop"), BuildNames.productionHostname("shop", DOMAIN)).withState(BuildState.UPDATING, "maintenance"));
        HostRouter fresh = new HostRouter(store, store, PlatformSettings.fromConfig(new StagehandConfig(Map.of("platform.domain", DOMAIN))), Clock.systemUTC());
        assertThat(fresh.route("www.shop.example")).as("production's maintenance on its custom domains too").hasValueSatisfying(route -> assertThat(route.kind()).isEqualTo(HostRouter.Route.Kind.MAINTENANCE));
    }

    @Test
    void testAStableNameSharedByTwoProjectsIsTheOlderOnesAndThePlatformsOwnNameIsNobodys()
    {
        store.createProject(new Project("acme", "/srv/git/acme.git", Optional.empty(), "secret", Instant.parse("2026-01-01T00:00:00Z")));
        store.createProject(new Project("acme-shop", "/srv/git/evil.git", Optional.empty(), "secret", Instant.parse("2026-06-01T00:00:00Z")));
        Build acme = running(store.createBuild("acme", "shop-x", "c1", Stage.DEVELOPMENT, DOMAIN, "secret", Instant.now()), 9201);
        running(store.createBuild("acme-shop", "x", "c2", Stage.DEVELOPMENT, DOMAIN, "secret", Instant.now()), 9202);
        assertThat(target("acme-shop-x." + DOMAIN)).as("the newer project's build has the higher id, not the name").contains(acme.id());

        store.saveBranch(Branch.development("acme", "shop-x").withDomains(List.of("console.hosting.example")));
        HostRouter withPublicUrl = new HostRouter(store, store, PlatformSettings.fromConfig(new StagehandConfig(Map.of("platform.domain", DOMAIN,
                "platform.public-url", "https://console.hosting.example"))), Clock.systemUTC());
        assertThat(withPublicUrl.route("Console.Hosting.Example")).as("even if a store says otherwise").isEmpty();
    }

    private Build running(Build build, int port)
    {
        Build running = build.withState(BuildState.RUNNING, "running").withContainer(Optional.of("container-" + build.id()), Optional.of(port));
        store.updateBuild(running);
        return running;
    }

    private Optional<Long> target(String host)
    {
        return router.route(host)
                .filter(route -> route.kind() == HostRouter.Route.Kind.SERVE)
                .flatMap(HostRouter.Route::build)
                .map(Build::id);
    }
}
