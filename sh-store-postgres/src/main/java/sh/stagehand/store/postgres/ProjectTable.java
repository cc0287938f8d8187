package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.project.Project;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.DeployKey;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.isUniqueViolation;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * The projects of {@link PostgresPlatformStore}, their sealed secrets and the webhook deliveries
 * they have seen. Thread-safe.
 */
final class ProjectTable
{
    private final Jdbi jdbi;
    private final SecretBox secrets;

    ProjectTable(Jdbi jdbi, SecretBox secrets)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    // A wrong key file is said at start, not at the first webhook or build.
    void checkKey(PostgresConfig config)
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

    void createProject(Project project)
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

    void updateProject(Project project)
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

    Optional<Project> findProject(String projectId)
    {
        return run("find project " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM project WHERE id = :id")
                .bind("id", projectId)
                .map(this::project)
                .findOne()));
    }

    List<Project> listProjects()
    {
        return run("list projects", () -> jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM project ORDER BY id")
                .map(this::project)
                .list()));
    }

    void forgetDelivery(String projectId, String deliveryId)
    {
        run("forget webhook delivery " + deliveryId, () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM webhook_delivery WHERE project_id = :project AND delivery_id = :delivery")
                .bind("project", projectId)
                .bind("delivery", deliveryId)
                .execute()));
    }

    boolean recordDelivery(String projectId, String deliveryId)
    {
        return run("record webhook delivery " + deliveryId, () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO webhook_delivery (project_id, delivery_id) VALUES (:project, :delivery)
                        ON CONFLICT DO NOTHING
                        """)
                .bind("project", projectId)
                .bind("delivery", deliveryId)
                .execute() > 0));
    }

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
}
