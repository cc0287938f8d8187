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
 * {@link BuildApps} does it. An install or uninstall outside development is in the project's audit log.
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
    public Started install(long buildId, String module)
    {
        Build build = actions.changingWith(buildId, Tool.APPS);
        if (build.stage() == Stage.PRODUCTION) {
            Build update = apps.installInProduction(build, module);
            accounts.audit(account, build.projectId(), AuditAction.APP_INSTALLED, module + " in production, by build " + update.id());
            return new Started(module, Optional.empty(), Optional.of(update));
        }
        BuildApps.Progress progress = apps.install(build, account.login(), module);
        if (build.stage() != Stage.DEVELOPMENT) {
            accounts.audit(account, build.projectId(), AuditAction.APP_INSTALLED, module + " in build " + build.id() + " of " + build.branch() + " (" + build.stage() + ")");
        }
        return new Started(module, Optional.of(progress), Optional.empty());
    }

    /**
     * Uninstalls the app from the build, with the modules that depend on it ({@link #dependents}):
     * at once on development and staging; on production through an update, whose build is returned.
     */
    public Started uninstall(long buildId, String module)
    {
        Build build = actions.changingWith(buildId, Tool.APPS);
        if (build.stage() == Stage.PRODUCTION) {
            Build update = apps.uninstallInProduction(build, module);
            accounts.audit(account, build.projectId(), AuditAction.APP_UNINSTALLED, module + " from production, by build " + update.id());
            return new Started(module, Optional.empty(), Optional.of(update));
        }
        BuildApps.Progress progress = apps.uninstall(build, account.login(), module);
        if (build.stage() != Stage.DEVELOPMENT) {
            accounts.audit(account, build.projectId(), AuditAction.APP_UNINSTALLED, module + " from build " + build.id() + " of " + build.branch() + " (" + build.stage() + ")");
        }
        return new Started(module, Optional.of(progress), Optional.empty());
    }

    /**
     * @return the modules installed in the build that uninstalling {@code module} uninstalls too
     */
    public List<String> dependents(long buildId, String module)
    {
        return apps.dependents(actions.buildWith(buildId, Tool.APPS), module);
    }

    /**
     * @return the newest install or uninstall in the build, if any
     */
    public Optional<BuildApps.Progress> progress(long buildId)
    {
        return apps.progress(actions.buildWith(buildId, Tool.APPS).id());
    }

    /**
     * An install or uninstall started.
     *
     * @param progress the install or uninstall in the build, running, on development and staging
     * @param update production's build that does it, queued
     */
    public record Started(String module, Optional<BuildApps.Progress> progress, Optional<Build> update)
    {
        public Started
        {
            requireNonNull(module, "module is null");
            requireNonNull(progress, "progress is null");
            requireNonNull(update, "update is null");
        }
    }
}
