package sh.stagehand.core.project;

import sh.stagehand.core.odoo.ModuleSelection;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A branch of a project and its settings.
 *
 * @param projectId the project
 * @param name the git branch name
 * @param stage its stage
 * @param moduleSelection which modules development builds install
 * @param explicitModules the modules, when {@link ModuleSelection#EXPLICIT}
 * @param testTags the {@code --test-tags} of development builds, if any; without them, a build
 *         tests the modules it installs (tags {@code /module,...}), not Odoo's whole core suite
 * @param cronsEnabled whether the build's server runs scheduled actions (Odoo's cron threads; on for
 *         a branch made production, as on Odoo.sh): off,
 *         a development build's queued mail ({@code mail.mail}, sent by the "Mail: Email Queue
 *         Manager" cron) never leaves; mail sent at once still reaches the mail catcher
 * @param onNewCommit what a push does (production ignores it: a push always updates production)
 * @param domains the branch's custom domains ({@code www.example.com}), besides the platform's
 *         names for it; normalized by {@link CustomDomains}, each one the platform's only once
 * @param apps Odoo apps its builds install besides its modules (the image's, such as {@code crm},
 *         or the repository's), chosen on the Apps tab; their tests are not run
 * @param appsToRemove apps production uninstalls at its next update (the Apps tab), with the
 *         modules that depend on them; they leave {@code apps} once uninstalled
 */
public record Branch(String projectId, String name, Stage stage, ModuleSelection moduleSelection, List<String> explicitModules, Optional<String> testTags, boolean cronsEnabled,
        OnNewCommit onNewCommit, List<String> domains, List<String> apps, List<String> appsToRemove)
{
    public Branch
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(name, "name is null");
        requireNonNull(stage, "stage is null");
        requireNonNull(moduleSelection, "moduleSelection is null");
        explicitModules = List.copyOf(requireNonNull(explicitModules, "explicitModules is null"));
        requireNonNull(testTags, "testTags is null");
        requireNonNull(onNewCommit, "onNewCommit is null");
        domains = List.copyOf(requireNonNull(domains, "domains is null"));
        apps = List.copyOf(requireNonNull(apps, "apps is null"));
        appsToRemove = List.copyOf(requireNonNull(appsToRemove, "appsToRemove is null"));
    }

    public Branch(String projectId, String name, Stage stage, ModuleSelection moduleSelection, List<String> explicitModules, Optional<String> testTags, boolean cronsEnabled,
            OnNewCommit onNewCommit, List<String> domains, List<String> apps)
    {
        this(projectId, name, stage, moduleSelection, explicitModules, testTags, cronsEnabled, onNewCommit, domains, apps, List.of());
    }

    /**
     * The branch's settings before the Apps tab, without apps.
     */
    public Branch(String projectId, String name, Stage stage, ModuleSelection moduleSelection, List<String> explicitModules, Optional<String> testTags, boolean cronsEnabled,
            OnNewCommit onNewCommit, List<String> domains)
    {
        this(projectId, name, stage, moduleSelection, explicitModules, testTags, cronsEnabled, onNewCommit, domains, List.of());
    }

    public static Branch development(String projectId, String name)
    {
        // Odoo.sh restricts scheduled actions on development builds.
        return new Branch(projectId, name, Stage.DEVELOPMENT, ModuleSelection.OWN_MODULES, List.of(), Optional.empty(), false, OnNewCommit.NEW_BUILD, List.of());
    }

    /**
     * The branch in another stage, its behaviour on new commit as it is.
     */
    public Branch withStage(Stage stage)
    {
        return new Branch(projectId, name, stage, moduleSelection, explicitModules, testTags, cronsEnabled, onNewCommit, domains, apps, appsToRemove);
    }

    /**
     * The branch moved to another stage, taking that move's behaviour on new commit, as Odoo.sh
     * does ({@link OnNewCommit#defaultWhenMoved}).
     */
    public Branch movedTo(Stage stage)
    {
        if (stage == this.stage) {
            return this;
        }
        Branch moved = withStage(stage).withOnNewCommit(OnNewCommit.defaultWhenMoved(this.stage, stage));
        // Production runs its scheduled actions, as on Odoo.sh; elsewhere they stay as they were.
        return stage == Stage.PRODUCTION ? moved.withCronsEnabled(true) : moved;
    }

    public Branch withCronsEnabled(boolean cronsEnabled)
    {
        return new Branch(projectId, name, stage, moduleSelection, explicitModules, testTags, cronsEnabled, onNewCommit, domains, apps, appsToRemove);
    }

    public Branch withOnNewCommit(OnNewCommit onNewCommit)
    {
        return new Branch(projectId, name, stage, moduleSelection, explicitModules, testTags, cronsEnabled, onNewCommit, domains, apps, appsToRemove);
    }

    public Branch withAppsToRemove(List<String> appsToRemove)
    {
        return new Branch(projectId, name, stage, moduleSelection, explicitModules, testTags, cronsEnabled, onNewCommit, domains, apps, appsToRemove);
    }

    public Branch withApps(List<String> apps)
    {
        return new Branch(projectId, name, stage, moduleSelection, explicitModules, testTags, cronsEnabled, onNewCommit, domains, apps, appsToRemove);
    }

    public Branch withDomains(List<String> domains)
    {
        return new Branch(projectId, name, stage, moduleSelection, explicitModules, testTags, cronsEnabled, onNewCommit, domains, apps, appsToRemove);
    }
}
