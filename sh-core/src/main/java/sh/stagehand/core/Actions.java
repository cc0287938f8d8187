package sh.stagehand.core;

import sh.stagehand.core.access.AccessPolicy;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.access.Tool;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.pipeline.BuildSleep;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.mail.BuildMail;
import sh.stagehand.core.production.BackupDownloads;
import sh.stagehand.core.production.ProductionBackups;
import sh.stagehand.core.production.ProductionRestores;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.Event;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * What one account does on the platform, each action checked against its role in the project
 * and the stage of the branch it touches ({@link AccessPolicy}), and the privileged ones written
 * to the audit log. A front end, the reference server's or an embedder's, says who asks
 * ({@code stagehand.actingAs(account)}) and calls these; the services behind them are the
 * platform's own, unchecked.
 *
 * <p>A project the account is no collaborator of answers as if it did not exist (NOT_FOUND); a
 * tool its role lacks is PERMISSION_DENIED.
 */
public final class Actions
{
    private final Account account;
    private final AccountService accounts;
    private final ProjectService projects;
    private final BuildService builds;
    private final MailService mail;
    private final ProductionBackups backups;
    private final BackupDownloads downloads;
    private final ProductionRestores restores;
    private final BuildTerminals terminals;
    private final ProductionWrites productionWrites;
    private final BuildEditor editor;
    private final BuildApps apps;
    private final MonitorActions.Services monitoring;
    private final BuildSleep sleep;

    public Actions(Account account, AccountService accounts, ProjectService projects, BuildService builds, MailService mail, ProductionBackups backups,
            BackupDownloads downloads, ProductionRestores restores, BuildTerminals terminals, ProductionWrites productionWrites, BuildEditor editor,
            BuildApps apps, MonitorActions.Services monitoring, BuildSleep sleep)
    {
        this.sleep = requireNonNull(sleep, "sleep is null");
        this.monitoring = requireNonNull(monitoring, "monitoring is null");
        this.apps = requireNonNull(apps, "apps is null");
        this.account = requireNonNull(account, "account is null");
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.mail = requireNonNull(mail, "mail is null");
        this.backups = requireNonNull(backups, "backups is null");
        this.downloads = requireNonNull(downloads, "downloads is null");
        this.restores = requireNonNull(restores, "restores is null");
        this.terminals = requireNonNull(terminals, "terminals is null");
        this.productionWrites = requireNonNull(productionWrites, "productionWrites is null");
        this.editor = requireNonNull(editor, "editor is null");
    }

    public Account account()
    {
        return account;
    }

    // Projects

    /**
     * @return the projects the account collaborates on (every one, for a platform administrator)
     */
    public List<Project> projects()
    {
        return projects.projects().stream().filter(project -> accounts.sees(account, project.id())).toList();
    }

