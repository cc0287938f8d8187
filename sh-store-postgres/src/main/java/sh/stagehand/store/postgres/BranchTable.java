package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.isUniqueViolation;
import static sh.stagehand.store.postgres.internal.MetadataDatabase.run;

/**
 * The branches of {@link PostgresPlatformStore}: their settings, custom domains and last seen
 * heads. Thread-safe.
 */
final class BranchTable
{
    private final Jdbi jdbi;

    BranchTable(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    void saveBranch(Branch branch)
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

    Optional<Branch> findBranch(String projectId, String name)
    {
        return run("find branch " + projectId + "/" + name, () -> jdbi.withHandle(handle -> handle.createQuery(SELECT_BRANCH + " WHERE b.project_id = :project AND b.name = :name")
                .bind("project", projectId)
                .bind("name", name)
                .map(BranchTable::branch)
                .findOne()));
    }

    List<Branch> listBranches(String projectId)
    {
        return run("list branches of " + projectId, () -> jdbi.withHandle(handle -> handle.createQuery(SELECT_BRANCH + " WHERE b.project_id = :project ORDER BY b.name COLLATE \"C\"")
                .bind("project", projectId)
                .map(BranchTable::branch)
                .list()));
    }

    List<Branch> listBranchesWithDomains()
    {
        return run("list branches with custom domains", () -> jdbi.withHandle(handle -> handle.createQuery(SELECT_BRANCH
                        + " WHERE EXISTS (SELECT 1 FROM branch_domain d WHERE d.project_id = b.project_id AND d.branch_name = b.name) ORDER BY b.project_id, b.name COLLATE \"C\"")
                .map(BranchTable::branch)
                .list()));
    }

    boolean deleteBranch(String projectId, String name)
    {
        return run("delete branch " + projectId + "/" + name, () -> jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM branch WHERE project_id = :project AND name = :name")
                .bind("project", projectId)
                .bind("name", name)
                .execute() > 0));
    }

    void recordBranchHead(String projectId, String name, String commitId)
    {
        run("record the head of " + projectId + "/" + name, () -> jdbi.withHandle(handle -> handle.createUpdate("UPDATE branch SET head_commit = :commit WHERE project_id = :project AND name = :name")
                .bind("project", projectId)
                .bind("name", name)
                .bind("commit", commitId)
                .execute()));
    }

    Optional<String> branchHead(String projectId, String name)
    {
        return run("read the head of " + projectId + "/" + name, () -> jdbi.withHandle(handle -> handle.createQuery("SELECT head_commit FROM branch WHERE project_id = :project AND name = :name")
                .bind("project", projectId)
                .bind("name", name)
                .mapTo(String.class)
                .findOne()
                .flatMap(Optional::ofNullable)));
    }

    // A branch with its custom domains, in the order they were given.
    private static final String SELECT_BRANCH = """
            SELECT b.*, ARRAY(SELECT d.domain FROM branch_domain d WHERE d.project_id = b.project_id AND d.branch_name = b.name ORDER BY d.position) AS domains
            FROM branch b""";

    private static Branch branch(ResultSet rs, StatementContext context)
            throws SQLException
    {
        Array modules = rs.getArray("explicit_modules");
        return new Branch(rs.getString("project_id"), rs.getString("name"), Stage.valueOf(rs.getString("stage")),
                ModuleSelection.valueOf(rs.getString("module_selection")), List.of((String[]) modules.getArray()), Optional.ofNullable(rs.getString("test_tags")),
                rs.getBoolean("crons_enabled"), OnNewCommit.valueOf(rs.getString("on_new_commit")), List.of((String[]) rs.getArray("domains").getArray()));
    }
}
