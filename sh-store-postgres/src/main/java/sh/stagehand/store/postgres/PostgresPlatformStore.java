package sh.stagehand.store.postgres;

import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.store.postgres.internal.MetadataDatabase;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The platform's records in its own PostgreSQL database (see {@link PostgresConfig#metadataDatabase()}),
 * through Jdbi: one table's statements per collaborator ({@link ProjectTable}, {@link BranchTable},
 * {@link BuildTable}, {@link EventTable}, {@link OutboundMailTable}), sharing one pool. Thread-safe.
 */
public final class PostgresPlatformStore
        implements ProjectStore, BuildStore, OutboundMailStore, AutoCloseable
{
    private final MetadataDatabase database;
    private final ProjectTable projects;
    private final BranchTable branches;
    private final BuildTable builds;
    private final EventTable events;
    private final OutboundMailTable outboundMail;

    /**
     * @param secrets seals the repository tokens, webhook secrets and SMTP passwords it keeps
     * @throws StagehandException {@code INVALID_CONFIGURATION} if the database's secrets were
     *         sealed with another key
     */
    public PostgresPlatformStore(PostgresConfig config, SecretBox secrets)
    {
        requireNonNull(secrets, "secrets is null");
        this.database = new MetadataDatabase(requireNonNull(config, "config is null"), "stagehand-metadata", secrets);
        this.projects = new ProjectTable(database.statements(), secrets);
        this.branches = new BranchTable(database.statements());
        this.builds = new BuildTable(database.statements(), secrets);
        this.events = new EventTable(database.statements());
        this.outboundMail = new OutboundMailTable(database.statements());
        try {
            projects.checkKey(config);
        }
        catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    // The accounts' store shares the connections.
    MetadataDatabase metadata()
    {
        return database;
    }

    @Override
    public void createProject(Project project)
    {
        projects.createProject(project);
    }

    @Override
    public void updateProject(Project project)
    {
        projects.updateProject(project);
    }

    @Override
    public Optional<Project> findProject(String projectId)
    {
        return projects.findProject(projectId);
    }

    @Override
    public List<Project> listProjects()
    {
        return projects.listProjects();
    }

    @Override
    public void saveBranch(Branch branch)
    {
        branches.saveBranch(branch);
    }

    @Override
    public Optional<Branch> changeBranchApps(String projectId, String name, List<String> added, List<String> removed)
    {
        return branches.changeBranchApps(projectId, name, added, removed);
    }

    @Override
    public Optional<Branch> changeAppsToRemove(String projectId, String name, List<String> added, List<String> removed)
    {
        return branches.changeAppsToRemove(projectId, name, added, removed);
    }

    @Override
    public Optional<Branch> findBranch(String projectId, String name)
    {
        return branches.findBranch(projectId, name);
    }

    @Override
    public List<Branch> listBranches(String projectId)
    {
        return branches.listBranches(projectId);
    }

    @Override
    public List<Branch> listBranchesWithDomains()
    {
        return branches.listBranchesWithDomains();
    }

    @Override
    public boolean deleteBranch(String projectId, String name)
    {
        return branches.deleteBranch(projectId, name);
    }

    @Override
    public void recordBranchHead(String projectId, String name, String commitId)
    {
        branches.recordBranchHead(projectId, name, commitId);
    }

    @Override
    public Optional<String> branchHead(String projectId, String name)
    {
        return branches.branchHead(projectId, name);
    }

    @Override
    public void forgetDelivery(String projectId, String deliveryId)
    {
        projects.forgetDelivery(projectId, deliveryId);
    }

    @Override
    public boolean recordDelivery(String projectId, String deliveryId)
    {
        return projects.recordDelivery(projectId, deliveryId);
    }

    @Override
    public Build createBuild(String projectId, String branch, String commitId, Stage stage, String domain, String smtpPassword, Instant createdAt)
    {
        return builds.createBuild(projectId, branch, commitId, stage, domain, smtpPassword, createdAt);
    }

    @Override
    public Optional<Build> findBuild(long buildId)
    {
        return builds.findBuild(buildId);
    }

    @Override
    public void updateBuild(Build build)
    {
        builds.updateBuild(build);
    }

    @Override
    public boolean updateBuildIf(BuildState expected, Build build)
    {
        return builds.updateBuildIf(expected, build);
    }

    @Override
    public List<Build> listBuilds(String projectId, String branch)
    {
        return builds.listBuilds(projectId, branch);
    }

    @Override
    public Map<String, List<Build>> listRecentBuilds(String projectId, int perBranch)
    {
        return builds.listRecentBuilds(projectId, perBranch);
    }

    @Override
    public List<Build> listBuildsInState(Set<BuildState> states)
    {
        return builds.listBuildsInState(states);
    }

    @Override
    public Event appendEvent(Event event)
    {
        return events.appendEvent(event);
    }

    @Override
    public List<Event> listEvents(String projectId, Optional<String> branch, int limit)
    {
        return events.listEvents(projectId, branch, limit);
    }

    @Override
    public OutboundMail enqueue(String projectId, MailMessage message, Instant at)
    {
        return outboundMail.enqueue(projectId, message, at);
    }

    @Override
    public List<OutboundMail> dueMail(Instant now, int limit)
    {
        return outboundMail.dueMail(now, limit);
    }

    @Override
    public int makeAllDue(Instant now)
    {
        return outboundMail.makeAllDue(now);
    }

    @Override
    public void recordAttempt(long id, OutboundMail.State state, Optional<Instant> nextAttemptAt, Optional<String> error, Optional<Instant> finishedAt)
    {
        outboundMail.recordAttempt(id, state, nextAttemptAt, error, finishedAt);
    }

    @Override
    public List<OutboundMail> listOutboundMail(String projectId, int limit)
    {
        return outboundMail.listOutboundMail(projectId, limit);
    }

    @Override
    public Optional<OutboundMail> findOutboundMail(long id)
    {
        return outboundMail.findOutboundMail(id);
    }

    @Override
    public void close()
    {
        database.close();
    }
}
