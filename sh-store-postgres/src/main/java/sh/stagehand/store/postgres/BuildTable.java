package sh.stagehand.store.postgres;

import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.store.postgres.internal.MetadataStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.toList;
import static sh.stagehand.store.postgres.internal.Columns.instant;
import static sh.stagehand.store.postgres.internal.Columns.optionalInstant;
import static sh.stagehand.store.postgres.internal.Columns.optionalInt;

/**
 * The builds of {@link PostgresPlatformStore}, each with its sealed SMTP password. Thread-safe.
 */
final class BuildTable
{
    private final MetadataStatements statements;
    private final SecretBox secrets;

    BuildTable(MetadataStatements statements, SecretBox secrets)
    {
        this.statements = requireNonNull(statements, "statements is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    Build createBuild(String projectId, String branch, String commitId, Stage stage, String domain, String smtpPassword, Instant createdAt)
    {
        return statements.inTransaction("create a build of " + projectId + "/" + branch, handle -> {
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
        });
    }

    Optional<Build> findBuild(long buildId)
    {
        return statements.findOne("find build " + buildId, "SELECT * FROM build WHERE id = :id", query -> query.bind("id", buildId), this::build);
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
        return statements.update("update build " + build.id(), """
                        UPDATE build SET state = :state, verdict = :verdict, container_id = :containerId, host_port = :hostPort, host_address = :hostAddress, message = :message,
                            started_at = :startedAt, finished_at = :finishedAt, database_name = :databaseName, hostname = :hostname
                        WHERE id = :id AND (CAST(:expected AS text) IS NULL OR state = :expected)
                        """,
                update -> update.bindMethods(build).bind("expected", expected.map(Enum::name).orElse(null)));
    }

    List<Build> listBuilds(String projectId, String branch)
    {
        return statements.list("list builds of " + projectId + "/" + branch, "SELECT * FROM build WHERE project_id = :project AND branch = :branch ORDER BY id DESC",
                query -> query.bind("project", projectId).bind("branch", branch), this::build);
    }

    Map<String, List<Build>> listRecentBuilds(String projectId, int perBranch)
    {
        return statements.list("list recent builds of " + projectId, """
                                SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY branch ORDER BY id DESC) AS recency FROM build WHERE project_id = :project) AS ranked
                                WHERE recency <= :perBranch ORDER BY id DESC
                                """,
                        query -> query.bind("project", projectId).bind("perBranch", perBranch), this::build)
                .stream()
                .collect(groupingBy(Build::branch, TreeMap::new, toList()));
    }

    List<Build> listBuildsInState(Set<BuildState> states)
    {
        return statements.list("list builds by state", "SELECT * FROM build WHERE state = ANY(:states) ORDER BY id",
                query -> query.bind("states", states.stream().map(Enum::name).toArray(String[]::new)), this::build);
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
                optionalInt(rs, "host_port"),
                Optional.ofNullable(rs.getString("host_address")),
                Optional.ofNullable(rs.getString("message")),
                instant(rs, "created_at"),
                optionalInstant(rs, "started_at"),
                optionalInstant(rs, "finished_at"));
    }
}
