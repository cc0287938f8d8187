package sh.stagehand.core;

import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.access.Tool;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.project.Stage;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What one account does with a build's apps ({@link Actions#apps()}), on the builds its role has
 * the Apps on (admins everywhere, testers but on production, developers on development), as
 * {@link BuildApps} does it. An install outside development is in the project's audit log.
 */
public final class AppActions
{
    private final Actions actions;
    private final Account account;
    private final AccountService accounts;
    private final BuildApps apps;

    AppActions(Actions actions, AccountService accounts, BuildApps apps)
    {
        this.actions = requireNonNull(actions, "actions is null");
        this.account = actions.account();
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.apps = requireNonNull(apps, "apps is null");
    }

    public List<BuildApps.App> list(long buildId, String search, boolean applicationsOnly)
    {
        return apps.list(actions.buildWith(buildId, Tool.APPS), search, applicationsOnly);
    }

    /**
     * Installs the app in the build: at once on development and staging; on production through
     * an update, whose build is returned.
     */
    public Installed install(long buildId, String module)
    {
        Build build = actions.changingWith(buildId, Tool.APPS);
        if (build.stage() == Stage.PRODUCTION) {
            Build update = apps.installInProduction(build, module);
            accounts.audit(account, build.projectId(), AuditAction.APP_INSTALLED, module + " in production, by build " + update.id());
            return new Installed(module, Optional.empty(), Optional.of(update));
        }
        BuildApps.Progress progress = apps.install(build, account.login(), module);
        if (build.stage() != Stage.DEVELOPMENT) {
            accounts.audit(account, build.projectId(), AuditAction.APP_INSTALLED, module + " in build " + build.id() + " of " + build.branch() + " (" + build.stage() + ")");
        }
        return new Installed(module, Optional.of(progress), Optional.empty());
    }

    /**
     * @return the newest install in the build, if any
     */
    public Optional<BuildApps.Progress> progress(long buildId)
    {
        return apps.progress(actions.buildWith(buildId, Tool.APPS).id());
    }

    /**
     * An install started.
     *
     * @param install the install in the build, running, on development and staging
     * @param update production's build that installs it, queued
     */
    public record Installed(String module, Optional<BuildApps.Progress> install, Optional<Build> update)
    {
        public Installed
        {
            requireNonNull(module, "module is null");
            requireNonNull(install, "install is null");
            requireNonNull(update, "update is null");
        }
    }
}
