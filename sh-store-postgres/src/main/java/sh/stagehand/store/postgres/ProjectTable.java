package sh.stagehand.store.postgres;

import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.project.Project;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.store.postgres.internal.MetadataStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.Columns.instant;
import static sh.stagehand.store.postgres.internal.Columns.optionalInstant;

/**
 * The projects of {@link PostgresPlatformStore}, their sealed secrets and the webhook deliveries
 * they have seen. Thread-safe.
 */
final class ProjectTable
{
    private final MetadataStatements statements;
    private final SecretBox secrets;

    ProjectTable(MetadataStatements statements, SecretBox secrets)
    {
        this.statements = requireNonNull(statements, "statements is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    // A wrong key file is said at start, not at the first webhook or build.
    void checkKey(PostgresConfig config)
    {
        Optional<Map.Entry<String, String>> sealed = statements.findOne("read a sealed secret", "SELECT id, webhook_secret FROM project ORDER BY id LIMIT 1", query -> {},
                (rs, context) -> Map.entry(rs.getString("id"), rs.getString("webhook_secret")));
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

    void createProject(Project project)
    {
        statements.update("create project " + project.id(), """
                        INSERT INTO project (id, repository_url, repository_token, webhook_secret, created_at, trial_ends_at, deploy_public_key, deploy_private_key, hosted_url)
                        VALUES (:id, :repositoryUrl, :token, :secret, :createdAt, :trialEndsAt, :deployPublicKey, :deployPrivateKey, :hostedUrl)
                        """,
                update -> update.bindMethods(project)
                        .bind("token", project.repositoryToken().map(token -> secrets.seal(token, repositoryToken(project.id()))).orElse(null))
                        .bind("secret", secrets.seal(project.webhookSecret(), webhookSecret(project.id())))
                        .bind("deployPublicKey", project.deployKey().map(DeployKey::publicKey).orElse(null))
                        .bind("deployPrivateKey", sealedDeployPrivateKey(project)),
                e -> new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Project " + project.id() + " exists already; pick another id", e));
    }

    void updateProject(Project project)
    {
        int updated = statements.update("update project " + project.id(), """
                        UPDATE project SET trial_ends_at = :trialEndsAt, deploy_public_key = :deployPublicKey, deploy_private_key = :deployPrivateKey WHERE id = :id
                        """,
                update -> update.bindMethods(project)
                        .bind("deployPublicKey", project.deployKey().map(DeployKey::publicKey).orElse(null))
                        .bind("deployPrivateKey", sealedDeployPrivateKey(project)));
        if (updated == 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + project.id() + " to update");
        }
    }

    Optional<Project> findProject(String projectId)
    {
        return statements.findOne("find project " + projectId, "SELECT * FROM project WHERE id = :id", query -> query.bind("id", projectId), this::project);
    }

    List<Project> listProjects()
    {
        return statements.list("list projects", "SELECT * FROM project ORDER BY id", this::project);
    }

    void forgetDelivery(String projectId, String deliveryId)
    {
        statements.update("forget webhook delivery " + deliveryId, "DELETE FROM webhook_delivery WHERE project_id = :project AND delivery_id = :delivery",
                update -> update.bind("project", projectId).bind("delivery", deliveryId));
    }

    boolean recordDelivery(String projectId, String deliveryId)
    {
        return statements.update("record webhook delivery " + deliveryId, """
                        INSERT INTO webhook_delivery (project_id, delivery_id) VALUES (:project, :delivery)
                        ON CONFLICT DO NOTHING
                        """,
                update -> update.bind("project", projectId).bind("delivery", deliveryId)) > 0;
    }

    private String sealedDeployPrivateKey(Project project)
    {
        return project.deployKey().map(key -> secrets.seal(key.privateKey(), deployPrivateKey(project.id()))).orElse(null);
    }

    private Project project(ResultSet rs, StatementContext context)
            throws SQLException
    {
        String id = rs.getString("id");
        String deployPublicKey = rs.getString("deploy_public_key");
        Optional<DeployKey> deployKey = deployPublicKey == null ? Optional.empty()
                : Optional.of(new DeployKey(deployPublicKey, secrets.open(rs.getString("deploy_private_key"), deployPrivateKey(id))));
        return new Project(id, rs.getString("repository_url"), Optional.ofNullable(rs.getString("repository_token")).map(token -> secrets.open(token, repositoryToken(id))),
                secrets.open(rs.getString("webhook_secret"), webhookSecret(id)), instant(rs, "created_at"), optionalInstant(rs, "trial_ends_at"), deployKey,
                Optional.ofNullable(rs.getString("hosted_url")));
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
}
