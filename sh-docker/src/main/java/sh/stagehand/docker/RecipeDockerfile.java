package sh.stagehand.docker;

import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ImageRecipe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An {@link ImageRecipe} as Docker makes it: a Dockerfile whose throw-away stage runs the steps and
 * whose image holds only what they wrote under the recipe's output directory; and the tag that
 * names the result by all that went into it, so that an unchanged recipe on the same base image
 * reuses it and no step runs. Stateless.
 */
final class RecipeDockerfile
{
    private static final String RECIPE_REPOSITORY = "stagehand/requirements";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:,=+@%-]*");

    private RecipeDockerfile() {}

    /**
     * The steps run in one shell, in a throw-away stage holding the whole build context (the
     * checkout), as the base image's own user; only what they wrote under the output directory
     * reaches the image.
     *
     * @param imageUser the user the base image runs as ({@code ""} for root)
     */
    static String dockerfile(String baseImage, ImageRecipe recipe, String imageUser)
    {
        // Dockerfile instructions take these paths as they are.
        for (String path : new String[] {recipe.sourceDirectory(), recipe.outputDirectory()}) {
            if (!PLAIN.matcher(path).matches()) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Recipe directory '" + path + "' has characters a Docker build cannot take: use letters, digits, '_', '-', '.' and '/'");
            }
        }
        StringBuilder run = new StringBuilder("RUN true");
        for (ImageRecipe.Step step : recipe.steps()) {
            run.append(" && cd ").append(quoted(step.workingDirectory()))
                    .append(" && printf '%s\\n' ").append(quoted(step.description()))
                    .append(" && ").append(step.command());
        }
        StringBuilder environment = new StringBuilder();
        for (Map.Entry<String, String> variable : new TreeMap<>(recipe.environment()).entrySet()) {
            environment.append(environment.isEmpty() ? "ENV " : " ").append(variable.getKey()).append('=').append(envValue(variable.getValue()));
        }
        // As the image's own user, not root: what the steps run is the tenant's code.
        String asUser = imageUser.isEmpty() || imageUser.equals("root") || imageUser.equals("0") ? "" : imageUser;
        return "FROM " + baseImage + " AS requirements\n"
                + "USER root\n"
                + "RUN mkdir -p " + quoted(recipe.outputDirectory()) + (asUser.isEmpty() ? "" : " && chown " + quoted(asUser) + " " + quoted(recipe.outputDirectory())) + "\n"
                + (asUser.isEmpty() ? "COPY . " + recipe.sourceDirectory() + "\n" : "COPY --chown=" + asUser + " . " + recipe.sourceDirectory() + "\nUSER " + asUser + "\n")
                + (environment.isEmpty() ? "" : environment + "\n")
                + run + "\n"
                + "FROM " + baseImage + "\n"
                + "COPY --from=requirements " + recipe.outputDirectory() + "/ /\n";
    }

    /**
     * The tag of the recipe's image: a hash of the base image (its id: a rebuilt image of the same
     * name is another), the Dockerfile (an image made another way, an older platform's, is not this
     * one) and the recipe's content key.
     *
     * @param imageUser as for {@link #dockerfile}
     */
    static String tag(String baseImageId, String baseImage, ImageRecipe recipe, String imageUser)
    {
        MessageDigest digest = Sha256.newDigest();
        digest.update((baseImageId + "\0" + dockerfile(baseImage, recipe, imageUser) + "\0" + recipe.contentKey()).getBytes(StandardCharsets.UTF_8));
        return RECIPE_REPOSITORY + ":" + Sha256.hex(digest).substring(0, 20);
    }

    // One shell word, whatever it holds.
    private static String quoted(String word)
    {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String envValue(String value)
    {
        return PLAIN.matcher(value).matches() && !value.isEmpty() ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + "\"";
    }
}
