package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.core.pipeline.BuildSteps.ODOO_PORT;

/**
 * Follows build servers a cluster runtime moved: when a node is drained or lost, the runtime
 * starts the server's container on another node (from the same data), where it answers at
 * another address; the build is recorded there, and its history says so. On one engine a server
 * never moves, and nothing is recorded. Thread-safe.
 */
@Singleton
public final class ServerMoves
{
    private static final Logger log = LoggerFactory.getLogger(ServerMoves.class);

    private final BuildStore builds;
    private final RuntimeProvider runtime;
    private final BuildSteps steps;
    private final BuildLogs logs;
    private final Clock clock;

    @Inject
    public ServerMoves(BuildStore builds, RuntimeProvider runtime, BuildSteps steps, BuildLogs logs, Clock clock)
    {
        this.logs = requireNonNull(logs, "logs is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @return the running builds whose server moved, as recorded now
     */
    public List<Build> followAll()
    {
        List<Build> moved = new ArrayList<>();
        for (Build build : builds.listBuildsInState(EnumSet.of(BuildState.RUNNING))) {
            try {
                follow(build).ifPresent(moved::add);
            }
            catch (RuntimeException e) {
                log.warn("Cannot tell where build {}'s server runs: {}", build.id(), e.getMessage());
            }
        }
        return moved;
    }

    /**
     * @return the build as recorded where its server answers now, if it moved
     */
    public Optional<Build> follow(Build build)
    {
        if (build.state() != BuildState.RUNNING || build.containerId().isEmpty()) {
            return Optional.empty();
        }
        Optional<ContainerInfo> server = runtime.inspect(build.containerId().get());
        if (server.isEmpty() || !server.get().state().isRunning() || !server.get().publishedPorts().containsKey(ODOO_PORT)) {
            return Optional.empty();
        }
        String now = server.get().host() + ":" + server.get().hostPort(ODOO_PORT);
        String recorded = build.serverAddress().orElse("");
        if (now.equals(recorded)) {
            return Optional.empty();
        }
        Build moved = steps.update(build.withServer(server.get(), ODOO_PORT));
        // Its odoo.log goes on from the server where it runs now.
        logs.attachSource(build.id(), LogName.ODOO, runtime.followLogs(server.get().id(), clock.instant(), line -> logs.append(build.id(), LogName.ODOO, line.text())));
        String message = "Build " + build.id() + "'s server moved from " + recorded + " to " + now + ": its node was drained or lost, and the cluster started it again";
        builds.appendEvent(moved, EventKind.BUILD_MOVED, message, clock.instant());
        log.info(message);
        return Optional.of(moved);
    }
}
