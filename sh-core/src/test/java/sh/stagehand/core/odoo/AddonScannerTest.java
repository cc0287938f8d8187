package sh.stagehand.core.odoo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

class AddonScannerTest
{
    private static final List<String> SUBMODULES = List.of("oca-web", "server tools");

    @TempDir
    Path workspace;

    @Test
    void testOdooShLayout()
            throws IOException
    {
        addon("sale_custom", "{'name': 'Sale Custom', 'version': '17.0.1.0.0', 'depends': ['sale']}");
        addon("stock_custom", "{'name': 'Stock Custom', 'depends': ['stock']}");
        addon("old_module", "{'name': 'Old', 'installable': False}");
        addon("oca-web/web_responsive", "{'name': 'Web Responsive', 'depends': ['web']}");
        addon("oca-web/web_environment_ribbon", "{'name': 'Ribbon', 'depends': ['web']}");
        addon("oca-web/web_broken_port", "{'name': 'Not ported yet', 'installable': False}");
        addon("custom/partner_custom", "{'name': 'Partner Custom', 'depends': ['contacts']}");
        Files.createDirectories(workspace.resolve("oca-web/setup/web_responsive/odoo/addons"));
        Files.createDirectories(workspace.resolve("docs"));
        Files.writeString(workspace.resolve("requirements.txt"), "requests\n");

        AddonScan scan = AddonScanner.scan(workspace, SUBMODULES);

        assertThat(scan.addons()).extracting(Addon::relativePath).containsExactly(
                "old_module", "sale_custom", "stock_custom",
                "custom/partner_custom",
                "oca-web/web_broken_port", "oca-web/web_environment_ribbon", "oca-web/web_responsive");
        assertThat(scan.addon("web_responsive")).hasValueSatisfying(addon -> {
            assertThat(addon.inSubmodule()).isTrue();
            assertThat(addon.addonsDirectory()).isEqualTo("oca-web");
            assertThat(addon.manifest().name()).isEqualTo("Web Responsive");
            assertThat(addon.manifest().depends()).containsExactly("web");
        });
        assertThat(scan.addon("sale_custom")).hasValueSatisfying(addon -> {
            assertThat(addon.inSubmodule()).isFalse();
            assertThat(addon.addonsDirectory()).isEmpty();
            assertThat(addon.manifest().version()).contains("17.0.1.0.0");
        });
        assertThat(scan.addon("partner_custom")).hasValueSatisfying(addon -> assertThat(addon.inSubmodule()).isFalse());
        assertThat(scan.addon("missing")).isEmpty();
        assertThat(scan.submodulePaths()).containsExactlyInAnyOrder("oca-web", "server tools");
        assertThat(scan.addonsDirectories()).containsExactly("", "custom", "oca-web");
        assertThat(scan.addonsPath("/mnt/extra-addons")).containsExactly("/mnt/extra-addons", "/mnt/extra-addons/custom", "/mnt/extra-addons/oca-web");
        assertThat(scan.addonsPath("/mnt/extra-addons/")).containsExactly("/mnt/extra-addons", "/mnt/extra-addons/custom", "/mnt/extra-addons/oca-web");
    }

