package sh.stagehand.spi.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageRecipeTest
{
    private static final ImageRecipe.Step STEP = new ImageRecipe.Step("install", "/tmp/source", "make install");

    @Test
    void testValidRecipe()
    {
        ImageRecipe recipe = new ImageRecipe("/tmp/source", "/tmp/output", Map.of("PIP_NO_CACHE_DIR", "1"), List.of(STEP), "0123abcd");
        assertThat(recipe.steps()).containsExactly(STEP);
    }

    @Test
    void testRefusesWhatABuildFileCannotHold()
    {
        assertThatThrownBy(() -> new ImageRecipe("relative", "/tmp/output", Map.of(), List.of(STEP), "key")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageRecipe("/tmp/source", "/tmp/output", Map.of(), List.of(), "key")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageRecipe("/tmp/source", "/tmp/output", Map.of("NOT A NAME", "1"), List.of(STEP), "key")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageRecipe("/tmp/source", "/tmp/output", Map.of("A", "two\nlines"), List.of(STEP), "key")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageRecipe("/tmp/source", "/tmp/output", Map.of(), List.of(STEP), "no spaces")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageRecipe.Step("install", "/tmp/source", "make\nRUN evil")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageRecipe.Step("install", "/tmp/source", " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageRecipe.Step("install", "/tmp/source", "make install \\")).isInstanceOf(IllegalArgumentException.class);
    }
}
