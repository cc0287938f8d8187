package sh.stagehand.core.access;

import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The accounts' roles in projects and what each role may do there ({@link AccessPolicy}): checked,
 * given, changed and taken back, a project never left without an admin; and a project's audit log,
 * which its admins read. Thread-safe.
 */
final class ProjectRoles
{
    private final AccountStore store;
    private final ProjectStore projects;
    private final AuditTrail audit;

    ProjectRoles(AccountStore store, ProjectStore projects, AuditTrail audit)
    {
        this.store = requireNonNull(store, "store is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    Role roleIn(Account caller, String projectId)
    {
        if (caller.platformAdmin()) {
            return Role.ADMIN;
        }
        Role role = store.rolesOf(caller.login()).get(projectId);
        if (role == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + projectId);
        }
        return role;
    }

    boolean sees(Account caller, String projectId)
    {
        return caller.platformAdmin() || store.rolesOf(caller.login()).containsKey(projectId);
    }

    void requireTool(Account caller, String projectId, Stage stage, Tool tool)
    {
        Role role = roleIn(caller, projectId);
        if (!AccessPolicy.allows(role, stage, tool)) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "A " + role.name().toLowerCase(Locale.ROOT) + " of project " + projectId + " has no "
                    + tool.name().toLowerCase(Locale.ROOT) + " on " + stage.name().toLowerCase(Locale.ROOT) + " branches; ask one of its admins");
        }
    }

    void requireAdmin(Account caller, String projectId)
    {
        Role role = roleIn(caller, projectId);
        if (!AccessPolicy.managesProject(role)) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "Only an admin of project " + projectId + " manages its settings, collaborators and audit log; you are a "
                    + role.name().toLowerCase(Locale.ROOT));
        }
    }

    void addCreator(Account creator, String projectId)
    {
        store.saveCollaborator(new Collaborator(projectId, creator.login(), Role.ADMIN));
        audit.record(Optional.of(projectId), creator.login(), AuditAction.PROJECT_CREATED, projectId + ", created by " + creator.login() + ", its admin");
    }

    List<Collaborator> collaborators(Account caller, String projectId)
    {
        requireAdmin(caller, projectId);
        return store.listCollaborators(projectId);
    }

    synchronized Collaborator setRole(Account caller, String projectId, String login, Role role)
    {
        requireAdmin(caller, projectId);
        projects.findProject(projectId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + projectId));
        Account account = store.findAccount(login).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No account " + login));
        Optional<Role> previous = Optional.ofNullable(store.rolesOf(login).get(projectId));
        if (previous.equals(Optional.of(Role.ADMIN)) && role != Role.ADMIN) {
            requireAnotherAdmin(projectId, login);
        }
        Collaborator collaborator = new Collaborator(projectId, account.login(), role);
        store.saveCollaborator(collaborator);
        audit.record(Optional.of(projectId), caller.login(), AuditAction.ROLE_CHANGED, login + ": " + previous.map(Enum::name).orElse("none") + " → " + role.name());
        return collaborator;
    }

    synchronized void removeCollaborator(Account caller, String projectId, String login)
    {
        requireAdmin(caller, projectId);
        if (Optional.ofNullable(store.rolesOf(login).get(projectId)).equals(Optional.of(Role.ADMIN))) {
            requireAnotherAdmin(projectId, login);
        }
        if (!store.deleteCollaborator(projectId, login)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, login + " is no collaborator of project " + projectId);
        }
        audit.record(Optional.of(projectId), caller.login(), AuditAction.COLLABORATOR_REMOVED, login);
    }

    private void requireAnotherAdmin(String projectId, String login)
    {
        boolean another = store.listCollaborators(projectId).stream().anyMatch(other -> other.role() == Role.ADMIN && !other.login().equals(login));
        if (!another) {
            throw new StagehandException(StandardErrorCode.CONFLICT, login + " is the last admin of project " + projectId + "; make someone else an admin first");
        }
    }

    List<AuditEvent> auditLog(Account caller, String projectId, int limit)
    {
        requireAdmin(caller, projectId);
        return store.listAudit(Optional.of(projectId), limit);
    }

    Map<String, Role> roles(Account caller)
    {
        if (caller.platformAdmin()) {
            Map<String, Role> all = new TreeMap<>();
            projects.listProjects().forEach(project -> all.put(project.id(), Role.ADMIN));
            return all;
        }
        return store.rolesOf(caller.login());
    }
}
