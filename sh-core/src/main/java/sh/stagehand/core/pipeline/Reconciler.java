package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.core.workspace.Labels;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Brings the records in line with what really runs, at start-up: after a restart mid-build nothing
 * stays "building" forever and no container is orphaned.
 * <ul>
 * <li>a build recorded as building, testing or updating was cut off: its containers are removed, it
 *     is marked failed, saying so, and its commit is queued again as a new build, unless its branch
 *     is gone or has a newer build; a production build is not built again, production is put back
 *     as it was before it ({@link ProductionPipeline#recover});</li>
 * <li>a build recorded as running whose server container is gone or stopped is marked stopped; one
 *     whose server still runs has its odoo.log followed again; production's newest running build is
 *     started again instead ({@link ProductionPipeline#reconcileServing});</li>
 * <li>a build recorded as queued is queued again;</li>
 * <li>a container of this platform whose build is unknown or finished is removed.</li>
 * </ul>
 * Thread-safe.
 */
@Singleton
public final class Reconciler
{
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final BuildStore builds;
    private final ProjectStore projects;
    private final RuntimeProvider runtime;
    private final BuildCleaner cleaner;
    private final BuildScheduler scheduler;
    private final ProductionPipeline production;
    private final BuildLogs logs;
    private final Clock clock;

    @Inject
    public Reconciler(BuildStore builds, ProjectStore projects, RuntimeProvider runtime, BuildCleaner cleaner, BuildScheduler scheduler, ProductionPipeline production, BuildLogs logs, Clock clock)
    {
        this.production = requireNonNull(production, "production is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @return what was changed, one line each
     */
    public synchronized List<String> reconcile()
    {
        List<String> changes = new ArrayList<>();
        Map<Long, Build> live = new HashMap<>();
        for (Build build : builds.listBuildsInState(EnumSet.of(BuildState.QUEUED, BuildState.BUILDING, BuildState.TESTING, BuildState.UPDATING, BuildState.RUNNING))) {
            live.put(build.id(), build);
        }
        Map<String, List<ContainerInfo>> containersByBuild = new HashMap<>();
        for (ContainerInfo container : runtime.list(Map.of())) {
            String buildLabel = container.labels().get(Labels.BUILD);
            if (buildLabel != null) {
                containersByBuild.computeIfAbsent(buildLabel, key -> new ArrayList<>()).add(container);
            }
            else if (Labels.THROWAWAY_ROLES.contains(container.labels().get(Labels.ROLE))) {
                // A task of a platform that stopped (a restore): its work is redone or dropped.
                runtime.remove(container.id());
                changes.add("removed the " + container.labels().get(Labels.ROLE) + " container " + container.name() + " a stopped platform left");
            }
        }

        // Interrupted builds first: a production update is undone before production serves again.
        List<Build> ordered = live.values().stream().sorted(Comparator.comparing((Build build) -> !build.state().isInProgress()).thenComparingLong(Build::id)).toList();
        Map<String, List<Build>> runningProductions = new TreeMap<>();
        List<Build> queued = new ArrayList<>();
        for (Build build : ordered) {
            List<ContainerInfo> containers = containersByBuild.getOrDefault(Long.toString(build.id()), List.of());
            switch (build.state()) {
                case BUILDING, TESTING, UPDATING -> {
                    cleaner.removeContainers(build.id());
                    String cutOff = "the platform restarted while this build was " + build.state().name().toLowerCase(Locale.ROOT);
                    if (build.stage() == Stage.PRODUCTION) {
                        // Not built again by itself: production is put back, and a person decides.
                        String recovered = production.recover(build);
                        record(build.withState(BuildState.FAILED, cutOff + "; " + recovered + ". Rebuild it to update production again").withVerdict(BuildVerdict.FAILED)
                                .withContainer(Optional.empty(), Optional.empty()).withFinishedAt(clock.instant()), changes);
                    }
                    else if (isNewestOfALiveBranch(build)) {
                        // Recorded failed first, so that the new build's queueing cannot supersede it.
                        record(build.withState(BuildState.FAILED, cutOff + "; it is built again").withVerdict(BuildVerdict.FAILED)
                                .withContainer(Optional.empty(), Optional.empty()).withFinishedAt(clock.instant()), changes);
                        Build again = scheduler.enqueue(build.projectId(), build.branch(), build.commitId(), build.stage());
                        changes.add("build " + again.id() + " builds " + build.commitId().substring(0, 8) + " again for build " + build.id());
                    }
                    else {
                        record(build.withState(BuildState.FAILED, cutOff + "; its branch has a newer build, or is gone").withVerdict(BuildVerdict.FAILED)
                                .withContainer(Optional.empty(), Optional.empty())
                                .withFinishedAt(clock.instant()), changes);
                    }
                }
                case RUNNING -> {
                    if (build.stage() == Stage.PRODUCTION) {
                        runningProductions.computeIfAbsent(build.projectId(), key -> new ArrayList<>()).add(build);
                        continue;
                    }
                    boolean serving = containers.stream().anyMatch(container -> container.id().equals(build.containerId().orElse("")) && container.state().isRunning());
                    if (serving) {
                        followAgain(build);
                    }
                    else {
                        cleaner.removeContainers(build.id());
                        record(build.withState(BuildState.STOPPED, "its server was no longer running when the platform started")
                                .withContainer(Optional.empty(), Optional.empty()), changes);
                    }
                }
                case QUEUED -> queued.add(build);
                default -> { }
            }
        }
        for (String projectId : projects.listProjects().stream().map(project -> project.id()).toList()) {
            try {
                changes.addAll(production.recoverLeftoverSnapshots(projectId));
            }
            catch (RuntimeException e) {
                log.error("Cannot deal with the production snapshots of {}; tried again at the next start", projectId, e);
                changes.add("production snapshots of " + projectId + " could not be dealt with: " + e.getMessage());
            }
        }
        for (List<Build> running : runningProductions.values()) {
            try {
                changes.addAll(production.reconcileServing(running));
            }
            catch (RuntimeException e) {
                log.error("Cannot put production of {} back into service; it is tried again at the next start", running.get(0).projectId(), e);
                changes.add("production of " + running.get(0).projectId() + " could not be started again: " + e.getMessage());
            }
            for (Build build : running) {
                // Still on the server it had, which runs: its follow died with the old platform.
                builds.findBuild(build.id())
                        .filter(now -> now.state() == BuildState.RUNNING && now.containerId().equals(build.containerId()))
                        .filter(now -> now.containerId().flatMap(runtime::inspect).map(container -> container.state().isRunning()).orElse(false))
                        .ifPresent(this::followAgain);
            }
        }

        // Last: no queued build runs before production is put right.
        for (Build build : queued) {
            scheduler.resubmit(build);
            changes.add("build " + build.id() + " queued again");
        }

        for (Map.Entry<String, List<ContainerInfo>> entry : containersByBuild.entrySet()) {
            if (!isLiveBuild(live, entry.getKey())) {
                for (ContainerInfo container : entry.getValue()) {
                    runtime.remove(container.id());
                    changes.add("removed orphaned container " + container.name() + " of build " + entry.getKey());
                }
            }
        }
        changes.forEach(change -> log.info("Reconciled: {}", change));
        return changes;
    }

    private void followAgain(Build build)
    {
        // What the server printed while no platform ran is not recovered.
        String containerId = build.containerId().orElseThrow();
        logs.attachSource(build.id(), LogName.ODOO, runtime.followLogs(containerId, clock.instant(), line -> logs.append(build.id(), LogName.ODOO, line.text())));
    }

    private boolean isNewestOfALiveBranch(Build build)
    {
        return projects.findBranch(build.projectId(), build.branch()).isPresent()
                && builds.listBuilds(build.projectId(), build.branch()).stream().allMatch(other -> other.id() <= build.id());
    }

    private static boolean isLiveBuild(Map<Long, Build> live, String buildLabel)
    {
        try {
            return live.containsKey(Long.parseLong(buildLabel));
        }
        catch (NumberFormatException e) {
            return false;
        }
    }

    private void record(Build build, List<String> changes)
    {
        builds.updateBuild(build);
        String message = "Build " + build.id() + " " + build.state().name().toLowerCase(Locale.ROOT) + ": " + build.message().orElse("");
        builds.appendEvent(build, EventKind.BUILD_RECONCILED, message, clock.instant());
        changes.add(message);
    }
}
