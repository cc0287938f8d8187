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
 * @param testTags the {@code --test-tags} of development builds, if any
 */
public record Branch(String projectId, String name, Stage stage, ModuleSelection moduleSelection, List<String> explicitModules, Optional<String> testTags)
{
    public Branch
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(name, "name is null");
        requireNonNull(stage, "stage is null");
        requireNonNull(moduleSelection, "moduleSelection is null");
        explicitModules = List.copyOf(requireNonNull(explicitModules, "explicitModules is null"));
        requireNonNull(testTags, "testTags is null");
    }

    public static Branch development(String projectId, String name)
    {
        return new Branch(projectId, name, Stage.DEVELOPMENT, ModuleSelection.OWN_MODULES, List.of(), Optional.empty());
    }

    public Branch withStage(Stage stage)
    {
        return new Branch(projectId, name, stage, moduleSelection, explicitModules, testTags);
    }
}
