package sh.stagehand.docker;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.runtime.ImageRecipe;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecipeDockerfileTest
{
    private static final ImageRecipe RECIPE = new ImageRecipe("/tmp/source", "/tmp/output", Map.of("B", "two words", "A", "1"), List.of(
            new ImageRecipe.Step("first, it's quoted", "/tmp/source/my dir", "make install"),
            new ImageRecipe.Step("second", "/tmp/source", "export X=1 && make check")), "key-1");

    @Test
    void testStepsRunInAThrowAwayStageAsTheImagesUserAndOnlyTheOutputIsKept()
    {
        assertThat(RecipeDockerfile.dockerfile("local/odoo:17.0", RECIPE, "odoo")).isEqualTo("""
                FROM local/odoo:17.0 AS requirements
                USER root
                RUN mkdir -p '/tmp/output' && chown 'odoo' '/tmp/output'
                COPY --chown=odoo . /tmp/source
                USER odoo
                ENV A=1 B="two words"
                RUN true && cd '/tmp/source/my dir' && printf '%s\\n' 'first, it'\\''s quoted' && make install && cd '/tmp/source' && printf '%s\\n' 'second' && export X=1 && make check
                FROM local/odoo:17.0
                COPY --from=requirements /tmp/output/ /
                """);
        assertThat(RecipeDockerfile.dockerfile("local/debian:bookworm", RECIPE, "")).as("an image with no user of its own")
                .contains("COPY . /tmp/source\n").doesNotContain("USER odoo").doesNotContain("chown");
    }

    @Test
    void testTheTagNamesTheBaseImageTheRecipeAndItsKey()
    {
        String tag = RecipeDockerfile.tag("sha256:base", "local/odoo:17.0", RECIPE, "odoo");

        assertThat(tag).matches("stagehand/requirements:[0-9a-f]{20}");
        assertThat(RecipeDockerfile.tag("sha256:base", "local/odoo:17.0", RECIPE, "odoo")).isEqualTo(tag);
        assertThat(RecipeDockerfile.tag("sha256:rebuilt", "local/odoo:17.0", RECIPE, "odoo")).as("a rebuilt base image").isNotEqualTo(tag);
        assertThat(RecipeDockerfile.tag("sha256:base", "local/odoo:17.0", new ImageRecipe("/tmp/source", "/tmp/output", RECIPE.environment(), RECIPE.steps(), "key-2"), "odoo"))
                .isNotEqualTo(tag);
    }

    @Test
    void testRefusesADirectoryADockerfileCannotTake()
    {
        ImageRecipe spaced = new ImageRecipe("/tmp/my source", "/tmp/output", Map.of(), RECIPE.steps(), "key");
        assertThatThrownBy(() -> RecipeDockerfile.dockerfile("local/odoo:17.0", spaced, "odoo"))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("/tmp/my source");
    }
}
