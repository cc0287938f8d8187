package sh.stagehand.core.routing;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.CustomDomains;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.ProjectStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Which build a host name reaches, as on Odoo.sh:
 * <ul>
 * <li>{@code <project>.<domain>}: production's serving build; while production is being updated,
 *     its maintenance;</li>
 * <li>{@code <project>-<branch>-<build>.<domain>}: that build, while it runs or sleeps;</li>
 * <li>{@code <project>-<branch>.<domain>}: the branch's newest build running or asleep;</li>
 * <li>a branch's custom domain ({@link Branch#domains()}): as its stable name, production's
 *     maintenance included.</li>
 * </ul>
 * A sleeping build's name is {@link Route.Kind#ASLEEP}: the request wakes it.
 * Every request through a build's name asks, so the live builds and the custom domains are read
 * at most once a second.
 * Thread-safe.
 */
@Singleton
public final class HostRouter
{
    private static final Duration FRESH = Duration.ofSeconds(1);

    /**
     * Where a request for a build host name goes.
     *
     * @param kind serve it, answer that production is in maintenance, or that nothing answers there
     * @param build the build serving (or updating) it; empty for {@link Kind#NOTHING}
     */
    public record Route(Kind kind, Optional<Build> build)
    {
        public enum Kind
        {
            /** Proxied to the build's server. */
            SERVE,
            /** Production is being updated: a maintenance page, as Odoo.sh shows. */
            MAINTENANCE,
            /** The build sleeps ({@link BuildState#SLEEPING}): woken, then served. */
            ASLEEP,
            /** A name under the platform's domain that no running build has. */
            NOTHING,
        }

        public Route
        {
            requireNonNull(kind, "kind is null");
            requireNonNull(build, "build is null");
        }
    }

    private final ProjectStore projects;
    private final BuildStore builds;
    private final PlatformSettings settings;
    private final Clock clock;
    private volatile Snapshot snapshot = new Snapshot(Instant.MIN, List.of(), Map.of());
    // Bumped by each refresh: a snapshot read while one happened is used once, not kept.
    private final AtomicLong generation = new AtomicLong();

    private record Snapshot(Instant at, List<Build> live, Map<String, Branch> domains) {}

    @Inject
    public HostRouter(ProjectStore projects, BuildStore builds, PlatformSettings settings, Clock clock)
    {
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @param host a request's {@code Host}, with or without its port
     * @return where it goes; empty for a name that is neither under the platform's domain nor a
     *         custom domain (the platform's own pages and API)
     */
    public Optional<Route> route(String host)
    {
        String name = normalize(host);
        String domain = settings.domain().toLowerCase(Locale.ROOT);
        if (name.equals(CustomDomains.hostOf(settings.publicUrl()))) {
            // The platform's own pages, whatever a store says.
            return Optional.empty();
        }
        Snapshot current = snapshot();
        if (!name.endsWith("." + domain)) {
            return Optional.ofNullable(current.domains().get(name)).map(branch -> branchRoute(current.live(), branch));
        }
        List<Build> production = current.live().stream().filter(build -> build.stage() == Stage.PRODUCTION && build.hostname().equals(name)).toList();
        if (!production.isEmpty()) {
            return Optional.of(productionRoute(production));
        }
        Optional<Build> own = current.live().stream().filter(build -> servable(build) && build.hostname().equals(name)).findFirst();
        if (own.isPresent()) {
            return Optional.of(serve(own));
        }
        // "acme-shop-x" is acme's branch shop-x and project acme-shop's branch x alike: the older
        // project keeps its name, so that a project created since cannot take it over.
        List<Build> named = current.live().stream()
                .filter(build -> servable(build) && build.stage() != Stage.PRODUCTION)
                .filter(build -> BuildNames.branchHostname(build.projectId(), build.branch(), domain).equals(name))
                .toList();
        Optional<String> owner = named.stream().map(Build::projectId).distinct()
                .min(Comparator.comparing((String projectId) -> projects.findProject(projectId).map(Project::createdAt).orElse(Instant.MAX)).thenComparing(Comparator.naturalOrder()));
        return Optional.of(serve(named.stream().filter(build -> owner.map(build.projectId()::equals).orElse(false)).max(Comparator.comparingLong(Build::id))));
    }

    /**
     * Whether the platform answers for a host name: a custom domain some branch has, or a name
     * under the platform's domain that reaches a build now. What a TLS front end that gets
     * certificates on demand (Caddy's {@code on_demand_tls ask}) asks before getting one.
     */
    public boolean answers(String host)
    {
        String name = normalize(host);
        if (snapshot().domains().containsKey(name)) {
            return true;
        }
        return route(name).filter(route -> route.kind() != Route.Kind.NOTHING).isPresent();
    }

    private static String normalize(String host)
    {
        return host.strip().toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "").replaceFirst("\\.$", "");
    }

    /**
     * Forgets what was read, so that the next request reads the builds and custom domains again:
     * a domain just given to a branch answers at once, and production's name the maintenance page
     * from the moment its update starts (the pipelines refresh at every change of a build's state).
     */
    public void refresh()
    {
        generation.incrementAndGet();
        snapshot = new Snapshot(Instant.MIN, List.of(), Map.of());
    }

    // A custom domain reaches what its branch's stable name reaches; a production branch's, production.
    private static Route branchRoute(List<Build> live, Branch branch)
    {
        if (branch.stage() == Stage.PRODUCTION) {
            return productionRoute(live.stream().filter(build -> build.projectId().equals(branch.projectId()) && build.stage() == Stage.PRODUCTION).toList());
        }
        return serve(live.stream()
                .filter(build -> servable(build) && build.stage() != Stage.PRODUCTION)
                .filter(build -> build.projectId().equals(branch.projectId()) && build.branch().equals(branch.name()))
                .max(Comparator.comparingLong(Build::id)));
    }

    private static Route productionRoute(List<Build> production)
    {
        Optional<Build> updating = production.stream().filter(build -> build.state() == BuildState.UPDATING).findFirst();
        if (updating.isPresent()) {
            return new Route(Route.Kind.MAINTENANCE, updating);
        }
        return serve(production.stream().filter(build -> build.state() == BuildState.RUNNING).max(Comparator.comparingLong(Build::id)));
    }

    private static boolean servable(Build build)
    {
        return build.state() == BuildState.RUNNING || build.state() == BuildState.SLEEPING;
    }

    private static Route serve(Optional<Build> build)
    {
        if (build.isPresent() && build.get().state() == BuildState.SLEEPING) {
            return new Route(Route.Kind.ASLEEP, build);
        }
        return build.filter(found -> found.state() == BuildState.RUNNING && found.hostPort().isPresent())
                .map(found -> new Route(Route.Kind.SERVE, Optional.of(found)))
                .orElseGet(() -> new Route(Route.Kind.NOTHING, Optional.empty()));
    }

    private Snapshot snapshot()
    {
        Snapshot current = snapshot;
        Instant now = clock.instant();
        if (current.at().plus(FRESH).isBefore(now)) {
            long readAt = generation.get();
            Map<String, Branch> domains = new HashMap<>();
            for (Branch branch : projects.listBranchesWithDomains()) {
                branch.domains().forEach(domain -> domains.put(domain, branch));
            }
            current = new Snapshot(now, builds.listBuildsInState(EnumSet.of(BuildState.RUNNING, BuildState.UPDATING, BuildState.SLEEPING)), Map.copyOf(domains));
            if (generation.get() == readAt) {
                snapshot = current;
            }
        }
        return current;
    }
}
