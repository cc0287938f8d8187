package sh.stagehand.core.odoo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * What an existing database needs to run a new revision, as Odoo.sh decides it: the modules of the
 * revision installed in the database whose manifest version differs from the database's
 * {@code latest_version} are updated ({@code -u}); the selected modules the database does not have
 * are installed ({@code -i}). Nothing else is touched: a module whose version did not change keeps
 * its data as it is, whatever its code became. Apps asked to be uninstalled and installed are
 * uninstalled ({@link #withUninstall}), after the update.
 *
 * @param toUpdate the modules to update, sorted
 * @param toInstall the modules to install, sorted
 * @param toUninstall the apps to uninstall (with the modules that depend on them), in the order asked
 * @param versions for each module to update, its version in the database and in the revision
 */
public record ModuleChanges(List<String> toUpdate, List<String> toInstall, List<String> toUninstall, Map<String, String> versions)
{
    // Odoo's states of a module that is in the database (a transient 'to upgrade' is installed).
    private static final Set<String> INSTALLED_STATES = Set.of("installed", "to upgrade", "to remove");

    public ModuleChanges
    {
        toUpdate = List.copyOf(requireNonNull(toUpdate, "toUpdate is null"));
        toInstall = List.copyOf(requireNonNull(toInstall, "toInstall is null"));
        toUninstall = List.copyOf(requireNonNull(toUninstall, "toUninstall is null"));
        versions = Map.copyOf(requireNonNull(versions, "versions is null"));
    }

    /**
     * A module as the database has it: a row of {@code ir_module_module}.
     */
    public record InstalledModule(String name, String state, String latestVersion)
    {
        public InstalledModule
        {
            requireNonNull(name, "name is null");
            requireNonNull(state, "state is null");
            requireNonNull(latestVersion, "latestVersion is null");
        }

        public boolean isInstalled()
        {
            return INSTALLED_STATES.contains(state);
        }
    }

    /**
     * @param addons the revision's addons
     * @param selected the modules the branch installs (its own, or its explicit list)
     * @param database the database's modules, by name
     * @param series the Odoo series of the server, to read manifest versions as Odoo stores them
     */
    public static ModuleChanges between(AddonScan addons, List<String> selected, Map<String, InstalledModule> database, String series)
    {
        List<String> toUpdate = new ArrayList<>();
        Map<String, String> versions = new LinkedHashMap<>();
        for (Addon addon : addons.addons()) {
            InstalledModule installed = database.get(addon.name());
            if (installed == null || !installed.isInstalled()) {
                continue;
            }
            String version = addon.manifest().odooVersion(series).toString();
            if (!version.equals(installed.latestVersion())) {
                toUpdate.add(addon.name());
                versions.put(addon.name(), installed.latestVersion() + " → " + version);
            }
        }
        List<String> toInstall = selected.stream()
                .filter(module -> database.get(module) == null || !database.get(module).isInstalled())
                .sorted()
                .toList();
        return new ModuleChanges(toUpdate.stream().sorted().toList(), toInstall, List.of(), versions);
    }

    /**
     * These changes, then the apps uninstalled that the database has installed and these changes
     * do not install.
     */
    public ModuleChanges withUninstall(List<String> apps, Map<String, InstalledModule> database)
    {
        List<String> installed = apps.stream()
                .filter(app -> database.get(app) != null && database.get(app).isInstalled() && !toInstall.contains(app))
                .distinct()
                .toList();
        return new ModuleChanges(toUpdate, toInstall, installed, versions);
    }

    public boolean isEmpty()
    {
        return toUpdate.isEmpty() && toInstall.isEmpty() && toUninstall.isEmpty();
    }

    /**
     * "update sale_custom (17.0.1.0 → 17.0.1.1); install stock_custom; uninstall crm", or "nothing to update".
     */
    public String describe()
    {
        List<String> parts = new ArrayList<>();
        if (!toUpdate.isEmpty()) {
            parts.add("update " + String.join(", ", toUpdate.stream().map(module -> module + " (" + versions.get(module) + ")").toList()));
        }
        if (!toInstall.isEmpty()) {
            parts.add("install " + String.join(", ", toInstall));
        }
        if (!toUninstall.isEmpty()) {
            parts.add("uninstall " + String.join(", ", toUninstall));
        }
        return parts.isEmpty() ? "nothing to update" : String.join("; ", parts);
    }
}
