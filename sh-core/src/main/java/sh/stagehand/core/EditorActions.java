package sh.stagehand.core;

import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.access.Tool;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What one account does with the online editor ({@link Actions#editor()}), on the builds its role
 * has the editor on (as the shell: admins everywhere, testers but on production, developers on
 * development): the sources read, saved and committed, the server restarted ({@link BuildEditor}).
 * A commit outside development is in the project's audit log, as a push is.
 */
public final class EditorActions
{
    private final Actions actions;
    private final Account account;
    private final AccountService accounts;
    private final BuildEditor editor;

    EditorActions(Actions actions, AccountService accounts, BuildEditor editor)
    {
        this.actions = requireNonNull(actions, "actions is null");
        this.account = actions.account();
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.editor = requireNonNull(editor, "editor is null");
    }

    public List<BuildEditor.Entry> list(long buildId, String directory)
    {
        return editor.list(actions.buildWith(buildId, Tool.EDITOR), directory);
    }

    public String read(long buildId, String path)
    {
        return editor.read(actions.buildWith(buildId, Tool.EDITOR), path);
    }

    public void save(long buildId, String path, String content)
    {
        editor.save(actions.buildWith(buildId, Tool.EDITOR), account.login(), path, content);
    }

    public List<String> changed(long buildId)
    {
        return editor.changed(actions.buildWith(buildId, Tool.EDITOR));
    }

    public void restart(long buildId)
    {
        editor.restart(actions.buildWith(buildId, Tool.EDITOR), account.login());
    }

    /**
     * Updates a module of the sources in the build's database, then restarts its server.
     *
     * @return the update's last lines
     */
    public List<String> updateModule(long buildId, String module)
    {
        return editor.updateModule(actions.buildWith(buildId, Tool.EDITOR), account.login(), module);
    }

    /**
     * Commits the files saved in the build, by the account (its name), and pushes them.
     */
    public ProjectService.CommitOutcome commit(long buildId, String message)
    {
        Build build = actions.buildWith(buildId, Tool.EDITOR);
        // The push goes to the branch as it is now, which may have moved stage since the build.
        Stage stage = actions.branch(build.projectId(), build.branch()).stage();
        accounts.requireTool(account, build.projectId(), stage, Tool.EDITOR);
        if (stage == Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Branch " + build.branch() + " is production now: the editor commits to development and staging "
                    + "branches; make the change on a development branch, then merge it");
        }
        ProjectService.CommitOutcome outcome = editor.commit(build, account.login(), account.name(), message);
        if (stage != Stage.DEVELOPMENT) {
            accounts.audit(account, build.projectId(), AuditAction.PUSHED, "refs/heads/" + build.branch() + " to " + outcome.commitId() + " from the online editor");
        }
        return outcome;
    }
}
