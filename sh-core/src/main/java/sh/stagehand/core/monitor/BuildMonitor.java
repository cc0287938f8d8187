package sh.stagehand.core.monitor;

import sh.stagehand.core.build.Build;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildSample;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.MetricStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A build's samples over a time range, with its branch's events as annotations (pushes, updates,
 * imports, restores): what the Monitor tab draws. Production's builds replace each other, so a
 * production build's series is its branch's, across updates; another build's is its own. A range
 * within {@code monitor.raw-retention} is answered with the raw samples, a longer one with hours.
 * Also compacts the store: raw samples older than the retention rolled up into their hours, and
 * hours older than theirs deleted. Thread-safe.
 */
public final class BuildMonitor
{
    /** The longest range asked for: the hours are kept no longer by default. */
    public static final Duration MAX_RANGE = Duration.ofDays(90);
    private static final Set<EventKind> ANNOTATED = EnumSet.of(EventKind.PUSH, EventKind.STAGE_CHANGED, EventKind.REBUILD_REQUESTED, EventKind.PRODUCTION_UPDATED,
            EventKind.PRODUCTION_ROLLED_BACK, EventKind.PRODUCTION_RESTARTED, EventKind.STAGING_COPIED, EventKind.MERGED, EventKind.BACKUP_RESTORED, EventKind.DATABASE_IMPORTED);
    private static final int MAX_ANNOTATIONS = 200;

    private final MetricStore store;
    private final BuildStore builds;
    private final MonitorSettings settings;
    private final Clock clock;

    /**
     * A build's series.
     *
     * @param hourly whether the samples are hours rolled up
     * @param annotations the branch's events in the range, oldest first
     */
    public record Series(Build build, Instant from, Instant to, Duration sampleInterval, boolean hourly, List<BuildSample> samples, List<Event> annotations)
    {
        public Series
        {
            requireNonNull(build, "build is null");
            requireNonNull(from, "from is null");
            requireNonNull(to, "to is null");
            requireNonNull(sampleInterval, "sampleInterval is null");
            samples = List.copyOf(requireNonNull(samples, "samples is null"));
            annotations = List.copyOf(requireNonNull(annotations, "annotations is null"));
        }
    }

    public BuildMonitor(MetricStore store, BuildStore builds, MonitorSettings settings, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @param range how far back from now, at most {@link #MAX_RANGE}
     */
    public Series series(Build build, Duration range)
    {
        if (range.isNegative() || range.isZero() || range.compareTo(MAX_RANGE) > 0) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A monitoring range is from 1 s to " + MAX_RANGE.toDays() + " days back, not "
                    + (range.toHours() >= 48 ? range.toDays() + " days" : range.toSeconds() + " s") + "; use e.g. 1h, 24h, 7d or 30d");
        }
        Instant to = clock.instant();
        Instant from = to.minus(range);
        OptionalLong buildId = build.stage() == Stage.PRODUCTION ? OptionalLong.empty() : OptionalLong.of(build.id());
        boolean hourly = range.compareTo(settings.rawRetention()) > 0;
        List<BuildSample> samples;
        if (hourly) {
            // The hours kept, then those of the raw samples not rolled up yet; production's builds
            // of one hour (an update's) merged into one.
            List<BuildSample> hours = new ArrayList<>(store.samples(build.projectId(), build.branch(), buildId, HourlyRollup.hourOf(from), to, true));
            Instant rolledUntil = hours.isEmpty() ? HourlyRollup.hourOf(from) : hours.get(hours.size() - 1).at().plus(Duration.ofHours(1));
            hours.addAll(HourlyRollup.rollUp(store.samples(build.projectId(), build.branch(), buildId, rolledUntil, to, false)));
            samples = HourlyRollup.rollUp(hours, buildId.isEmpty());
        }
        else {
            samples = store.samples(build.projectId(), build.branch(), buildId, from, to, false);
        }
        List<Event> annotations = builds.listEvents(build.projectId(), Optional.of(build.branch()), MAX_ANNOTATIONS).stream()
                .filter(event -> ANNOTATED.contains(event.kind()) && !event.at().isBefore(from))
                .sorted(Comparator.comparing(Event::at))
                .toList();
        return new Series(build, from, to, settings.sampleInterval(), hourly, samples, annotations);
    }

    /**
     * Rolls the raw samples older than {@code monitor.raw-retention} (whole hours of them) up into
     * hours, and deletes the hours older than {@code monitor.hourly-retention}.
     *
     * @return the hours rolled up
     */
    public synchronized int compact()
    {
        Instant now = clock.instant();
        Instant rawBefore = HourlyRollup.hourOf(now.minus(settings.rawRetention()));
        List<BuildSample> hours = HourlyRollup.rollUp(store.rawSamplesBefore(rawBefore));
        store.compact(hours, rawBefore, now.minus(settings.hourlyRetention()));
        store.forgetUptime(now.minus(settings.hourlyRetention()));
        return hours.size();
    }
}
