package sh.stagehand.core.odoo;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ImageRecipe;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

class RequirementsRecipeTest
{
    @Test
    void testEachFileIsInstalledFromItsDirectoryInOrder()
    {
        ImageRecipe recipe = RequirementsRecipe.of(files("requirements.txt", "requests\n", "oca-web/requirements.txt", "-r ../requirements.txt\n"), Optional.of("acme")).orElseThrow();

        assertThat(recipe.sourceDirectory()).isEqualTo("/tmp/stagehand-source");
        assertThat(recipe.outputDirectory()).isEqualTo("/tmp/stagehand-pip-root");
        assertThat(recipe.environment()).containsEntry("PIP_NO_CACHE_DIR", "1").containsEntry("PIP_BREAK_SYSTEM_PACKAGES", "1");
        assertThat(recipe.steps()).extracting(ImageRecipe.Step::description, ImageRecipe.Step::workingDirectory).containsExactly(
                tuple("pip install -r requirements.txt", "/tmp/stagehand-source"),
                tuple("pip install -r oca-web/requirements.txt", "/tmp/stagehand-source/oca-web"));
        // Installed as into the image (--root), seeing what the files before installed.
        assertThat(recipe.steps().get(1).command())
                .startsWith("export PYTHONPATH=\"$(find /tmp/stagehand-pip-root -type d")
                .endsWith(" && pip3 install --root /tmp/stagehand-pip-root -r 'requirements.txt'");
    }

    @Test
    void testNothingToInstallIsNoRecipe()
    {
        assertThat(RequirementsRecipe.of(new LinkedHashMap<>(), Optional.of("acme"))).isEmpty();
    }

    @Test
    void testTheKeyChangesWithTheContentTheOrderAndTheTenantAlone()
    {
        String key = key(files("requirements.txt", "requests\n"), "acme");

        assertThat(key(files("requirements.txt", "requests\n"), "acme")).isEqualTo(key);
        assertThat(key(files("requirements.txt", "requests==2.31\n"), "acme")).isNotEqualTo(key);
        assertThat(key(files("requirements.txt", "requests\n"), "globex")).as("a tenant's own").isNotEqualTo(key);
        assertThat(key(files("addons/requirements.txt", "requests\n"), "acme")).isNotEqualTo(key);
        assertThat(key(files("a/requirements.txt", "x\n", "b/requirements.txt", "y\n"), "acme"))
                .isNotEqualTo(key(files("b/requirements.txt", "y\n", "a/requirements.txt", "x\n"), "acme"));
    }

    @Test
    void testRefusesAPathABuildCannotTake()
    {
        for (String path : new String[] {"my addons/requirements.txt", "x';rm -rf /;'/requirements.txt", "../requirements.txt", "/etc/requirements.txt"}) {
            assertThatThrownBy(() -> RequirementsRecipe.of(files(path, "requests\n"), Optional.of("acme")))
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining("Requirements file path");
        }
    }

    private static String key(Map<String, byte[]> files, String tenant)
    {
        return RequirementsRecipe.of(files, Optional.of(tenant)).orElseThrow().contentKey();
    }

    private static Map<String, byte[]> files(String... pathsAndContents)
    {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int index = 0; index < pathsAndContents.length; index += 2) {
            files.put(pathsAndContents[index], pathsAndContents[index + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }
}
