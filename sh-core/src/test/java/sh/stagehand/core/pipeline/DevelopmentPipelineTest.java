package sh.stagehand.core.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.odoo.AddonScan;
import sh.stagehand.core.odoo.AddonScanner;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevelopmentPipelineTest
{
    @Test
    void testWithoutBranchTagsTheBuildTestsTheModulesItInstalls()
    {
        Branch branch = Branch.development("acme", "main");

        assertThat(DevelopmentPipeline.testTags(branch, List.of("sale_extra", "stock_extra"))).contains("/sale_extra,/stock_extra");
    }

    @Test
    void testWithoutModulesOfItsOwnTheBuildRunsNoTests()
    {
        assertThat(DevelopmentPipeline.testTags(Branch.development("acme", "main"), List.of())).isEmpty();
    }

    @Test
    void testBranchTagsAreUsedAsTheyAre()
    {
        Branch branch = new Branch("acme", "main", Branch.development("acme", "main").stage(), Branch.development("acme", "main").moduleSelection(),
                List.of(), Optional.of("standard,-slow"), false, OnNewCommit.NEW_BUILD, List.of());

        assertThat(DevelopmentPipeline.testTags(branch, List.of("sale_extra"))).contains("standard,-slow");
        assertThat(DevelopmentPipeline.testTags(branch, List.of())).contains("standard,-slow");
    }

    // A submodule's addon the build does not install: Odoo 17 still reads its manifest when it creates the database.
    @Test
    void testAnAddonOdooCannotReadFailsTheBuildEvenWhenNotInstalled(@TempDir Path workspace)
            throws IOException
    {
        addon(workspace, "sale_custom", "{}");
        addon(workspace, "vendor/broken_vendor", "{'name': 'Vendor' 'depends': ['base']}");
        AddonScan scan = AddonScanner.scan(workspace, List.of("vendor"));
        Branch branch = Branch.development("acme", "main");

        assertThatThrownBy(() -> RevisionSources.addonsPathNotes(scan, branch, scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of())))
                .hasMessageStartingWith("Addon broken_vendor at vendor/broken_vendor is not one this build installs, but Odoo reads every manifest on the addons path")
                .hasMessageContaining("Cannot read vendor/broken_vendor/__manifest__.py at line 1");
    }

    // One only the platform refuses (Odoo reads it): noted, and the build goes on.
    @Test
    void testAnAddonOnlyThePlatformRefusesIsNotedWhenNotInstalled(@TempDir Path workspace)
            throws IOException
    {
        addon(workspace, "sale_custom", "{'external_dependencies': [{'pypi': 'phonenumbers'}]}");
        addon(workspace, "vendor/sloppy_vendor", "{'depends': 'base'}");
        AddonScan scan = AddonScanner.scan(workspace, List.of("vendor"));

        List<String> notes = RevisionSources.addonsPathNotes(scan, Branch.development("acme", "main"), scan.modulesToInstall(ModuleSelection.OWN_MODULES, List.of()));

        assertThat(notes).hasSize(2);
        assertThat(notes.get(0)).startsWith("[stagehand] Addon sloppy_vendor at vendor/sloppy_vendor is not installed by this build, and could not be: Invalid vendor/sloppy_vendor/__manifest__.py");
        assertThat(notes.get(1)).startsWith("[stagehand] Addon sale_custom declares external_dependencies as a list of entries; Odoo 17 reads only");
    }

    private static void addon(Path workspace, String relativePath, String manifest)
            throws IOException
    {
        Path directory = Files.createDirectories(workspace.resolve(relativePath));
        Files.writeString(directory.resolve("__init__.py"), "");
        Files.writeString(directory.resolve("__manifest__.py"), manifest);
    }
}
