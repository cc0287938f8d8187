package sh.stagehand.core.odoo;

import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ImageRecipe;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * How a revision's Python requirements are installed into its image, as an {@link ImageRecipe} a
 * runtime carries out: {@code pip install -r} of each {@code requirements.txt}, in order, each
 * from its own directory (so that relative paths in it work).
 *
 * <p>pip installs as into the image itself, relocated under the recipe's output directory
 * ({@code --root}: the files move, not the resolution), so a requirement the image already
 * satisfies, such as Odoo's own lxml or psycopg2, is kept rather than installed again ahead of it
 * on the path as {@code --target} would (Odoo 17 breaks with a newer lxml). Each file sees what the
 * ones before it installed ({@code PYTHONPATH}), so the files resolve together as one
 * installation would. What pip runs (a package's {@code setup.py}) is the tenant's code: only the
 * runtime runs it, in its build sandbox, never the platform on its host.
 *
 * <p>Stateless.
 */
public final class RequirementsRecipe
{
    /** Where the checkout is while pip runs. */
    public static final String SOURCE_DIRECTORY = "/tmp/stagehand-source";
    /** Where pip installs, as it would into the image: what the image gets. */
    public static final String PIP_ROOT = "/tmp/stagehand-pip-root";

    private static final Map<String, String> PIP_ENVIRONMENT = Map.of(
            "PIP_BREAK_SYSTEM_PACKAGES", "1",
            "PIP_DISABLE_PIP_VERSION_CHECK", "1",
            "PIP_NO_CACHE_DIR", "1",
            "PIP_ROOT_USER_ACTION", "ignore");
    // The path goes into a shell line: only plain path characters.
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./-]+");

    private RequirementsRecipe() {}

    /**
     * @param requirementsFiles each requirements file's path in the checkout ('/'-separated) and
     *        content, iterated in install order
     * @param tenant whose requirements these are: its own image, since a requirements file may name
     *        what it does not hold ({@code ./pkg}, {@code -r other.txt}), which another tenant's
     *        identical files would bring from elsewhere
     * @return the recipe, or empty when there is nothing to install
     * @throws StagehandException {@code INVALID_ARGUMENT} for a path a build cannot take
     */
    public static Optional<ImageRecipe> of(Map<String, byte[]> requirementsFiles, Optional<String> tenant)
    {
        requireNonNull(requirementsFiles, "requirementsFiles is null");
        requireNonNull(tenant, "tenant is null");
        if (requirementsFiles.isEmpty()) {
            return Optional.empty();
        }
        List<ImageRecipe.Step> steps = new ArrayList<>();
        for (String file : requirementsFiles.keySet()) {
            if (!SAFE_PATH.matcher(file).matches() || file.startsWith("/") || List.of(file.split("/")).contains("..")) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Requirements file path '" + file
                        + "' has characters a build cannot take; rename its directory to letters, digits, '_', '-', '.' and '/'");
            }
            Path path = Path.of(file);
            String directory = path.getParent() == null ? SOURCE_DIRECTORY : SOURCE_DIRECTORY + "/" + path.getParent();
            steps.add(new ImageRecipe.Step("pip install -r " + file, directory,
                    "export PYTHONPATH=\"$(find " + PIP_ROOT + " -type d \\( -name site-packages -o -name dist-packages \\) -prune | paste -sd: -)\""
                            + " && pip3 install --root " + PIP_ROOT + " -r '" + path.getFileName() + "'"));
        }
        MessageDigest key = Sha256.newDigest();
        // The steps too: requirements installed another way (an older platform's) are not these.
        for (ImageRecipe.Step step : steps) {
            key.update((step.workingDirectory() + "\0" + step.command() + "\0").getBytes(StandardCharsets.UTF_8));
        }
        new TreeMap<>(PIP_ENVIRONMENT).forEach((name, value) -> key.update((name + "=" + value + "\0").getBytes(StandardCharsets.UTF_8)));
        key.update(("\0" + tenant.orElse("") + "\0").getBytes(StandardCharsets.UTF_8));
        // In install order: each file resolves against what the ones before it installed.
        requirementsFiles.forEach((file, content) -> {
            // Each content's length first: a NUL in a file cannot make two sets of files read alike.
            key.update(("\0" + file + "\0" + content.length + "\0").getBytes(StandardCharsets.UTF_8));
            key.update(content);
        });
        return Optional.of(new ImageRecipe(SOURCE_DIRECTORY, PIP_ROOT, PIP_ENVIRONMENT, steps, Sha256.hex(key)));
    }
}