    /**
     * Creates a project, as {@link ProjectService#createProject(String, String, Optional, Optional)};
     * its creator is its first admin.
     *
     * @param productionBranch absent: the repository's default branch
     */
    public Project createProject(String id, String repositoryUrl, Optional<String> token, Optional<Optional<String>> productionBranch)
    {
        // A path or file:// URL reads (and a merge writes) a repository on the platform's own
        // disk, another project's perhaps: the platform's administrators' alone.
        if (!account.platformAdmin() && !Project.isRemote(repositoryUrl)) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "Repository '" + repositoryUrl + "' is not a remote one: send an https or ssh URL "
                    + "(https://github.com/acme/addons.git, git@github.com:acme/addons.git), or create a repository on the server");
        }
        return create(id, repositoryUrl, token, productionBranch);
    }

    /**
     * Creates a project whose repository the platform made for it on its own disk (a hosted
     * repository): the path is the platform's, not the caller's.
     *
     * @param hostedUrl where the repository's users clone it from; its relative submodule URLs
     *         resolve against it, never to a path on the platform's disk
     */
    public Project createHostedProject(String id, String repositoryPath, String hostedUrl, Optional<Optional<String>> productionBranch)
    {
        Project project = projects.createHostedProject(id, repositoryPath, hostedUrl, productionBranch);
        accounts.addCreator(account, project.id());
        return project;
    }

    private Project create(String id, String repositoryUrl, Optional<String> token, Optional<Optional<String>> productionBranch)
    {
        Project project = productionBranch.isEmpty()
                ? projects.createProject(id, repositoryUrl, token)
                : projects.createProject(id, repositoryUrl, token, productionBranch.get());
        accounts.addCreator(account, project.id());
        return project;
    }

    public Project project(String projectId)
    {
        accounts.roleIn(account, projectId);
        return projects.project(projectId);
    }

    public Role role(String projectId)
    {
        return accounts.roleIn(account, projectId);
    }

    /**
     * @return the tools the account has on the project's branches of that stage, for a front end
     *         to show only those
     */
    public Set<Tool> tools(String projectId, Stage stage)
    {
        return AccessPolicy.tools(accounts.roleIn(account, projectId), stage);
    }

    public Project setTrial(String projectId, boolean trial)
    {
        accounts.requireAdmin(account, projectId);
        Project project = projects.setTrial(projectId, trial);
        accounts.audit(account, projectId, AuditAction.PROJECT_SETTINGS_CHANGED, trial ? "made a trial" : "no longer a trial");
        return project;
    }

    public List<Build> poll(String projectId)
    {
        accounts.roleIn(account, projectId);
        return projects.poll(projectId);
    }

    public List<ProjectService.BranchOverview> overview(String projectId, int buildsPerBranch)
    {
        accounts.roleIn(account, projectId);
        return projects.overview(projectId, buildsPerBranch);
    }

    public List<Event> history(String projectId, Optional<String> branch, int limit)
    {
        accounts.roleIn(account, projectId);
        return builds.history(projectId, branch, limit);
    }

    // Branches

    public List<Branch> branches(String projectId)
    {
        accounts.roleIn(account, projectId);
        return projects.branches(projectId);
    }

    public Branch branch(String projectId, String name)
    {
        accounts.roleIn(account, projectId);
        return projects.branch(projectId, name);
    }

    /**
     * Saves a branch's settings: the account needs the settings of its stage, and of the stage it
     * moves to.
     */
    public Branch saveBranch(Branch branch)
    {
        Branch current = branch(branch.projectId(), branch.name());
        accounts.requireTool(account, branch.projectId(), current.stage(), Tool.SETTINGS);
        accounts.requireTool(account, branch.projectId(), branch.stage(), Tool.SETTINGS);
        Branch saved = projects.saveBranch(branch);
        if (current.stage() != saved.stage()) {
            accounts.audit(account, branch.projectId(), AuditAction.STAGE_CHANGED, branch.name() + " from " + current.stage() + " to " + saved.stage());
        }
        // Beyond what a move itself changes (its behaviour on new commit, production's crons).
        if (!current.movedTo(saved.stage()).equals(saved)) {
            accounts.audit(account, branch.projectId(), AuditAction.BRANCH_SETTINGS_CHANGED, branch.name());
        }
        return saved;
    }

    /**
     * Whether the account may push to a ref of the project's repository (one kept by the
     * platform): a branch's push changes it, so it needs the settings of the stage it lands on.
     *
     * @throws StagehandException {@code PERMISSION_DENIED} saying which role lacks what
     */
    public void checkPush(String projectId, String refName)
    {
        Stage stage = refName.startsWith("refs/heads/") ? projects.stageOfPush(projectId, refName.substring("refs/heads/".length())) : Stage.DEVELOPMENT;
        accounts.requireTool(account, projectId, stage, Tool.SETTINGS);
    }

    /**
     * Records a push that reached staging or production.
     */
    public void pushed(String projectId, String refName, String commitId)
    {
        if (refName.startsWith("refs/heads/") && projects.stageOfPush(projectId, refName.substring("refs/heads/".length())) != Stage.DEVELOPMENT) {
            accounts.audit(account, projectId, AuditAction.PUSHED, refName + " to " + commitId);
        }
    }

    public Build rebuildBranch(String projectId, String name)
    {
        accounts.requireTool(account, projectId, branch(projectId, name).stage(), Tool.SETTINGS);
        Build build = projects.rebuildBranch(projectId, name);
        auditOutsideDevelopment(build, AuditAction.BUILD_REBUILT, name + " as build " + build.id());
        return build;
    }

    /**
     * Merges a branch into another: a change of the target, so the target's settings.
     */
    public ProjectService.MergeOutcome merge(String projectId, String source, String target)
    {
        Branch into = branch(projectId, target);
        accounts.requireTool(account, projectId, into.stage(), Tool.SETTINGS);
        ProjectService.MergeOutcome outcome = projects.merge(projectId, source, target);
        accounts.audit(account, projectId, AuditAction.MERGED, source + " into " + target + " (" + into.stage() + ")");
        return outcome;
    }

    // Builds

    public List<Build> builds(String projectId, String branch)
    {
        accounts.roleIn(account, projectId);
        return builds.builds(projectId, branch);
    }

    public Build build(long buildId)
    {
        return buildWith(buildId, Tool.STATUS);
    }

    public Build discard(long buildId)
    {
        Build build = changing(buildId);
        Build discarded = builds.discard(buildId);
        auditOutsideDevelopment(build, AuditAction.BUILD_DISCARDED, "build " + buildId + " of " + build.branch());
        return discarded;
    }

    /**
     * A new build of the same commit, on the branch's stage now: the settings of both the stage it
     * was built on and the one it builds on.
     */
    /**
     * Wakes a sleeping build, as a request to it would: whoever may open it may.
     *
     * @return the build once it runs
     */
    public CompletableFuture<Build> wake(long buildId)
    {
        return sleep.wake(buildWith(buildId, Tool.CONNECT).id());
    }

    /**
     * Puts a running development or staging build to sleep now: its container stops, its database
     * and files stay, and its next request wakes it.
     */
    public Build sleep(long buildId)
    {
        return sleep.sleep(changing(buildId).id());
    }

    public Build rebuild(long buildId)
    {
        Build build = changing(buildId);
        Build rebuilt = projects.rebuild(buildId);
        auditOutsideDevelopment(rebuilt, AuditAction.BUILD_REBUILT, "build " + buildId + " of " + build.branch() + " as build " + rebuilt.id());
        return rebuilt;
    }

    private Build changing(long buildId)
    {
        return changingWith(buildId, Tool.SETTINGS);
    }

    /**
     * The build, if the role has the tool on the stage it was built on and on its branch's stage
     * now: an old build of a branch moved on changes nothing of the branch's new stage.
     */
    Build changingWith(long buildId, Tool tool)
    {
        Build build = buildWith(buildId, tool);
        projects.branches(build.projectId()).stream()
                .filter(branch -> branch.name().equals(build.branch()))
                .findFirst()
                .ifPresent(branch -> accounts.requireTool(account, build.projectId(), branch.stage(), tool));
        return build;
    }

    private void auditOutsideDevelopment(Build build, AuditAction action, String detail)
    {
        if (build.stage() != Stage.DEVELOPMENT) {
            accounts.audit(account, build.projectId(), action, detail + " (" + build.stage() + ")");
        }
    }

    /**
     * The account's shells: opening them, and production's write access.
     */
    public ShellActions shells()
    {
        return new ShellActions(this, accounts, terminals, productionWrites, sleep);
    }

    /**
     * The account's online editor: the sources of the builds its role has the editor on.
     */
    public EditorActions editor()
    {
        return new EditorActions(this, accounts, editor);
    }

    /**
     * Monitoring: builds' resources and traffic, production's availability, the platform's parts.
     */
    public MonitorActions monitoring()
    {
        return new MonitorActions(this, accounts, monitoring);
    }

    /**
     * The Odoo apps of builds: listed, and installed where the role has them.
     */
    public AppActions apps()
    {
        return new AppActions(this, accounts, apps);
    }

    public List<String> log(long buildId, LogName name)
    {
        buildWith(buildId, Tool.LOGS);
        return builds.log(buildId, name);
    }

    public void writeLog(long buildId, LogName name, OutputStream out)
    {
        buildWith(buildId, Tool.LOGS);
        builds.writeLog(buildId, name, out);
    }

    public AutoCloseable followLog(long buildId, LogName name, Consumer<String> lines, Runnable end)
    {
        buildWith(buildId, Tool.LOGS);
        return builds.followLog(buildId, name, lines, end);
    }

    public List<BuildMail> mails(long buildId)
    {
        buildWith(buildId, Tool.MAILS);
        return mail.mails(buildId);
    }

    Build buildWith(long buildId, Tool tool)
    {
        Build build;
        try {
            build = builds.build(buildId);
        }
        catch (StagehandException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + buildId, e);
        }
        if (!accounts.sees(account, build.projectId())) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + buildId);
        }
        accounts.requireTool(account, build.projectId(), build.stage(), tool);
        return build;
    }

    // Backups: production's, so an admin's; an import into another branch needs its stage's backups.

    public List<Backup> backups(String projectId)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        return backups.list(projectId);
    }

    public Backup backup(String projectId, String backupId)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        return backups.get(projectId, backupId);
    }

    public Optional<ProductionBackups.Verification> verification(String projectId, String backupId)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        return backups.verification(projectId, backupId);
    }

    public Backup createBackup(String projectId)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        Backup backup = backups.create(projectId, BackupKind.MANUAL);
        accounts.audit(account, projectId, AuditAction.BACKUP_CREATED, backup.id());
        return backup;
    }

    public ProductionBackups.Verification verifyBackup(String projectId, String backupId)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        return backups.verify(projectId, backupId);
    }

    public BackupDownloads.PreparedDownload prepareDownload(String projectId, String backupId, BackupDownloads.DownloadOptions options)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        BackupDownloads.PreparedDownload download = downloads.prepareDownload(projectId, backupId, options);
        accounts.audit(account, projectId, AuditAction.BACKUP_DOWNLOADED, backupId + (options.neutralized() ? ", neutralized" : "") + (options.withFilestore() ? "" : ", without filestore"));
        return download;
    }

    public void writeBackupLog(String projectId, String backupId, LogName name, OutputStream out)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        downloads.writeLog(projectId, backupId, name, out);
    }

    public Backup restore(String projectId, String backupId)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        Backup before = restores.restore(projectId, backupId);
        accounts.audit(account, projectId, AuditAction.BACKUP_RESTORED, backupId + " into production (backup " + before.id() + " taken first)");
        return before;
    }

    /**
     * Restores a production backup into another branch: production's data, so production's backups,
     * and the branch's settings.
     */
    public Build restoreInto(String projectId, String backupId, String branchName)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.BACKUPS);
        accounts.requireTool(account, projectId, branch(projectId, branchName).stage(), Tool.SETTINGS);
        Build build = restores.restoreInto(projectId, backupId, branchName);
        accounts.audit(account, projectId, AuditAction.BACKUP_RESTORED, backupId + " into " + branchName);
        return build;
    }

    /**
     * Whether the account may import into the branch: asked before an upload is taken.
     */
    public void checkImport(String projectId, String branchName)
    {
        accounts.requireTool(account, projectId, branch(projectId, branchName).stage(), Tool.BACKUPS);
    }

    public Build importInto(String projectId, String branchName, Path upload)
    {
        checkImport(projectId, branchName);
        Build build = restores.importInto(projectId, branchName, upload);
        accounts.audit(account, projectId, AuditAction.DATABASE_IMPORTED, upload.getFileName() + " into " + branchName);
        return build;
    }

    // The platform

    public List<Build> collectGarbage()
    {
        if (!account.platformAdmin()) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "Only a platform administrator starts a garbage collection");
        }
        return builds.collectGarbage();
    }
}
