package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

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
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * The builds of {@link PostgresPlatformStore}, each with its sealed SMTP password. Thread-safe.
 */
final class BuildTable
{
    private final Jdbi jdbi;
    private final SecretBox secrets;

    BuildTable(Jdbi jdbi, SecretBox secrets)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    Build createBuild(String projectId, String branch, String commitId, Stage stage, String domain, String smtpPassword, Instant createdAt)
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

    Optional<Build> findBuild(long buildId)
    {
        return run("find build " + buildId, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM build WHERE id = :id")
                .bind("id", buildId)
                .map(this::build)
                .findOne()));
    }

    void updateBuild(Build build)
    {
        if (update(build, Optional.empty()) == 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + build.id() + " to update");
        }
    }

    boolean updateBuildIf(BuildState expected, Build build)
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

    List<Build> listBuilds(String projectId, String branch)
    {
        return run("list builds of " + projectId + "/" + branch, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM build WHERE project_id = :project AND branch = :branch ORDER BY id DESC")
                .bind("project", projectId)
                .bind("branch", branch)
                .map(this::build)
                .list()));
    }

    Map<String, List<Build>> listRecentBuilds(String projectId, int perBranch)
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

    List<Build> listBuildsInState(Set<BuildState> states)
    {
        return run("list builds by state", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM build WHERE state = ANY(:states) ORDER BY id")
                .bind("states", states.stream().map(Enum::name).toArray(String[]::new))
                .map(this::build)
                .list()));
    }

    // What the sealed password belongs to, sealed with it: a value copied onto another row does not open.
    private static String smtpPassword(long buildId)
    {
        return SecretBox.context("build", "smtp_password", buildId);
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
}
