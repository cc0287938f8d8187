package sh.stagehand.core;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.monitor.HealthProbe;
import sh.stagehand.core.monitor.MonitorSettings;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.MetricStore;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.core.store.UptimeHour;
import sh.stagehand.spi.mail.MailMessage;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.util.Objects.requireNonNull;

/**
 * Watches every production as its users reach it: every {@code monitor.probe-interval} the
 * platform asks the server its host name routes to for {@code /web/health}, and counts each
 * answer in its hour (up; down: no answer within {@code monitor.probe-timeout}, an error, or no
 * server at all; maintenance: an update serving the maintenance page). A production down for
 * {@code monitor.down-alert-after} is an event of its branch's history and a mail to the project's
 * admins that gave an address, through production's mail queue and the relay; once it answers
 * again, another. Thread-safe; rounds are serialized.
 */
public final class ProductionWatch
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(ProductionWatch.class);
    private static final List<Duration> UPTIME_RANGES = List.of(Duration.ofHours(24), Duration.ofDays(7), Duration.ofDays(30));

    private final ProjectStore projects;
    private final BuildStore builds;
    private final HostRouter hosts;
    private final MetricStore store;
    private final AccountService accounts;
    private final OutboundMailStore outbound;
    private final OutboundMailSender sender;
    private final PlatformSettings settings;
    private final MonitorSettings monitor;
    private final Clock clock;
    private final HealthProbe health;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    private final ExecutorService probes = Executors.newFixedThreadPool(4, new ThreadFactoryBuilder().setNameFormat("stagehand-probe-%d").setDaemon(true).build());

    /**
     * Production as the last probe found it.
     *
     * @param since when it began to be so (for down, the first probe that found it so)
     * @param alerted whether its being down was told
     */
    private record Watched(UptimeHour.Probe probe, Instant since, boolean alerted) {}

    /**
     * A production's availability.
     *
     * @param now what the last probe found, empty before the first
     * @param since since when
     * @param uptime for each range (24 h, 7 d, 30 d), the share of its probes that found it up,
     *        maintenance left out; empty without probes
     * @param hours its hours in the last 30 days
     */
    public record Status(String projectId, Optional<UptimeHour.Probe> now, Optional<Instant> since, Map<Duration, Optional<Double>> uptime, List<UptimeHour> hours)
    {
        public Status
        {
            requireNonNull(projectId, "projectId is null");
            requireNonNull(now, "now is null");
            requireNonNull(since, "since is null");
            uptime = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(uptime, "uptime is null")));
            hours = List.copyOf(requireNonNull(hours, "hours is null"));
        }
    }

    ProductionWatch(ProjectStore projects, BuildStore builds, HostRouter hosts, MetricStore store, AccountService accounts, OutboundMailStore outbound, OutboundMailSender sender,
            PlatformSettings settings, MonitorSettings monitor, Clock clock)
    {
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.store = requireNonNull(store, "store is null");
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.outbound = requireNonNull(outbound, "outbound is null");
        this.sender = requireNonNull(sender, "sender is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.monitor = requireNonNull(monitor, "monitor is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.health = new HealthProbe(monitor.probeTimeout());
    }

    /**
     * Probes every project's production once (a project that never had one is left out).
     *
     * @return what each probe found, by project
     */
    public synchronized Map<String, UptimeHour.Probe> probeAll()
    {
        List<Project> listed = projects.listProjects();
        // In parallel, a few at a time: a production that does not answer costs the round its
        // timeout once, not once per project after it.
        Map<String, Future<Optional<UptimeHour.Probe>>> asked = new LinkedHashMap<>();
        for (Project project : listed) {
            asked.put(project.id(), probes.submit(() -> probe(project)));
        }
        Map<String, UptimeHour.Probe> found = new LinkedHashMap<>();
        asked.forEach((projectId, answer) -> {
            try {
                answer.get().ifPresent(probe -> found.put(projectId, probe));
            }
            catch (ExecutionException e) {
                log.warn("Cannot probe the production of {}: {}", projectId, e.getCause().toString());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // What is remembered of a project gone goes with it; a probe that failed forgets nothing.
        watched.keySet().retainAll(listed.stream().map(Project::id).toList());
        return found;
    }

    /**
     * @return the project's production's availability
     */
    public Status status(String projectId)
    {
        Instant now = clock.instant();
        List<UptimeHour> hours = store.uptime(projectId, now.minus(UPTIME_RANGES.get(UPTIME_RANGES.size() - 1)).truncatedTo(ChronoUnit.HOURS), now.plusSeconds(1));
        Map<Duration, Optional<Double>> uptime = new LinkedHashMap<>();
        for (Duration range : UPTIME_RANGES) {
            Instant from = now.minus(range).truncatedTo(ChronoUnit.HOURS);
            long up = hours.stream().filter(hour -> !hour.hour().isBefore(from)).mapToLong(UptimeHour::up).sum();
            long down = hours.stream().filter(hour -> !hour.hour().isBefore(from)).mapToLong(UptimeHour::down).sum();
            uptime.put(range, up + down == 0 ? Optional.empty() : Optional.of((double) up / (up + down)));
        }
        Watched last = watched.get(projectId);
        return new Status(projectId, Optional.ofNullable(last).map(Watched::probe), Optional.ofNullable(last).map(Watched::since), uptime, hours);
    }

    private Optional<UptimeHour.Probe> probe(Project project)
    {
        // A production that serves, or served when last probed: one being created is not down yet.
        Optional<String> branch = productionBranch(project);
        if (branch.isEmpty()) {
            return Optional.empty();
        }
        Optional<Build> production = builds.listBuilds(project.id(), branch.get()).stream()
                .filter(build -> build.stage() == Stage.PRODUCTION)
                .filter(build -> build.state() == BuildState.RUNNING || build.state() == BuildState.UPDATING || watched.containsKey(project.id()))
                .findFirst();
        if (production.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        UptimeHour.Probe probe = hosts.route(BuildNames.productionHostname(project.id(), settings.domain()))
                .map(route -> switch (route.kind()) {
                    case MAINTENANCE -> UptimeHour.Probe.MAINTENANCE;
                    case SERVE -> answers(route.build().orElseThrow()) ? UptimeHour.Probe.UP : UptimeHour.Probe.DOWN;
                    // Production never sleeps: asleep, it would not answer.
                    case NOTHING, ASLEEP -> UptimeHour.Probe.DOWN;
                })
                .orElse(UptimeHour.Probe.DOWN);
        store.recordProbe(project.id(), now, probe);
        react(project.id(), probe, now, production.get());
        return Optional.of(probe);
    }

    private Optional<String> productionBranch(Project project)
    {
        return projects.listBranches(project.id()).stream()
                .filter(branch -> branch.stage() == Stage.PRODUCTION)
                .map(Branch::name)
                .findFirst();
    }

    private boolean answers(Build build)
    {
        return build.serverAddress().map(health::answers).orElse(false);
    }

    // Down long enough: told once; up again after that, told too. An update's maintenance page
    // in the middle of an outage does not end it: only an answer does.
    private void react(String projectId, UptimeHour.Probe probe, Instant now, Build production)
    {
        Watched last = watched.get(projectId);
        if (last != null && last.probe() == UptimeHour.Probe.DOWN && probe == UptimeHour.Probe.MAINTENANCE) {
            return;
        }
        Watched current = last == null || last.probe() != probe ? new Watched(probe, now, false) : last;
        if (last != null && last.alerted() && probe == UptimeHour.Probe.UP) {
            alert(projectId, production, EventKind.PRODUCTION_UP, "Production of " + projectId + " answers again",
                    "Production of %s answers again, after %s without answering (since %s).".formatted(projectId, describe(Duration.between(last.since(), now)), format(last.since())));
        }
        if (probe == UptimeHour.Probe.DOWN && !current.alerted() && Duration.between(current.since(), now).compareTo(monitor.downAlertAfter()) >= 0) {
            alert(projectId, production, EventKind.PRODUCTION_DOWN, "Production of " + projectId + " is down",
                    "Production of %s has not answered the platform's probes since %s (%s).\n\nIts history and logs: %s/#/projects/%s?branch=%s&tab=logs".formatted(projectId,
                            format(current.since()), describe(Duration.between(current.since(), now)), settings.publicUrl().replaceAll("/+$", ""), projectId,
                            URLEncoder.encode(production.branch(), StandardCharsets.UTF_8)));
            current = new Watched(current.probe(), current.since(), true);
        }
        watched.put(projectId, current);
    }

    private void alert(String projectId, Build production, EventKind kind, String subject, String text)
    {
        builds.appendEvent(new Event(0, projectId, Optional.of(production.branch()), Optional.empty(), kind, subject, clock.instant()));
        List<String> recipients = accounts.adminAddresses(projectId);
        if (recipients.isEmpty()) {
            log.info("{}; none of its admins gave a mail address to tell", subject);
            return;
        }
        String from = "noreply@" + settings.domain();
        // One mail to each: no admin learns another's address from it.
        for (String recipient : recipients) {
            queue(projectId, from, recipient, subject, text);
        }
        sender.wake();
        log.info("{}: told {}", subject, recipients);
    }

    private void queue(String projectId, String from, String recipient, String subject, String text)
    {
        String raw = """
                From: Stagehand <%s>\r
                To: %s\r
                Subject: %s\r
                Date: %s\r
                Message-ID: <%s@%s>\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: 8bit\r
                \r
                %s\r
                """.formatted(from, recipient, subject, DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().atZone(ZoneOffset.UTC)),
                UUID.randomUUID(), settings.domain(), text.replace("\n", "\r\n"));
        outbound.enqueue(projectId, new MailMessage("platform", from, List.of(recipient), raw.getBytes(StandardCharsets.UTF_8), subject, "Stagehand <" + from + ">", recipient,
                Optional.of(text), Optional.empty()), clock.instant());
    }

    private static String format(Instant at)
    {
        return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
    }

    private static String describe(Duration duration)
    {
        long minutes = duration.toMinutes();
        return minutes < 1 ? duration.toSeconds() + " s" : minutes < 120 ? minutes + " min" : duration.toHours() + " h";
    }

    @Override
    public void close()
    {
        probes.shutdownNow();
    }
}