    @Test
    void testModuleSelection()
            throws IOException
    {
        addon("sale_custom", "{'depends': ['sale']}");
        addon("stock_custom", "{'depends': ['stock']}");
        addon("old_module", "{'installable': False}");
        addon("oca-web/web_responsive", "{'depends': ['web']}");
        addon("oca-web/web_broken_port", "{'installable': False}");
        addon("custom/partner_custom", "{}");
        AddonScan scan = AddonScanner.scan(workspace, SUBMODULES);

        assertThat(scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of())).containsExactly("partner_custom", "sale_custom", "stock_custom");
        assertThat(scan.modulesToInstall(ModuleSelection.ALL, List.of())).containsExactly("partner_custom", "sale_custom", "stock_custom", "web_responsive");
        assertThat(scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of("web_responsive", "sale_custom", "web_responsive"))).containsExactly("web_responsive", "sale_custom");
        assertThat(scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of())).isEmpty();
        // The explicit list is ignored by the other settings.
        assertThat(scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of("web_responsive"))).doesNotContain("web_responsive");
    }

    @Test
    void testExplicitSelectionOfUnknownModules()
            throws IOException
    {
        addon("sale_custom", "{}");
        addon("stock_custom", "{}");
        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of("sale_custom", "sale_cutsom")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.UNKNOWN_MODULE.toErrorCode()))
                .hasMessage("The branch's module list names module sale_cutsom, not found in the repository (found: sale_custom, stock_custom). Fix the list, or add the module to the repository");
        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of("a", "b")))
                .isInstanceOf(StagehandException.class)
                .hasMessageStartingWith("The branch's module list names modules a, b, not found");
        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of("Sale Custom")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MODULE_NAME.toErrorCode()))
                .hasMessageContaining("Module name 'Sale Custom' is not valid");
    }

    @Test
    void testExplicitSelectionOfUninstallableModule()
            throws IOException
    {
        addon("old_module", "{'installable': False}");
        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of("old_module")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.UNINSTALLABLE_MODULE.toErrorCode()))
                .hasMessageContaining("the __manifest__.py of old_module says 'installable': False");
    }

    @Test
    void testRepositoryWithoutAddons()
            throws IOException
    {
        Files.createDirectories(workspace.resolve("docs"));
        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThat(scan.addons()).isEmpty();
        assertThat(scan.addonsDirectories()).isEmpty();
        assertThat(scan.addonsPath("/mnt/extra-addons")).isEmpty();
        assertThat(scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of())).isEmpty();
        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of("sale_custom")))
                .hasMessageContaining("(found: no addon at all)");
    }

    @Test
    void testOnlySubdirectoryAddonsLeaveRootOutOfAddonsPath()
            throws IOException
    {
        addon("addons/my_module", "{}");

        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThat(scan.addonsDirectories()).containsExactly("addons");
        assertThat(scan.addonsPath("/mnt/extra-addons")).containsExactly("/mnt/extra-addons/addons");
        assertThat(scan.addonsPath("/")).containsExactly("/addons");
    }

    @Test
    void testSubmoduleThatIsItselfAnAddon()
            throws IOException
    {
        addon("vendored_module", "{}");

        AddonScan scan = AddonScanner.scan(workspace, List.of("vendored_module"));

        assertThat(scan.addon("vendored_module")).hasValueSatisfying(addon -> assertThat(addon.inSubmodule()).isTrue());
        assertThat(scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of())).isEmpty();
        assertThat(scan.modulesToInstall(ModuleSelection.ALL, List.of())).containsExactly("vendored_module");
    }

    @Test
    void testSkipsHiddenCacheSetupAndDeeperDirectories()
            throws IOException
    {
        addon(".git/hidden_module", "{}");
        addon(".hidden_module", "{}");
        addon("__pycache__", "{}");
        addon("setup/packaged_module", "{}");
        addon("a/b/too_deep", "{}");
        addon("real_module", "{}");

        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThat(scan.addons()).extracting(Addon::name).containsExactly("real_module");
    }

    @Test
    void testNeverFollowsSymbolicLinks(@TempDir Path outside)
            throws IOException
    {
        Path hostDirectory = outside.resolve("host_addons");
        Files.createDirectories(hostDirectory.resolve("host_module"));
        Files.writeString(hostDirectory.resolve("host_module/__manifest__.py"), "{'name': 'from the host'}");
        Files.createDirectories(outside.resolve("linked_module"));
        Files.writeString(outside.resolve("linked_module/__manifest__.py"), "{'name': 'linked'}");
        Files.createSymbolicLink(workspace.resolve("linked_addons"), hostDirectory);
        Files.createSymbolicLink(workspace.resolve("linked_module"), outside.resolve("linked_module"));
        addon("real_module", "{}");

        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThat(scan.addons()).extracting(Addon::name).containsExactly("real_module");
        assertThat(scan.addonsDirectories()).containsExactly("");
    }

    @Test
    void testRefusesLinkedManifest(@TempDir Path outside)
            throws IOException
    {
        Path secret = Files.writeString(outside.resolve("secret.txt"), "root:x:0:0:root:/root:/bin/bash\n");
        Files.createDirectories(workspace.resolve("sneaky"));
        Files.createSymbolicLink(workspace.resolve("sneaky/__manifest__.py"), secret);

        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThat(scan.addons()).isEmpty();
        assertThat(scan.invalidAddons()).singleElement().satisfies(invalid -> {
            assertThat(invalid.name()).isEqualTo("sneaky");
            assertThat(invalid.errorCode()).isEqualTo(OdooErrorCode.INVALID_WORKSPACE.toErrorCode());
            assertThat(invalid.problem()).isEqualTo("sneaky/__manifest__.py is a symbolic link, and links are never followed out of a repository: replace it with the manifest itself")
                    .doesNotContain("root:x");
        });
        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_WORKSPACE.toErrorCode()))
                .hasMessageStartingWith("Addon sneaky cannot be installed. sneaky/__manifest__.py is a symbolic link");
    }

    @Test
    void testInvalidManifestDoesNotStopTheScanAndFailsTheBuildsThatInstallIt()
            throws IOException
    {
        addon("sale_custom", "{}");
        addon("oca-web/web_broken", "{\n    'name': 'Broken'\n    'depends': ['web'],\n}\n");
        addon("oca-web/web_fine", "{}");

        AddonScan scan = AddonScanner.scan(workspace, List.of("oca-web"));

        assertThat(scan.addons()).extracting(Addon::name).containsExactly("sale_custom", "web_fine");
        assertThat(scan.addonsDirectories()).containsExactly("", "oca-web");
        assertThat(scan.invalidAddons()).singleElement().satisfies(invalid -> {
            assertThat(invalid.name()).isEqualTo("web_broken");
            assertThat(invalid.inSubmodule()).isTrue();
            assertThat(invalid.odooRefuses()).as("Odoo's literal_eval fails on it too").isTrue();
            assertThat(invalid.problem()).startsWith("Cannot read oca-web/web_broken/__manifest__.py at line 3, column 14:")
                    .contains("Fix the __manifest__.py of addon web_broken");
        });
        // The branch's own modules leave the submodule's broken addon alone, as Odoo would.
        assertThat(scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of())).containsExactly("sale_custom");
        assertThat(scan.invalidAddonsNotSelected(ModuleSelection.OWN_MODULES, List.of())).extracting(InvalidAddon::name).containsExactly("web_broken");
        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.ALL, List.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MANIFEST.toErrorCode()))
                .hasMessageStartingWith("Addon web_broken cannot be installed. Cannot read oca-web/web_broken/__manifest__.py at line 3, column 14:");
        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of("sale_custom", "web_broken")))
                .hasMessageStartingWith("Addon web_broken cannot be installed.");
        assertThat(scan.modulesToInstall(ModuleSelection.EXPLICIT, List.of("web_fine"))).containsExactly("web_fine");
    }

    @Test
    void testEveryInvalidAddonOfTheSelectionIsNamed()
            throws IOException
    {
        addon("sale_custom", "{'depends': 'sale'}");
        addon("stock_custom", "{'installable': 'yes', 'version': 17.0}");
        addon("fine", "{}");

        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThat(scan.invalidAddons()).extracting(InvalidAddon::name, InvalidAddon::odooRefuses)
                .containsExactly(tuple("sale_custom", false), tuple("stock_custom", true));
        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of()))
                .hasMessageStartingWith("2 addons cannot be installed: sale_custom, stock_custom.\n")
                .hasMessageContaining("'depends' must be a list of module names such as ['base', 'mail'], found a string 'sale'")
                .hasMessageContaining("'version' must be a version such as '17.0.1.0.0' or '1.0', found a float 17.0");
    }

    @Test
    void testDuplicateModule()
            throws IOException
    {
        addon("web_responsive", "{}");
        addon("oca-web/web_responsive", "{}");

        assertThatThrownBy(() -> AddonScanner.scan(workspace, List.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.DUPLICATE_MODULE.toErrorCode()))
                .hasMessageContaining("Addon web_responsive is in the repository twice, at web_responsive and at oca-web/web_responsive")
                .hasMessageContaining("Remove or rename one of them");
    }

    @Test
    void testAddonWithListOfEntriesExternalDependenciesIsScanned()
            throws IOException
    {
        addon("phone_extra", "{'depends': ['base'], 'external_dependencies': [{'pypi': 'phonenumbers', 'apt': 'python3-phonenumbers', 'optional': True}]}");
        addon("sale_custom", "{}");

        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThat(scan.invalidAddons()).isEmpty();
        assertThat(scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of())).containsExactly("phone_extra", "sale_custom");
        assertThat(scan.addon("phone_extra").orElseThrow().manifest().externalDependencies().python()).containsExactly("phonenumbers");
    }

    @Test
    void testInvalidAddonDirectoryName()
            throws IOException
    {
        addon("My-Module", "{}");

        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThat(scan.invalidAddons()).singleElement().satisfies(invalid -> {
            assertThat(invalid.errorCode()).isEqualTo(OdooErrorCode.INVALID_MODULE_NAME.toErrorCode());
            assertThat(invalid.odooRefuses()).isFalse();
            assertThat(invalid.problem()).contains("Directory My-Module holds a __manifest__.py, but 'My-Module' is not a valid module name");
        });
        assertThatThrownBy(() -> scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MODULE_NAME.toErrorCode()));
    }

    @Test
    void testManifestAtRepositoryRoot()
            throws IOException
    {
        Files.writeString(workspace.resolve("__manifest__.py"), "{'name': 'single module repository'}");

        assertThatThrownBy(() -> AddonScanner.scan(workspace, List.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_WORKSPACE.toErrorCode()))
                .hasMessageContaining("move the module into a directory named after it");
    }

    @Test
    void testMissingWorkspace()
    {
        assertThatThrownBy(() -> AddonScanner.scan(workspace.resolve("missing"), List.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()))
                .hasMessageContaining("check the revision out first");
    }

    @Test
    void testInvalidMountPoint()
            throws IOException
    {
        addon("sale_custom", "{}");
        AddonScan scan = AddonScanner.scan(workspace, List.of());

        assertThatThrownBy(() -> scan.addonsPath("relative/path"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
        assertThatThrownBy(() -> scan.addonsPath("/mnt/a,b"))
                .isInstanceOf(StagehandException.class);
    }

    private void addon(String relativePath, String manifest)
            throws IOException
    {
        Path directory = workspace.resolve(relativePath);
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("__init__.py"), "");
        Files.writeString(directory.resolve("__manifest__.py"), manifest);
    }
}
