package sh.stagehand.core.odoo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.odoo.ModuleChanges.InstalledModule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModuleChangesTest
{
    @Test
    void testUpdatesInstalledModulesWhoseVersionChangedAndInstallsNewOnes(@TempDir Path workspace)
            throws IOException
    {
        addon(workspace, "sale_custom", "1.1");           // 17.0.1.1 once adapted, as Odoo stores it
        addon(workspace, "stock_custom", "17.0.1.0.0");   // unchanged
        addon(workspace, "crm_custom", "17.0.2.0.0");     // downgraded versions count as changes too
        addon(workspace, "report_custom", "17.0.1.0.0");  // new
        addon(workspace, "uninstalled_custom", "17.0.3.0.0");
        AddonScan scan = AddonScanner.scan(workspace, List.of());
        Map<String, InstalledModule> database = Map.of(
                "base", installed("base", "17.0.1.3"),
                "sale_custom", installed("sale_custom", "17.0.1.0"),
                "stock_custom", installed("stock_custom", "17.0.1.0.0"),
                "crm_custom", installed("crm_custom", "17.0.3.0.0"),
                "uninstalled_custom", new InstalledModule("uninstalled_custom", "uninstalled", "17.0.1.0.0"));

        ModuleChanges changes = ModuleChanges.between(scan, List.of("sale_custom", "stock_custom", "crm_custom", "report_custom"), database, OdooVersion.DEFAULT_SERIES);

        assertThat(changes.toUpdate()).containsExactly("crm_custom", "sale_custom");
        assertThat(changes.toInstall()).containsExactly("report_custom");
        assertThat(changes.describe()).isEqualTo("update crm_custom (17.0.3.0.0 → 17.0.2.0.0), sale_custom (17.0.1.0 → 17.0.1.1); install report_custom");
    }

    @Test
    void testNothingToDoWhenNoVersionMovedAndNothingIsNew(@TempDir Path workspace)
            throws IOException
    {
        addon(workspace, "sale_custom", "17.0.1.0.0");
        ModuleChanges changes = ModuleChanges.between(AddonScanner.scan(workspace, List.of()), List.of("sale_custom"),
                Map.of("sale_custom", new InstalledModule("sale_custom", "to upgrade", "17.0.1.0.0")), OdooVersion.DEFAULT_SERIES);
        assertThat(changes.isEmpty()).isTrue();
        assertThat(changes.describe()).isEqualTo("nothing to update");
    }

    @Test
    void testUninstallsTheAppsAskedThatAreInstalledAndNotBeingInstalled(@TempDir Path workspace)
            throws IOException
    {
        addon(workspace, "sale_custom", "17.0.1.0.0");
        Map<String, InstalledModule> database = Map.of(
                "sale_custom", installed("sale_custom", "17.0.1.0.0"),
                "crm", installed("crm", "17.0.1.9"),
                "website", new InstalledModule("website", "uninstalled", ""));
        ModuleChanges changes = ModuleChanges.between(AddonScanner.scan(workspace, List.of()), List.of("sale_custom", "project"), database, OdooVersion.DEFAULT_SERIES)
                .withUninstall(List.of("crm", "website", "project", "crm", "absent"), database);

        assertThat(changes.toUninstall()).containsExactly("crm");
        assertThat(changes.isEmpty()).isFalse();
        assertThat(changes.describe()).isEqualTo("install project; uninstall crm");
        assertThat(ModuleChanges.between(AddonScanner.scan(workspace, List.of()), List.of("sale_custom"), database, OdooVersion.DEFAULT_SERIES)
                .withUninstall(List.of("crm"), database).describe()).isEqualTo("uninstall crm");
    }

    private static InstalledModule installed(String name, String version)
    {
        return new InstalledModule(name, "installed", version);
    }

    private static void addon(Path workspace, String name, String version)
            throws IOException
    {
        Files.createDirectories(workspace.resolve(name));
        Files.writeString(workspace.resolve(name).resolve("__manifest__.py"), "{'name': '%s', 'version': '%s', 'depends': ['base']}".formatted(name, version));
        Files.writeString(workspace.resolve(name).resolve("__init__.py"), "");
    }
}
