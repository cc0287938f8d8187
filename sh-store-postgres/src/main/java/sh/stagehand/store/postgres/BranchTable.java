package sh.stagehand.store.postgres;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.store.postgres.internal.MetadataStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.Columns.strings;

/**
 * The branches of {@link PostgresPlatformStore}: their settings, custom domains and last seen
 * heads. Thread-safe.
 */
final class BranchTable
{
    // A branch with its custom domains, in the order they were given.
    private static final String SELECT_BRANCH = """
            SELECT b.*, ARRAY(SELECT d.domain FROM branch_domain d WHERE d.project_id = b.project_id AND d.branch_name = b.name ORDER BY d.position) AS domains
            FROM branch b""";

    private final MetadataStatements statements;

    BranchTable(MetadataStatements statements)
    {
        this.statements = requireNonNull(statements, "statements is null");
    }

    void saveBranch(Branch branch)
    {
        statements.inTransaction("save branch " + branch.projectId() + "/" + branch.name(), handle -> {
            MetadataStatements.execute(handle.createUpdate("""
                                    INSERT INTO branch (project_id, name, stage, module_selection, explicit_modules, test_tags, crons_enabled, on_new_commit, apps, apps_to_remove)
                                    VALUES (:projectId, :name, :stage, :moduleSelection, :explicitModules, :testTags, :cronsEnabled, :onNewCommit, :apps, :appsToRemove)
                                    ON CONFLICT (project_id, name) DO UPDATE SET
                                        stage = excluded.stage,
                                        module_selection = excluded.module_selection,
                                        explicit_modules = excluded.explicit_modules,
                                        test_tags = excluded.test_tags,
                                        crons_enabled = excluded.crons_enabled,
                                        on_new_commit = excluded.on_new_commit
                                    """)
                            .bindMethods(branch)
                            .bind("explicitModules", branch.explicitModules().toArray(String[]::new))
                            .bind("apps", branch.apps().toArray(String[]::new))
                            .bind("appsToRemove", branch.appsToRemove().toArray(String[]::new)),
                    e -> new StagehandException(StandardErrorCode.CONFLICT, "Project " + branch.projectId() + " has a production branch already; move it to another stage first", e));
            saveDomains(handle, branch);
            return null;
        });
    }

    Optional<Branch> changeBranchApps(String projectId, String name, List<String> added, List<String> removed)
    {
        return changeList("apps", projectId, name, added, removed);
    }

    Optional<Branch> changeAppsToRemove(String projectId, String name, List<String> added, List<String> removed)
    {
        return changeList("apps_to_remove", projectId, name, added, removed);
    }

    // One statement: whatever else changes the branch meanwhile, no name is lost.
    private Optional<Branch> changeList(String column, String projectId, String name, List<String> added, List<String> removed)
    {
        int changed = statements.update("change the " + column.replace('_', ' ') + " of branch " + projectId + "/" + name, """
                        UPDATE branch SET %1$s = ARRAY(
                            SELECT app FROM unnest(%1$s || ARRAY(SELECT a FROM unnest(CAST(:added AS text[])) a WHERE a <> ALL (%1$s))) WITH ORDINALITY AS kept (app, position)
                            WHERE app <> ALL (CAST(:removed AS text[]))
                            ORDER BY position)
                        WHERE project_id = :project AND name = :name
                        """.formatted(column),
                update -> update.bind("project", projectId)
                        .bind("name", name)
                        .bind("added", added.toArray(String[]::new))
                        .bind("removed", removed.toArray(String[]::new)));
        return changed == 0 ? Optional.empty() : findBranch(projectId, name);
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
        return statements.findOne("find branch " + projectId + "/" + name, SELECT_BRANCH + " WHERE b.project_id = :project AND b.name = :name",
                query -> query.bind("project", projectId).bind("name", name), BranchTable::branch);
    }

    List<Branch> listBranches(String projectId)
    {
        return statements.list("list branches of " + projectId, SELECT_BRANCH + " WHERE b.project_id = :project ORDER BY b.name COLLATE \"C\"",
                query -> query.bind("project", projectId), BranchTable::branch);
    }

    List<Branch> listBranchesWithDomains()
    {
        return statements.list("list branches with custom domains", SELECT_BRANCH
                + " WHERE EXISTS (SELECT 1 FROM branch_domain d WHERE d.project_id = b.project_id AND d.branch_name = b.name) ORDER BY b.project_id, b.name COLLATE \"C\"",
                BranchTable::branch);
    }

    boolean deleteBranch(String projectId, String name)
    {
        return statements.update("delete branch " + projectId + "/" + name, "DELETE FROM branch WHERE project_id = :project AND name = :name",
                update -> update.bind("project", projectId).bind("name", name)) > 0;
    }

    void recordBranchHead(String projectId, String name, String commitId)
    {
        statements.update("record the head of " + projectId + "/" + name, "UPDATE branch SET head_commit = :commit WHERE project_id = :project AND name = :name",
                update -> update.bind("project", projectId).bind("name", name).bind("commit", commitId));
    }

    Optional<String> branchHead(String projectId, String name)
    {
        return statements.findOne("read the head of " + projectId + "/" + name, "SELECT head_commit FROM branch WHERE project_id = :project AND name = :name",
                        query -> query.bind("project", projectId).bind("name", name), (rs, context) -> rs.getString("head_commit"))
                .flatMap(Optional::ofNullable);
    }

    private static Branch branch(ResultSet rs, StatementContext context)
            throws SQLException
    {
        return new Branch(rs.getString("project_id"), rs.getString("name"), Stage.valueOf(rs.getString("stage")),
                ModuleSelection.valueOf(rs.getString("module_selection")), strings(rs, "explicit_modules"), Optional.ofNullable(rs.getString("test_tags")),
                rs.getBoolean("crons_enabled"), OnNewCommit.valueOf(rs.getString("on_new_commit")), strings(rs, "domains"), strings(rs, "apps"),
                strings(rs, "apps_to_remove"));
    }
}
