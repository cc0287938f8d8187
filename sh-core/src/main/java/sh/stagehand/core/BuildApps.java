package sh.stagehand.core;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.Addon;
import sh.stagehand.core.odoo.AddonScanner;
import sh.stagehand.core.odoo.AppUninstall;
import sh.stagehand.core.odoo.ModuleNames;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The Odoo apps a build offers, as Odoo.sh's Apps: the modules its database lists
 * ({@code ir_module_module}, read as the database's own role: the image's addons and the
 * branch's, as Odoo listed them when the database was made or last updated) and the branch's
 * addons the database does not list yet, each installed or not. An app is installed on a
 * development or staging build by Odoo itself, beside its server ({@code odoo -i <app>
 * --stop-after-init}, into the build's {@code install.log}, on a thread of its own), then the
 * server restarted; on
 * production, through the production pipeline (an update backup, a snapshot, the install, and
 * everything put back if it fails). Either way the app joins the branch's apps
 * ({@link Branch#apps()}), which its later builds install too; one production failed to install
 * leaves them again. An installed app is uninstalled likewise, by Odoo's own
 * {@code button_immediate_uninstall} in {@code odoo shell} ({@link AppUninstall}), which takes the
 * modules that depend on it along: beside a development or staging build's server, or by
 * production's next update (everything put back if it fails); it then leaves the branch's apps.
 * Who may do what is {@link Actions#apps()}'s to check. Thread-safe.
 */
public final class BuildApps
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(BuildApps.class);

    private static final Set<String> INSTALLED = Set.of("installed", "to upgrade", "to remove");
    private static final int MAX_LISTED = 5000;
    // The module's category with its parents', "Sales/CRM", as the manifest wrote it.
    private static final String CATEGORY_PATH = """
            (WITH RECURSIVE path (parent_id, name, depth) AS (
                SELECT c.parent_id, c.name->>'en_US', 0 FROM public.ir_module_category c WHERE c.id = m.category_id
                UNION ALL
                SELECT p.parent_id, (p.name->>'en_US') || '/' || path.name, path.depth + 1 FROM public.ir_module_category p JOIN path ON p.id = path.parent_id WHERE path.depth < 8)
             SELECT name FROM path ORDER BY depth DESC LIMIT 1)""";

    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;
    private final BuildScripts scripts;
    private final BuildLogs logs;
    private final ProjectService projects;
    private final ProjectStore store;
    private final BuildStore builds;
    private final PlatformSettings settings;
    private final Clock clock;
    private final Map<Long, Progress> installs = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(new ThreadFactoryBuilder().setNameFormat("stagehand-apps-%d").setDaemon(true).build());

    /**
     * An app (a module) a build offers.
     *
     * @param name its technical name
     * @param title its name for people ({@code shortdesc})
     * @param category its category, {@code Sales/CRM}, or empty
     * @param application whether Odoo counts it as an app (the Apps menu's default filter)
     * @param state Odoo's state of it in the build's database ({@code installed}, {@code uninstalled},
     *        …), or {@code new} for an addon of the branch the database does not list yet
     * @param fromBranch whether it is an addon of the branch's repository, not of the image
     * @param chosen whether it is among the branch's apps
     * @param toRemove whether production is to uninstall it at its next update
     */
    public record App(String name, String title, String summary, String category, boolean application, String state, boolean fromBranch, boolean chosen, boolean toRemove)
    {
        public App
        {
            requireNonNull(name, "name is null");
            requireNonNull(title, "title is null");
            requireNonNull(summary, "summary is null");
            requireNonNull(category, "category is null");
            requireNonNull(state, "state is null");
        }

        public boolean installed()
        {
            return INSTALLED.contains(state);
        }
    }

    BuildApps(RuntimeProvider runtime, DatabaseProvider databases, BuildWorkspaces workspaces, BuildLogs logs, ProjectService projects, ProjectStore store, BuildStore builds,
            PlatformSettings settings, Clock clock)
    {
        this.builds = requireNonNull(builds, "builds is null");
        this.store = requireNonNull(store, "store is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.scripts = new BuildScripts(runtime, workspaces);
        this.logs = requireNonNull(logs, "logs is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @param search words each of which the app's name, title, summary or category holds (any case)
     * @param applicationsOnly only what Odoo counts as apps, as its Apps menu shows by default
     * @return the build's apps, installed first, then by title
     */
    public List<App> list(Build build, String search, boolean applicationsOnly)
    {
        Branch branch = projects.branch(build.projectId(), build.branch());
        Map<String, Addon> branchAddons = branchAddons(build);
        List<App> apps = new ArrayList<>();
        for (Map<String, Object> row : databases.query(build.databaseName(), listQuery(build), List.of())) {
            String name = String.valueOf(row.get("name"));
            apps.add(new App(name, text(row.get("title"), name), text(row.get("summary"), ""), text(row.get("category"), ""), Boolean.TRUE.equals(row.get("application")),
                    String.valueOf(row.get("state")), branchAddons.containsKey(name), branch.apps().contains(name), branch.appsToRemove().contains(name)));
        }
        Set<String> listed = apps.stream().map(App::name).collect(Collectors.toSet());
        branchAddons.values().stream()
                .filter(addon -> !listed.contains(addon.name()) && addon.manifest().installable())
                .map(addon -> new App(addon.name(), addon.manifest().name(), raw(addon, "summary"), raw(addon, "category"), addon.manifest().application(), "new", true,
                        branch.apps().contains(addon.name()), false))
                .forEach(apps::add);
        List<String> words = search == null ? List.of() : List.of(search.toLowerCase(Locale.ROOT).strip().split("\\s+"));
        return apps.stream()
                .filter(app -> !applicationsOnly || app.application())
                .filter(app -> words.stream().allMatch(word -> Stream.of(app.name(), app.title(), app.summary(), app.category())
                        .anyMatch(text -> text.toLowerCase(Locale.ROOT).contains(word))))
                .sorted(Comparator.comparing((App app) -> !app.installed()).thenComparing(app -> app.title().toLowerCase(Locale.ROOT)))
                .limit(MAX_LISTED)
                .toList();
    }

    /**
     * Where the newest install or uninstall in a build stands.
     *
     * @param state running, installed, uninstalled or failed
     * @param message what happened, for people
     * @param lastLines Odoo's last lines, once it ended
     */
    public record Progress(String module, Operation operation, String who, State state, String message, List<String> lastLines, Instant startedAt, Optional<Instant> finishedAt)
    {
        public enum Operation
        {
            INSTALL, UNINSTALL
        }

        public enum State
        {
            RUNNING, INSTALLED, UNINSTALLED, FAILED
        }

        public Progress
        {
            requireNonNull(module, "module is null");
            requireNonNull(operation, "operation is null");
            requireNonNull(who, "who is null");
            requireNonNull(state, "state is null");
            requireNonNull(message, "message is null");
            lastLines = List.copyOf(requireNonNull(lastLines, "lastLines is null"));
            requireNonNull(startedAt, "startedAt is null");
            requireNonNull(finishedAt, "finishedAt is null");
        }

        Progress ended(State state, String message, List<String> lastLines, Instant at)
        {
            return new Progress(module, operation, who, state, message, lastLines, startedAt, Optional.of(at));
        }
    }

    /**
     * Starts installing an app in a development or staging build's database, beside its server
     * (which then restarts), on a thread of its own: an install takes Odoo a minute or more. Once
     * installed, the app joins the branch's apps. {@link #progress} tells how it goes.
     *
     * @return the install, running
     * @throws StagehandException {@code NOT_FOUND} for an app the build does not offer;
     *         {@code CONFLICT} on production, for one installed already, or while another install
     *         runs in the build
     */
    public Progress install(Build build, String who, String module)
    {
        if (build.stage() == Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Production installs an app through an update (a backup, a snapshot, the install, rolled back if it fails): "
                    + "install it in production, not in build " + build.id());
        }
        App app = installable(build, module);
        return start(build, new Progress(app.name(), Progress.Operation.INSTALL, who, Progress.State.RUNNING, "Odoo installs " + app.name() + " beside the server (install.log)",
                List.of(), clock.instant(), Optional.empty()), started -> install(build, app, started));
    }

    /**
     * Starts uninstalling an app from a development or staging build's database, with the modules
     * that depend on it ({@link #dependents}), beside its server (which then restarts), on a thread
     * of its own. Once uninstalled, they leave the branch's apps. A module of the branch's own that
     * its builds install comes back at its next build.
     *
     * @return the uninstall, running
     * @throws StagehandException {@code NOT_FOUND} for an app the build does not offer;
     *         {@code CONFLICT} on production, for one not installed or one Odoo cannot uninstall, or
     *         while another install or uninstall runs in the build
     */
    public Progress uninstall(Build build, String who, String module)
    {
        if (build.stage() == Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Production uninstalls an app through an update (a backup, a snapshot, the uninstall, rolled back if it fails): "
                    + "uninstall it in production, not in build " + build.id());
        }
        App app = uninstallable(build, module);
        List<String> dependents = dependents(build, app.name());
        return start(build, new Progress(app.name(), Progress.Operation.UNINSTALL, who, Progress.State.RUNNING, "Odoo uninstalls " + app.name()
                        + (dependents.isEmpty() ? "" : " and what depends on it (" + String.join(", ", dependents) + ")") + " beside the server (install.log)",
                List.of(), clock.instant(), Optional.empty()), started -> uninstall(build, app, dependents, started));
    }

    private Progress start(Build build, Progress started, Consumer<Progress> work)
    {
        // What ended a day ago is forgotten.
        installs.values().removeIf(progress -> progress.finishedAt().map(at -> at.isBefore(clock.instant().minus(Duration.ofDays(1)))).orElse(false));
        Progress now = installs.compute(build.id(), (id, current) -> current != null && current.state() == Progress.State.RUNNING ? current : started);
        if (now != started) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " is " + (now.operation() == Progress.Operation.INSTALL ? "installing " : "uninstalling ")
                    + now.module() + "; wait until it is done");
        }
        try {
            workers.execute(() -> work.accept(started));
        }
        catch (RuntimeException e) {
            installs.remove(build.id(), started);
            throw new StagehandException(StandardErrorCode.CONFLICT, "The platform is stopping: nothing is " + (started.operation() == Progress.Operation.INSTALL ? "installed" : "uninstalled")
                    + " now", e);
        }
        return started;
    }

    /**
     * @return the newest install or uninstall in the build since the platform started, if any
     */
    public Optional<Progress> progress(long buildId)
    {
        return Optional.ofNullable(installs.get(buildId));
    }

    private void install(Build build, App app, Progress started)
    {
        String who = started.who();
        Progress ended;
        try {
            note(build, "%s installs %s (%s)".formatted(who, app.name(), app.title()));
            BuildScripts.Result result = scripts.odoo(build, "installing an app", settings.installTimeout(), "-i", app.name());
            result.text().lines().forEach(line -> logs.append(build.id(), LogName.INSTALL, line));
            List<String> last = result.lastLines(40);
            if (result.exitCode() != 0) {
                note(build, "%s: installing %s failed (exit %d)".formatted(who, app.name(), result.exitCode()));
                ended = started.ended(Progress.State.FAILED, "Installing " + app.name() + " failed (exit " + result.exitCode() + "); install.log has Odoo's lines", last, clock.instant());
            }
            else {
                choose(build, app.name());
                note(build, "%s installed %s; the server restarts".formatted(who, app.name()));
                scripts.restart(build, "installing an app");
                ended = started.ended(Progress.State.INSTALLED, app.name() + " installed; the server restarted", last, clock.instant());
            }
        }
        catch (RuntimeException e) {
            log.warn("Installing {} in build {} failed", app.name(), build.id(), e);
            ended = started.ended(Progress.State.FAILED, "Installing " + app.name() + " failed: " + e.getMessage(), List.of(), clock.instant());
        }
        finally {
            logs.flush(build.id(), LogName.INSTALL);
        }
        installs.put(build.id(), ended);
    }

    private void uninstall(Build build, App app, List<String> dependents, Progress started)
    {
        String who = started.who();
        Progress ended;
        try {
            note(build, "%s uninstalls %s (%s)%s".formatted(who, app.name(), app.title(), dependents.isEmpty() ? "" : ", and what depends on it: " + String.join(", ", dependents)));
            BuildScripts.Result result = scripts.odooShell(build, "uninstalling an app", settings.installTimeout(), AppUninstall.script(List.of(app.name())));
            result.text().lines().forEach(line -> logs.append(build.id(), LogName.INSTALL, line));
            List<String> last = result.lastLines(40);
            if (result.exitCode() != 0) {
                note(build, "%s: uninstalling %s failed (exit %d)".formatted(who, app.name(), result.exitCode()));
                ended = started.ended(Progress.State.FAILED, "Uninstalling " + app.name() + " failed (exit " + result.exitCode() + "); install.log has Odoo's lines", last, clock.instant());
            }
            else {
                List<String> removed = new ArrayList<>(dependents);
                removed.add(app.name());
                store.changeBranchApps(build.projectId(), build.branch(), List.of(), removed);
                note(build, "%s uninstalled %s; the server restarts".formatted(who, app.name()));
                scripts.restart(build, "uninstalling an app");
                ended = started.ended(Progress.State.UNINSTALLED, app.name() + " uninstalled" + (dependents.isEmpty() ? "" : " with " + String.join(", ", dependents)) + "; the server restarted",
                        last, clock.instant());
            }
        }
        catch (RuntimeException e) {
            log.warn("Uninstalling {} in build {} failed", app.name(), build.id(), e);
            ended = started.ended(Progress.State.FAILED, "Uninstalling " + app.name() + " failed: " + e.getMessage(), List.of(), clock.instant());
        }
        finally {
            logs.flush(build.id(), LogName.INSTALL);
        }
        installs.put(build.id(), ended);
    }

    @Override
    public void close()
    {
        workers.shutdownNow();
    }

    /**
     * Installs an app in production: the app joins the branch's apps and production is updated
     * on its head, which installs it ({@code ProductionPipeline}: an update backup, a snapshot, the
     * install; a failure puts database, filestore and code back, and the app leaves the branch's
     * apps again).
     *
     * @return the production build that installs it, queued
     * @throws StagehandException {@code NOT_FOUND} for an app production does not offer;
     *         {@code CONFLICT} for one installed already, or a build not production's
     */
    public Build installInProduction(Build build, String module)
    {
        if (build.stage() != Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " is " + build.stage().name().toLowerCase(Locale.ROOT)
                    + "'s: install the app in it directly");
        }
        App app = installable(build, module);
        requireServingHead(build, "install " + app.name());
        store.changeBranchApps(build.projectId(), build.branch(), List.of(app.name()), List.of());
        return projects.rebuild(build.id());
    }

    /**
     * Uninstalls an app from production: production's next update, started now on the commit it
     * serves, uninstalls it with the modules that depend on it ({@code ProductionPipeline}: an
     * update backup, a snapshot, the uninstall; a failure puts database, filestore and code back).
     * Once uninstalled, they leave the branch's apps.
     *
     * @return the production build that uninstalls it, queued
     * @throws StagehandException {@code NOT_FOUND} for an app production does not offer;
     *         {@code CONFLICT} for one not installed, one Odoo cannot uninstall, one the branch's
     *         updates would install again, or a build not production's
     */
    public Build uninstallInProduction(Build build, String module)
    {
        if (build.stage() != Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " is " + build.stage().name().toLowerCase(Locale.ROOT)
                    + "'s: uninstall the app in it directly");
        }
        App app = uninstallable(build, module);
        List<String> removed = new ArrayList<>(dependents(build, app.name()));
        removed.add(0, app.name());
        Branch branch = projects.branch(build.projectId(), build.branch());
        List<String> reinstalled = removed.stream().filter(branchModules(build, branch)::contains).toList();
        if (reinstalled.contains(app.name())) {
            throw new StagehandException(StandardErrorCode.CONFLICT, app.name() + " is one of the branch's modules (its settings' " + moduleSelectionName(branch)
                    + "), which production installs at every update: take it out of the branch first, then uninstall it");
        }
        if (!reinstalled.isEmpty()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Uninstalling " + app.name() + " would uninstall " + String.join(", ", reinstalled) + ", which production installs at "
                    + "every update as " + (reinstalled.size() == 1 ? "one" : "some") + " of the branch's modules (its settings' " + moduleSelectionName(branch) + "): take "
                    + (reinstalled.size() == 1 ? "it" : "them") + " out of the branch first, then uninstall " + app.name());
        }
        requireServingHead(build, "uninstall " + app.name());
        store.changeAppsToRemove(build.projectId(), build.branch(), List.of(app.name()), List.of());
        return projects.rebuild(build.id());
    }

    /**
     * @return the modules installed in the build's database that depend on {@code module}, directly
     *         or not, as Odoo's {@code downstream_dependencies} finds them: uninstalling it
     *         uninstalls them too. Sorted.
     */
    public List<String> dependents(Build build, String module)
    {
        if (!ModuleNames.isValid(module)) {
            return List.of();
        }
        return databases.query(build.databaseName(), """
                        WITH RECURSIVE down (name) AS (
                            SELECT CAST(? AS varchar)
                            UNION
                            SELECT m.name FROM public.ir_module_module_dependency d
                            JOIN public.ir_module_module m ON m.id = d.module_id
                            JOIN down ON d.name = down.name
                            WHERE m.state NOT IN ('uninstalled', 'uninstallable', 'to remove'))
                        SELECT name FROM down WHERE name <> ? ORDER BY name LIMIT 1000
                        """, List.of(module, module)).stream()
                .map(row -> String.valueOf(row.get("name")))
                .toList();
    }

    // The app alone: production updated on the commit it serves, nothing else pending that could
    // fail the update (and take the app's change back with it). A newer build that ended without
    // serving (an app that failed to install) is no update pending.
    private void requireServingHead(Build build, String what)
    {
        Optional<String> head = store.branchHead(build.projectId(), build.branch());
        boolean pending = builds.listBuilds(build.projectId(), build.branch()).stream()
                .anyMatch(newer -> newer.id() > build.id() && (!newer.state().isTerminal() || !newer.commitId().equals(build.commitId())));
        if (pending || head.isPresent() && !head.get().equals(build.commitId())) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Production's branch has a newer commit or build than build " + build.id()
                    + " serves: let production update to it first, then " + what);
        }
    }

    private App uninstallable(Build build, String module)
    {
        App app = offered(build, module, "uninstalling an app");
        if (AppUninstall.SERVER_WIDE.contains(app.name())) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Odoo cannot uninstall " + app.name() + ": every Odoo server loads it (server_wide_modules)");
        }
        if (!app.installed()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, app.name() + " is not installed in build " + build.id() + " (" + app.state() + ")");
        }
        if (app.toRemove()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Production uninstalls " + app.name() + " at its next update already");
        }
        return app;
    }

    // What the branch's updates install whatever its database has: its modules as its settings select them.
    private Set<String> branchModules(Build build, Branch branch)
    {
        Path source = workspaces.source(build.id());
        if (!Files.isDirectory(source)) {
            return Set.copyOf(branch.explicitModules());
        }
        return Set.copyOf(AddonScanner.scan(source, Set.of()).modulesToInstall(branch.moduleSelection(), branch.explicitModules()));
    }

    private static String moduleSelectionName(Branch branch)
    {
        return switch (branch.moduleSelection()) {
            case OWN_MODULES -> "\"its own modules\"";
            case ALL -> "\"all modules\"";
            case EXPLICIT -> "module list";
        };
    }

    private App installable(Build build, String module)
    {
        App app = offered(build, module, "installing an app");
        if (app.installed()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, app.name() + " is installed in build " + build.id() + " already");
        }
        return app;
    }

    private App offered(Build build, String module, String what)
    {
        if (module == null || !ModuleNames.isValid(module)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "'" + module + "' is not a module's name (lowercase letters, digits and '_')");
        }
        BuildScripts.requireRunning(build, what);
        Stage now = projects.branch(build.projectId(), build.branch()).stage();
        if (now != build.stage()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " was built for " + build.branch() + " on " + build.stage().name().toLowerCase(Locale.ROOT)
                    + ", which is " + now.name().toLowerCase(Locale.ROOT) + " now: change its apps in one of its newer builds");
        }
        App app = list(build, module, false).stream()
                .filter(candidate -> candidate.name().equals(module))
                .findFirst()
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "Build " + build.id() + " offers no app " + module
                        + ": neither its image nor its branch has it (an uninstallable one is not offered)"));
        return app;
    }

    private void choose(Build build, String module)
    {
        store.changeBranchApps(build.projectId(), build.branch(), List.of(module), List.of());
    }

    private void note(Build build, String line)
    {
        logs.append(build.id(), LogName.INSTALL, clock.instant() + " Apps: " + line);
    }

    // Databases made before Odoo had categories (or by an older test server) list no category.
    private String listQuery(Build build)
    {
        boolean categories = !databases.query(build.databaseName(), """
                SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'ir_module_module' AND column_name = 'category_id'
                """, List.of()).isEmpty();
        return """
                SELECT m.name, m.state, m.application, left(m.shortdesc->>'en_US', 200) AS title, left(m.summary->>'en_US', 500) AS summary, left(%s, 200) AS category
                FROM public.ir_module_module m
                WHERE m.state <> 'uninstallable'
                ORDER BY m.name
                LIMIT %d
                """.formatted(categories ? CATEGORY_PATH : "NULL", MAX_LISTED);
    }

    // The branch's addons, as its checkout has them (production's: its serving build's).
    private Map<String, Addon> branchAddons(Build build)
    {
        Path source = workspaces.source(build.id());
        if (!Files.isDirectory(source)) {
            return Map.of();
        }
        Map<String, Addon> addons = new LinkedHashMap<>();
        AddonScanner.scan(source, Set.of()).addons().forEach(addon -> addons.putIfAbsent(addon.name(), addon));
        return addons;
    }

    private static String raw(Addon addon, String key)
    {
        return Optional.ofNullable(addon.manifest().raw().get(key)).filter(String.class::isInstance).map(String.class::cast).orElse("");
    }

    private static String text(Object value, String otherwise)
    {
        return value == null || Objects.toString(value).isBlank() ? otherwise : Objects.toString(value);
    }
}
