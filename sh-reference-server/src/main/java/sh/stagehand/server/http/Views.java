package sh.stagehand.server.http;

import sh.stagehand.core.AppActions;
import sh.stagehand.core.BuildApps;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.mail.BuildMail;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.monitor.BuildMonitor;
import sh.stagehand.core.production.ProductionBackups;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.store.BuildSample;
import sh.stagehand.core.store.Event;
import sh.stagehand.spi.mail.CapturedMail;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What the API shows of the platform's records: never a secret (tokens, webhook secrets, SMTP
 * passwords), except a new project's webhook secret, once, to its creator.
 */
final class Views
{
    private Views() {}

    /**
     * @param deployKey the public half of the project's ssh key, for its customer to add to the
     *         repository as a read-only deploy key (never the private half)
     */
    record ProjectView(String id, String repositoryUrl, String webhookUrl, String webhookSecret, String gitUrl, String createdAt, String trialEndsAt, String deployKey)
    {
        ProjectView withGitUrl(String url)
        {
            return new ProjectView(id, url, webhookUrl, webhookSecret, url, createdAt, trialEndsAt, deployKey);
        }

        ProjectView withRepositoryUrl(String url)
        {
            return new ProjectView(id, url, webhookUrl, webhookSecret, gitUrl, createdAt, trialEndsAt, deployKey);
        }
    }

    record BranchView(String name, String stage, String moduleSelection, List<String> modules, String testTags, boolean crons, String onNewCommit, List<String> domains,
            List<String> apps, List<String> appsToRemove) {}

    record BuildView(long id, String project, String branch, String commit, String stage, String state, String verdict, String database, String hostname,
            Integer port, String url, String message, String createdAt, String startedAt, String finishedAt) {}

    record CommitView(String commit, String message, String author) {}

    record BranchOverviewView(BranchView branch, CommitView head, List<BuildView> builds, String hostname, List<String> tools) {}

    static BranchOverviewView overview(sh.stagehand.core.ProjectService.BranchOverview overview, java.util.Set<sh.stagehand.core.access.Tool> tools)
    {
        return new BranchOverviewView(branch(overview.branch()),
                overview.head().map(commit -> new CommitView(commit.commitId(), commit.message().lines().findFirst().orElse(""), commit.authorName())).orElse(null),
                overview.builds().stream().map(Views::build).toList(), overview.hostname(),
                tools.stream().sorted().map(tool -> tool.name().toLowerCase(java.util.Locale.ROOT)).toList());
    }

    record AccountView(String login, String name, boolean platformAdmin, String createdAt, Map<String, String> roles, String csrfToken, String email) {}

    static AccountView account(sh.stagehand.core.access.Account account, Map<String, sh.stagehand.core.access.Role> roles, String csrfToken)
    {
        Map<String, String> named = new java.util.TreeMap<>();
        roles.forEach((project, role) -> named.put(project, role.name()));
        return new AccountView(account.login(), account.name(), account.platformAdmin(), account.createdAt().toString(), named, csrfToken, account.email().orElse(null));
    }

    record TokenView(String id, String name, String createdAt, String lastUsedAt, String revokedAt, String token) {}

    static TokenView token(sh.stagehand.core.access.ApiToken token, String secret)
    {
        return new TokenView(token.id(), token.name(), token.createdAt().toString(), token.lastUsedAt().map(Object::toString).orElse(null),
                token.revokedAt().map(Object::toString).orElse(null), secret);
    }

    record SshKeyView(String fingerprint, String type, String title, String publicKey, String addedAt) {}

    static SshKeyView sshKey(sh.stagehand.core.access.SshKey key)
    {
        return new SshKeyView(key.fingerprint(), key.type(), key.title(), key.publicKey(), key.addedAt().toString());
    }

    record CollaboratorView(String login, String role) {}

    record AuditView(long id, String actor, String action, String detail, String at) {}

    static AuditView audit(sh.stagehand.core.access.AuditEvent event)
    {
        return new AuditView(event.id(), event.actor(), event.action().name(), event.detail(), event.at().toString());
    }

    record EventView(long id, String branch, Long build, String kind, String message, String at) {}

    /**
     * A mail of a build; for production's, where its delivery through the relay stands: {@code delivery}
     * QUEUED, SENT or BOUNCED (absent for caught mail), the relay's last answer, when it is tried next
     * or when it finished.
     */
    record MailView(String id, String receivedAt, String envelopeFrom, List<String> recipients, String subject, String from, String to, String text, String html,
            String delivery, Integer attempts, String deliveryNote, String nextAttemptAt, String finishedAt) {}

    record BackupView(String id, String kind, String createdAt, String commit, String database, long dumpBytes, int chunks, int files, long filestoreBytes, int sessions,
            List<String> logs, Map<String, Object> odooManifest, String verification, List<String> problems, List<String> leftOut) {}

    static BackupView backup(Backup backup, Optional<ProductionBackups.Verification> verification)
    {
        return new BackupView(backup.id(), backup.kind().name(), backup.createdAt().toString(), backup.commitId().orElse(null), backup.database(),
                backup.dump().sizeBytes(), backup.dump().chunks().size(), backup.files().size(), backup.filestoreBytes(), backup.sessions().size(),
                List.copyOf(new java.util.TreeSet<>(backup.logs().keySet())), backup.odooManifest(),
                verification.map(checked -> checked.passed() ? "PASSED" : "FAILED").orElse("NOT_CHECKED"), verification.map(ProductionBackups.Verification::problems).orElse(List.of()),
                backup.leftOut());
    }

