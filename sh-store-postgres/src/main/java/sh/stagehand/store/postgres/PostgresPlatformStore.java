package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.store.postgres.internal.MailRows;
import sh.stagehand.store.postgres.internal.MetadataDatabase;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.isUniqueViolation;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * The platform's records in its own PostgreSQL database (see {@link PostgresConfig#metadataDatabase()}),
 * through Jdbi. Thread-safe.
 */
public final class PostgresPlatformStore
        implements ProjectStore, BuildStore, OutboundMailStore, AutoCloseable
{
    private final MetadataDatabase database;
    private final Jdbi jdbi;
    private final SecretBox secrets;

    /**
     * @param secrets seals the repository tokens, webhook secrets and SMTP passwords it keeps
     * @throws StagehandException {@code INVALID_CONFIGURATION} if the database's secrets were
     *         sealed with another key
     */
    public PostgresPlatformStore(PostgresConfig config, SecretBox secrets)
    {
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.database = new MetadataDatabase(requireNonNull(config, "config is null"), "stagehand-metadata", secrets);
        this.jdbi = database.jdbi();
        try {
            checkKey(config);
        }
        catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    // A wrong key file is said at start, not at the first webhook or build.
    private void checkKey(PostgresConfig config)
    {
        Optional<Map.Entry<String, String>> sealed = run("read a sealed secret", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT id, webhook_secret FROM project ORDER BY id LIMIT 1")
                .map((rs, context) -> Map.entry(rs.getString("id"), rs.getString("webhook_secret")))
                .findOne()));
        if (sealed.isPresent()) {
            try {
                secrets.open(sealed.get().getValue(), webhookSecret(sealed.get().getKey()));
            }
            catch (StagehandException e) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "The secrets in the metadata database " + config.metadataDatabase()
                        + " do not open with the key in " + secrets.keyFile() + " (" + SecretBox.KEY_FILE + "): put back the key file the platform created with this database; "
                        + "without it the repository tokens, webhook secrets and SMTP passwords it keeps are lost", e);
            }
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
        run("create project " + project.id(), () -> {
            try {
                jdbi.useHandle(handle -> handle.createUpdate("""
                                INSERT INTO project (id, repository_url, repository_token, webhook_secret, created_at, trial_ends_at, deploy_public_key, deploy_private_key, hosted_url)
                                VALUES (:id, :url, :token, :secret, :createdAt, :trialEndsAt, :deployPublicKey, :deployPrivateKey, :hostedUrl)
                                """)
                        .bind("deployPublicKey", project.deployKey().map(DeployKey::publicKey).orElse(null))
                        .bind("deployPrivateKey", project.deployKey().map(key -> secrets.seal(key.privateKey(), deployPrivateKey(project.id()))).orElse(null))
                        .bind("hostedUrl", project.hostedUrl().orElse(null))
                        .bind("trialEndsAt", project.trialEndsAt().map(Timestamp::from).orElse(null))
                        .bind("id", project.id())
                        .bind("url", project.repositoryUrl())
                        .bind("token", project.repositoryToken().map(token -> secrets.seal(token, repositoryToken(project.id()))).orElse(null))
                        .bind("secret", secrets.seal(project.webhookSecret(), webhookSecret(project.id())))
                        .bind("createdAt", Timestamp.from(project.createdAt()))
                        .execute());
            }
            catch (JdbiException e) {
                if (isUniqueViolation(e)) {
                    throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Project " + project.id() + " exists already; pick another id", e);
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public void updateProject(Project project)
    {
        run("update project " + project.id(), () -> {
            int updated = jdbi.withHandle(handle -> handle.createUpdate("""
                            UPDATE project SET trial_ends_at = :trialEndsAt, deploy_public_key = :deployPublicKey, deploy_private_key = :deployPrivateKey WHERE id = :id
                            """)
                    .bind("id", project.id())
                    .bind("deployPublicKey", project.deployKey().map(DeployKey::publicKey).orElse(null))
                    .bind("deployPrivateKey", project.deployKey().map(key -> secrets.seal(key.privateKey(), deployPrivateKey(project.id()))).orElse(null))
                    .bind("trialEndsAt", project.trialEndsAt().map(Timestamp::from).orElse(null))
                    .execute());
            if (updated == 0) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + project.id() + " to update");
            }
            return null;
        });
    }

    @Override
    public Optional<Project> findProject(String projectId)
    {
        return run("find project " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM project WHERE id = :id")
                .bind("id", projectId)
                .map(this::project)
                .findOne()));
    }

    @Override
    public List<Project> listProjects()
    {
        return run("list projects", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM project ORDER BY id")
                .map(this::project)
                .list()));
    }

    @Override
    public void saveBranch(Branch branch)
    {
        run("save branch " + branch.projectId() + "/" + branch.name(), () -> jdbi.inTransaction(handle -> {
            try {
                handle.createUpdate("""
                                INSERT INTO branch (project_id, name, stage, module_selection, explicit_modules, test_tags, crons_enabled, on_new_commit)
                                VALUES (:project, :name, :stage, :selection, :modules, :tags, :crons, :onNewCommit)
                                ON CONFLICT (project_id, name) DO UPDATE SET
                                    stage = excluded.stage,
                                    module_selection = excluded.module_selection,
                                    explicit_modules = excluded.explicit_modules,
                                    test_tags = excluded.test_tags,
                                    crons_enabled = excluded.crons_enabled,
                                    on_new_commit = excluded.on_new_commit
                                """)
                        .bind("project", branch.projectId())
                        .bind("name", branch.name())
                        .bind("stage", branch.stage().name())
                        .bind("selection", branch.moduleSelection().name())
                        .bind("modules", branch.explicitModules().toArray(String[]::new))
                        .bind("tags", branch.testTags().orElse(null))
                        .bind("crons", branch.cronsEnabled())
                        .bind("onNewCommit", branch.onNewCommit().name())
                        .execute();
            }
            catch (JdbiException e) {
                if (isUniqueViolation(e)) {
                    throw new StagehandException(StandardErrorCode.CONFLICT, "Project " + branch.projectId() + " has a production branch already; move it to another stage first", e);
                }
                throw e;
            }
            saveDomains(handle, branch);
            return null;
        }));
    }

    private static void saveDomains(Handle handle, Branch branch)
    {
        handle.createUpdate("DELETE FROM branch_domain WHERE project_id = :project AND branch_name = :name")
                .bind("project", branch.projectId())
                .bind("name", branch.name())
                .execute();
        for (int position = 0; position < branch.domains().size(); position++) {
            String domain = branch.domains().get(position);
            int inserted = handle.createUpdate("""
                            INSERT INTO branch_domain (domain, project_id, branch_name, position) VALUES (:domain, :project, :name, :position)
                            ON CONFLICT (domain) DO NOTHING
                            """)
                    .bind("domain", domain)
                    .bind("project", branch.projectId())
                    .bind("name", branch.name())
                    .bind("position", position)
                    .execute();
            if (inserted == 0) {
                // Named only within the project: another project's branches are not this caller's to learn.
                Optional<String> owner = handle.createQuery("SELECT branch_name FROM branch_domain WHERE domain = :domain AND project_id = :project")
                        .bind("domain", domain)
                        .bind("project", branch.projectId())
                        .mapTo(String.class)
                        .findOne();
                throw new StagehandException(StandardErrorCode.CONFLICT, "Domain " + domain + " is already a custom domain of " + owner.map(name -> "branch " + name).orElse("another project")
                        + "; remove it there first");
            }
        }
    }

    @Override
    public Optional<Branch> findBranch(String projectId, String name)
    {
        return run("find branch " + projectId + "/" + name, () -> jdbi.withHandle(handle -> handle.createQuery(SELECT_BRANCH + " WHERE b.project_id = :project AND b.name = :name")
                .bind("project", projectId)
                .bind("name", name)
                .map(PostgresPlatformStore::branch)
                .findOne()));
    }

    @Override
    public List<Branch> listBranches(String projectId)
    {
        return run("list branches of " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery(SELECT_BRANCH + " WHERE b.project_id = :project ORDER BY b.name COLLATE \"C\"")
                .bind("project", projectId)
                .map(PostgresPlatformStore::branch)
                .list()));
    }

    @Override
    public List<Branch> listBranchesWithDomains()
    {
        return run("list branches with custom domains", () -> jdbi.withHandle(handle -> handle.createQuery(SELECT_BRANCH
                        + " WHERE EXISTS (SELECT 1 FROM branch_domain d WHERE d.project_id = b.project_id AND d.branch_name = b.name) ORDER BY b.project_id, b.name COLLATE \"C\"")
                .map(PostgresPlatformStore::branch)
                .list()));
    }

    @Override
    public boolean deleteBranch(String projectId, String name)
    {
        return run("delete branch " + projectId + "/" + name, () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM branch WHERE project_id = :project AND name = :name")
                .bind("project", projectId)
                .bind("name", name)
                .execute() > 0));
    }

    @Override
    public void recordBranchHead(String projectId, String name, String commitId)
    {
        run("record the head of " + projectId + "/" + name, () -> jdbi.withHandle(handle -> handle.createUpdate("UPDATE branch SET head_commit = :commit WHERE project_id = :project AND name = :name")
                .bind("project", projectId)
                .bind("name", name)
                .bind("commit", commitId)
                .execute()));
    }

    @Override
    public Optional<String> branchHead(String projectId, String name)
    {
        return run("read the head of " + projectId + "/" + name, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT head_commit FROM branch WHERE project_id = :project AND name = :name")
                .bind("project", projectId)
                .bind("name", name)
                .mapTo(String.class)
                .findOne()
                .flatMap(Optional::ofNullable)));
    }

    @Override
    public void forgetDelivery(String projectId, String deliveryId)
    {
        run("forget webhook delivery " + deliveryId, () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM webhook_delivery WHERE project_id = :project AND delivery_id = :delivery")
                .bind("project", projectId)
                .bind("delivery", deliveryId)
                .execute()));
    }

    @Override
    public boolean recordDelivery(String projectId, String deliveryId)
    {
        return run("record webhook delivery " + deliveryId, () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO webhook_delivery (project_id, delivery_id) VALUES (:project, :delivery)
                        ON CONFLICT DO NOTHING
                        """)
                .bind("project", projectId)
                .bind("delivery", deliveryId)
                .execute() > 0));
    }

    @Override
    public Build createBuild(String projectId, String branch, String commitId, Stage stage, String domain, String smtpPassword, Instant createdAt)
    {
        return run("create a build of " + projectId + "/" + branch, () -> jdbi.inTransaction(handle -> {
            long id = handle.createQuery("SELECT nextval(pg_get_serial_sequence('build', 'id'))").mapTo(Long.class).one();
            handle.createUpdate("""
                            INSERT INTO build (id, project_id, branch, commit_id, stage, state, database_name, hostname, smtp_password, created_at)
                            VALUES (:id, :project, :branch, :commit, :stage, :state, :database, :hostname, :smtp, :createdAt)
                            """)
                    .bind("id", id)
                    .bind("project", projectId)
                    .bind("branch", branch)
                    .bind("commit", commitId)
                    .bind("stage", stage.name())
                    .bind("state", BuildState.QUEUED.name())
                    .bind("database", BuildNames.databaseName(projectId, branch, id))
                    .bind("hostname", BuildNames.hostname(projectId, branch, id, domain))
                    .bind("smtp", secrets.seal(smtpPassword, smtpPassword(id)))
                    .bind("createdAt", Timestamp.from(createdAt))
                    .execute();
            return handle.createQuery("SELECT * FROM build WHERE id = :id").bind("id", id).map(this::build).one();
        }));
    }

    @Override
    public Optional<Build> findBuild(long buildId)
    {
        return run("find build " + buildId, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM build WHERE id = :id")
                .bind("id", buildId)
                .map(this::build)
                .findOne()));
    }

    @Override
    public void updateBuild(Build build)
    {
        if (update(build, Optional.empty()) == 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + build.id() + " to update");
        }
    }

    @Override
    public boolean updateBuildIf(BuildState expected, Build build)
    {
        return update(build, Optional.of(expected)) > 0;
    }

    private int update(Build build, Optional<BuildState> expected)
    {
        return run("update build " + build.id(), () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE build SET state = :state, verdict = :verdict, container_id = :container, host_port = :port, message = :message,
                            started_at = :startedAt, finished_at = :finishedAt, database_name = :databaseName, hostname = :hostname
                        WHERE id = :id AND (CAST(:expected AS text) IS NULL OR state = :expected)
                        """)
                .bind("id", build.id())
                .bind("expected", expected.map(Enum::name).orElse(null))
                .bind("state", build.state().name())
                .bind("databaseName", build.databaseName())
                .bind("hostname", build.hostname())
                .bind("verdict", build.verdict().map(Enum::name).orElse(null))
                .bind("container", build.containerId().orElse(null))
                .bind("port", build.hostPort().orElse(null))
                .bind("message", build.message().orElse(null))
                .bind("startedAt", build.startedAt().map(Timestamp::from).orElse(null))
                .bind("finishedAt", build.finishedAt().map(Timestamp::from).orElse(null))
                .execute()));
    }

    @Override
    public List<Build> listBuilds(String projectId, String branch)
    {
        return run("list builds of " + projectId + "/" + branch, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM build WHERE project_id = :project AND branch = :branch ORDER BY id DESC")
                .bind("project", projectId)
                .bind("branch", branch)
                .map(this::build)
                .list()));
    }

    @Override
    public Map<String, List<Build>> listRecentBuilds(String projectId, int perBranch)
    {
        return run("list recent builds of " + projectId, () -> jdbi.withHandle(handle -> {
            Map<String, List<Build>> recent = new TreeMap<>();
            handle.createQuery("""
                            SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY branch ORDER BY id DESC) AS recency FROM build WHERE project_id = :project) AS ranked
                            WHERE recency <= :perBranch ORDER BY id DESC
                            """)
                    .bind("project", projectId)
                    .bind("perBranch", perBranch)
                    .map(this::build)
                    .forEach(build -> recent.computeIfAbsent(build.branch(), branch -> new ArrayList<>()).add(build));
            return recent;
        }));
    }

    @Override
    public List<Build> listBuildsInState(Set<BuildState> states)
    {
        return run("list builds by state", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM build WHERE state = ANY(:states) ORDER BY id")
                .bind("states", states.stream().map(Enum::name).toArray(String[]::new))
                .map(this::build)
                .list()));
    }

    @Override
    public Event appendEvent(Event event)
    {
        return run("append an event to " + event.projectId(), () -> jdbi.withHandle(handle -> handle.createQuery("""
                        INSERT INTO event (project_id, branch, build_id, kind, message, at)
                        VALUES (:project, :branch, :build, :kind, :message, :at)
                        RETURNING *
                        """)
                .bind("project", event.projectId())
                .bind("branch", event.branch().orElse(null))
                .bind("build", event.buildId().orElse(null))
                .bind("kind", event.kind().name())
                .bind("message", event.message())
                .bind("at", Timestamp.from(event.at()))
                .map(PostgresPlatformStore::event)
                .one()));
    }

    @Override
    public List<Event> listEvents(String projectId, Optional<String> branch, int limit)
    {
        return run("list events of " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT * FROM event
                        WHERE project_id = :project AND (CAST(:branch AS text) IS NULL OR branch = :branch)
                        ORDER BY id DESC LIMIT :limit
                        """)
                .bind("project", projectId)
                .bind("branch", branch.orElse(null))
                .bind("limit", limit)
                .map(PostgresPlatformStore::event)
                .list()));
    }

    @Override
    public OutboundMail enqueue(String projectId, MailMessage message, Instant at)
    {
        return run("queue a mail of build " + message.buildId(), () -> jdbi.withHandle(handle -> MailRows.bind(handle.createQuery(
                                "INSERT INTO outbound_mail (project_id, queued_at, state, next_attempt_at, " + MailRows.COLUMNS + ") "
                                        + "VALUES (:project, :at, 'QUEUED', :at, " + MailRows.VALUES + ") RETURNING *"), message)
                .bind("project", projectId)
                .bind("at", Timestamp.from(at))
                .map(PostgresPlatformStore::outboundMail)
                .one()));
    }

    @Override
    public List<OutboundMail> dueMail(Instant now, int limit)
    {
        return run("read the due production mail", () -> jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT * FROM outbound_mail WHERE state = 'QUEUED' AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit
                        """)
                .bind("now", Timestamp.from(now))
                .bind("limit", limit)
                .map(PostgresPlatformStore::outboundMail)
                .list()));
    }

    @Override
    public int makeAllDue(Instant now)
    {
        return run("make the queued production mail due", () -> jdbi.withHandle(handle -> handle.createUpdate("UPDATE outbound_mail SET next_attempt_at = :now WHERE state = 'QUEUED'")
                .bind("now", Timestamp.from(now))
                .execute()));
    }

    @Override
    public void recordAttempt(long id, OutboundMail.State state, Optional<Instant> nextAttemptAt, Optional<String> error, Optional<Instant> finishedAt)
    {
        int updated = run("record a delivery of production mail " + id, () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE outbound_mail SET state = :state, attempts = attempts + 1, next_attempt_at = :next, last_error = :error, finished_at = :finished
                        WHERE id = :id
                        """)
                .bind("id", id)
                .bind("state", state.name())
                .bind("next", nextAttemptAt.map(Timestamp::from).orElse(null))
                .bind("error", error.orElse(null))
                .bind("finished", finishedAt.map(Timestamp::from).orElse(null))
                .execute()));
        if (updated == 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No outbound mail " + id);
        }
    }

    @Override
    public List<OutboundMail> listOutboundMail(String projectId, int limit)
    {
        return run("list the production mail of " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM outbound_mail WHERE project_id = :project ORDER BY id DESC LIMIT :limit")
                .bind("project", projectId)
                .bind("limit", limit)
                .map(PostgresPlatformStore::outboundMail)
                .list()));
    }

    @Override
    public Optional<OutboundMail> findOutboundMail(long id)
    {
        return run("read production mail " + id, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM outbound_mail WHERE id = :id")
                .bind("id", id)
                .map(PostgresPlatformStore::outboundMail)
                .findOne()));
    }

    private static OutboundMail outboundMail(ResultSet rs, StatementContext context)
            throws SQLException
    {
        MailMessage message = MailRows.message(rs);
        return new OutboundMail(
                rs.getString("project_id"),
                new CapturedMail(Long.toString(rs.getLong("id")), rs.getTimestamp("queued_at").toInstant(), message),
                OutboundMail.State.valueOf(rs.getString("state")),
                rs.getInt("attempts"),
                Optional.ofNullable(rs.getTimestamp("next_attempt_at")).map(Timestamp::toInstant),
                Optional.ofNullable(rs.getString("last_error")),
                Optional.ofNullable(rs.getTimestamp("finished_at")).map(Timestamp::toInstant));
    }

    @Override
    public void close()
    {
        database.close();
    }

    // A branch with its custom domains, in the order they were given.
    private static final String SELECT_BRANCH = """
            SELECT b.*, ARRAY(SELECT d.domain FROM branch_domain d WHERE d.project_id = b.project_id AND d.branch_name = b.name ORDER BY d.position) AS domains
            FROM branch b""";


    private Project project(ResultSet rs, StatementContext context)
            throws SQLException
    {
        String id = rs.getString("id");
        String deployPublicKey = rs.getString("deploy_public_key");
        Optional<DeployKey> deployKey = deployPublicKey == null ? Optional.empty()
                : Optional.of(new DeployKey(deployPublicKey, secrets.open(rs.getString("deploy_private_key"), deployPrivateKey(id))));
        return new Project(id, rs.getString("repository_url"), Optional.ofNullable(rs.getString("repository_token")).map(token -> secrets.open(token, repositoryToken(id))),
                secrets.open(rs.getString("webhook_secret"), webhookSecret(id)), rs.getTimestamp("created_at").toInstant(),
                Optional.ofNullable(rs.getTimestamp("trial_ends_at")).map(Timestamp::toInstant), deployKey, Optional.ofNullable(rs.getString("hosted_url")));
    }

    // What each sealed secret belongs to, sealed with it: a value copied onto another row does not open.
    private static String repositoryToken(String projectId)
    {
        return SecretBox.context("project", "repository_token", projectId);
    }

    private static String webhookSecret(String projectId)
    {
        return SecretBox.context("project", "webhook_secret", projectId);
    }

    private static String deployPrivateKey(String projectId)
    {
        return SecretBox.context("project", "deploy_private_key", projectId);
    }

    private static String smtpPassword(long buildId)
    {
        return SecretBox.context("build", "smtp_password", buildId);
    }

    private static Branch branch(ResultSet rs, StatementContext context)
            throws SQLException
    {
        Array modules = rs.getArray("explicit_modules");
        return new Branch(rs.getString("project_id"), rs.getString("name"), Stage.valueOf(rs.getString("stage")),
                ModuleSelection.valueOf(rs.getString("module_selection")), List.of((String[]) modules.getArray()), Optional.ofNullable(rs.getString("test_tags")),
                rs.getBoolean("crons_enabled"), OnNewCommit.valueOf(rs.getString("on_new_commit")), List.of((String[]) rs.getArray("domains").getArray()));
    }

    private Build build(ResultSet rs, StatementContext context)
            throws SQLException
    {
        long id = rs.getLong("id");
        int port = rs.getInt("host_port");
        Optional<Integer> hostPort = rs.wasNull() ? Optional.empty() : Optional.of(port);
        return new Build(
                id,
                rs.getString("project_id"),
                rs.getString("branch"),
                rs.getString("commit_id"),
                Stage.valueOf(rs.getString("stage")),
                BuildState.valueOf(rs.getString("state")),
                Optional.ofNullable(rs.getString("verdict")).map(BuildVerdict::valueOf),
                rs.getString("database_name"),
                rs.getString("hostname"),
                secrets.open(rs.getString("smtp_password"), smtpPassword(id)),
                Optional.ofNullable(rs.getString("container_id")),
                hostPort,
                Optional.ofNullable(rs.getString("message")),
                rs.getTimestamp("created_at").toInstant(),
                Optional.ofNullable(rs.getTimestamp("started_at")).map(Timestamp::toInstant),
                Optional.ofNullable(rs.getTimestamp("finished_at")).map(Timestamp::toInstant));
    }

    private static Event event(ResultSet rs, StatementContext context)
            throws SQLException
    {
        long buildId = rs.getLong("build_id");
        Optional<Long> build = rs.wasNull() ? Optional.empty() : Optional.of(buildId);
        return new Event(rs.getLong("id"), rs.getString("project_id"), Optional.ofNullable(rs.getString("branch")), build,
                EventKind.valueOf(rs.getString("kind")), rs.getString("message"), rs.getTimestamp("at").toInstant());
    }
}
