package sh.stagehand.core;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Which build a host name reaches, as on Odoo.sh:
 * <ul>
 * <li>{@code <project>.<domain>}: production's serving build; while production is being updated,
 *     its maintenance;</li>
 * <li>{@code <project>-<branch>-<build>.<domain>}: that build, while it runs;</li>
 * <li>{@code <project>-<branch>.<domain>}: the branch's newest running build.</li>
 * </ul>
 * Every request through a build's name asks, so the live builds are read at most once a second.
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
            /** A name under the platform's domain that no running build has. */
            NOTHING,
        }

        public Route
        {
            requireNonNull(kind, "kind is null");
            requireNonNull(build, "build is null");
        }
    }

    private final BuildStore builds;
    private final PlatformSettings settings;
    private final Clock clock;
    private volatile Snapshot snapshot = new Snapshot(Instant.MIN, List.of());

    private record Snapshot(Instant at, List<Build> live) {}

    @Inject
    public HostRouter(BuildStore builds, PlatformSettings settings, Clock clock)
    {
        this.builds = requireNonNull(builds, "builds is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @param host a request's {@code Host}, with or without its port
     * @return where it goes; empty for a name outside the platform's domain (the platform's own
     *         pages and API)
     */
    public Optional<Route> route(String host)
    {
        String name = host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "").replaceFirst("\\.$", "");
        String domain = settings.domain().toLowerCase(Locale.ROOT);
        if (!name.endsWith("." + domain)) {
            return Optional.empty();
        }
        List<Build> live = live();
        List<Build> production = live.stream().filter(build -> build.stage() == Stage.PRODUCTION && build.hostname().equals(name)).toList();
        if (!production.isEmpty()) {
            Optional<Build> updating = production.stream().filter(build -> build.state() == BuildState.UPDATING).findFirst();
            if (updating.isPresent()) {
                return Optional.of(new Route(Route.Kind.MAINTENANCE, updating));
            }
            return Optional.of(serve(production.stream().filter(build -> build.state() == BuildState.RUNNING).max(Comparator.comparingLong(Build::id))));
        }
        Optional<Build> own = live.stream().filter(build -> build.state() == BuildState.RUNNING && build.hostname().equals(name)).findFirst();
        if (own.isPresent()) {
            return Optional.of(serve(own));
        }
        return Optional.of(serve(live.stream()
                .filter(build -> build.state() == BuildState.RUNNING && build.stage() != Stage.PRODUCTION)
                .filter(build -> BuildNames.branchHostname(build.projectId(), build.branch(), domain).equals(name))
                .max(Comparator.comparingLong(Build::id))));
    }

    private static Route serve(Optional<Build> build)
    {
        return build.filter(found -> found.hostPort().isPresent())
                .map(found -> new Route(Route.Kind.SERVE, Optional.of(found)))
                .orElseGet(() -> new Route(Route.Kind.NOTHING, Optional.empty()));
    }

    private List<Build> live()
    {
        Snapshot current = snapshot;
        Instant now = clock.instant();
        if (current.at().plus(FRESH).isBefore(now)) {
            current = new Snapshot(now, builds.listBuildsInState(EnumSet.of(BuildState.RUNNING, BuildState.UPDATING)));
            snapshot = current;
        }
        return current.live();
    }
}