    static ProjectView project(Project project, String publicUrl, boolean withSecret)
    {
        return new ProjectView(project.id(), project.repositoryUrl(), publicUrl + "/webhooks/github/" + project.id(), withSecret ? project.webhookSecret() : null, null,
                project.createdAt().toString(), project.trialEndsAt().map(Object::toString).orElse(null), project.deployKey().map(sh.stagehand.spi.vcs.DeployKey::publicKey).orElse(null));
    }

    static BranchView branch(Branch branch)
    {
        return new BranchView(branch.name(), branch.stage().name(), branch.moduleSelection().name(), branch.explicitModules(), branch.testTags().orElse(null), branch.cronsEnabled(), branch.onNewCommit().name(),
                branch.domains(), branch.apps(), branch.appsToRemove());
    }

    record AppView(String name, String title, String summary, String category, boolean application, String state, boolean installed, boolean fromBranch, boolean chosen,
            boolean toRemove) {}

    static AppView app(BuildApps.App app)
    {
        return new AppView(app.name(), app.title(), app.summary(), app.category(), app.application(), app.state(), app.installed(), app.fromBranch(), app.chosen(),
                app.toRemove());
    }

    record ProgressView(String module, String operation, String who, String state, String message, List<String> lastLines, String startedAt, String finishedAt) {}

    static ProgressView progress(BuildApps.Progress progress)
    {
        return new ProgressView(progress.module(), progress.operation().name(), progress.who(), progress.state().name(), progress.message(), progress.lastLines(),
                progress.startedAt().toString(), progress.finishedAt().map(Object::toString).orElse(null));
    }

    /**
     * @param progress the install or uninstall in the build, running (development, staging)
     * @param update production's build that installs or uninstalls the app, queued
     */
    record StartedView(String module, ProgressView progress, BuildView update) {}

    static StartedView started(AppActions.Started started)
    {
        return new StartedView(started.module(), started.progress().map(Views::progress).orElse(null), started.update().map(Views::build).orElse(null));
    }

    /**
     * A sample: rates are the client's to compute (a count over {@code periodSeconds}); a figure the
     * platform could not read is null.
     */
    record SampleView(String at, double periodSeconds, Double cpus, Long memoryBytes, Long databaseBytes, Long filestoreBytes, long successes, long errors, long limited,
            Double p50Millis, Double p95Millis, int concurrent, long mailsSent, long mailsCaught) {}

    record SeriesView(long build, String project, String branch, String stage, String from, String to, long sampleIntervalSeconds, boolean hourly, List<SampleView> samples,
            List<EventView> annotations) {}

    static SeriesView series(BuildMonitor.Series series)
    {
        Build build = series.build();
        return new SeriesView(build.id(), build.projectId(), build.branch(), build.stage().name(), series.from().toString(), series.to().toString(),
                series.sampleInterval().toSeconds(), series.hourly(), series.samples().stream().map(Views::sample).toList(),
                series.annotations().stream().map(Views::event).toList());
    }

    private static SampleView sample(BuildSample sample)
    {
        return new SampleView(sample.at().toString(), sample.period().toMillis() / 1000.0, boxed(sample.cpus()), boxed(sample.memoryBytes()), boxed(sample.databaseBytes()),
                boxed(sample.filestoreBytes()), sample.successes(), sample.errors(), sample.limited(), boxed(sample.p50Millis()), boxed(sample.p95Millis()),
                sample.concurrent(), sample.mailsSent(), sample.mailsCaught());
    }

    private static Double boxed(OptionalDouble value)
    {
        return value.isPresent() ? value.getAsDouble() : null;
    }

    private static Long boxed(OptionalLong value)
    {
        return value.isPresent() ? value.getAsLong() : null;
    }

    static BuildView build(Build build)
    {
        return new BuildView(build.id(), build.projectId(), build.branch(), build.commitId(), build.stage().name(), build.state().name(),
                build.verdict().map(Enum::name).orElse(null), build.databaseName(), build.hostname(), build.hostPort().orElse(null),
                build.serverAddress().map(address -> "http://" + address + "/web/login").orElse(null), build.message().orElse(null),
                build.createdAt().toString(), build.startedAt().map(Object::toString).orElse(null), build.finishedAt().map(Object::toString).orElse(null));
    }

    static EventView event(Event event)
    {
        return new EventView(event.id(), event.branch().orElse(null), event.buildId().orElse(null), event.kind().name(), event.message(), event.at().toString());
    }

    static MailView mail(BuildMail buildMail)
    {
        CapturedMail mail = buildMail.mail();
        Optional<OutboundMail> outbound = buildMail.outbound();
        return new MailView(mail.id(), mail.receivedAt().toString(), mail.message().envelopeFrom(), mail.message().envelopeRecipients(), mail.message().subject(),
                mail.message().from(), mail.message().to(), mail.message().textBody().orElse(null), mail.message().htmlBody().orElse(null),
                outbound.map(out -> out.state().name()).orElse(null), outbound.map(OutboundMail::attempts).orElse(null),
                outbound.flatMap(OutboundMail::lastError).orElse(null),
                outbound.flatMap(OutboundMail::nextAttemptAt).map(Object::toString).orElse(null),
                outbound.flatMap(OutboundMail::finishedAt).map(Object::toString).orElse(null));
    }
}
