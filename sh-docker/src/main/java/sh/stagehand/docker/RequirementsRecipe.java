package sh.stagehand.docker;

import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ImageSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.regex.Pattern;

/**
 * How the image with a build's Python requirements installed is made (its Dockerfile), and the
 * tag that names it by all that went into it, so that an unchanged set of requirements reuses it
 * and pip does not run. Stateless.
 */
final class RequirementsRecipe
{
    private static final String REQUIREMENTS_REPOSITORY = "stagehand/requirements";
    // pip installs under this root (--root) as it would install into the image, and only what it added is copied.
    private static final String PIP_ROOT = "/tmp/stagehand-pip-root";
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./-]+");

    private RequirementsRecipe() {}

    /**
     * pip runs in a throw-away stage with the whole checkout (requirements may name local paths),
     * and only what it installed reaches the image. It installs as into the image itself
     * ({@code --root} relocates the files, not the resolution), so a requirement the image already
     * satisfies, such as Odoo's own lxml or psycopg2, is kept, not reinstalled ahead of it on the
     * path as {@code --target} would (Odoo 17 breaks with a newer lxml). Each requirements file
     * sees what the ones before it installed ({@code PYTHONPATH}), so the files resolve together
     * as one installation would.
     *
     * @param imageUser the user the base image runs as ({@code ""} for root)
     */
    static String dockerfile(ImageSpec spec, String imageUser)
    {
        StringBuilder install = new StringBuilder();
        for (String file : spec.requirementsFiles()) {
            // The path goes into a shell line of the Dockerfile: only plain path characters.
            if (!SAFE_PATH.matcher(file).matches()) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Requirements file path '" + file
                        + "' has characters a build cannot take; rename its directory to letters, digits, '_', '-', '.' and '/'");
            }
            Path path = Path.of(file);
            String directory = path.getParent() == null ? "." : path.getParent().toString();
            install.append(" && cd '/tmp/stagehand-source/").append(directory).append("'")
                    .append(" && echo 'pip install -r ").append(file).append("'")
                    .append(" && export PYTHONPATH=\"$(find " + PIP_ROOT + " -type d \\( -name site-packages -o -name dist-packages \\) -prune | paste -sd: -)\"")
                    .append(" && pip3 install --root " + PIP_ROOT + " -r '").append(path.getFileName()).append("'");
        }
        // As the image's own user, not root: a package's setup.py is the tenant's code.
        String asUser = imageUser.isEmpty() || imageUser.equals("root") || imageUser.equals("0") ? "" : imageUser;
        return "FROM " + spec.baseImage() + " AS requirements\n"
                + "USER root\n"
                + "RUN mkdir -p " + PIP_ROOT + (asUser.isEmpty() ? "" : " && chown " + asUser + " " + PIP_ROOT) + "\n"
                + (asUser.isEmpty() ? "COPY . /tmp/stagehand-source\n" : "COPY --chown=" + asUser + " . /tmp/stagehand-source\nUSER " + asUser + "\n")
                + "ENV PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore\n"
                + "RUN true" + install + "\n"
                + "FROM " + spec.baseImage() + "\n"
                + "COPY --from=requirements " + PIP_ROOT + "/ /\n";
    }

    /**
     * The requirements image's tag: a hash of the base image, the recipe, the tenant and the
     * requirements files.
     *
     * @param imageUser as for {@link #dockerfile}
     */
    static String tag(String baseImageId, ImageSpec spec, String imageUser)
    {
        try {
            MessageDigest digest = Sha256.newDigest();
            digest.update(baseImageId.getBytes(StandardCharsets.UTF_8));
            // The recipe too: an image made another way (an older platform's) is not this one.
            digest.update(dockerfile(spec, imageUser).getBytes(StandardCharsets.UTF_8));
            // A tenant's own: requirements files may name what they do not hold (./pkg, -r other.txt),
            // which another tenant's identical files would bring from elsewhere.
            digest.update(("\0" + spec.tenant().orElse("") + "\0").getBytes(StandardCharsets.UTF_8));
            // In install order: each file resolves against what the ones before it installed.
            for (String file : spec.requirementsFiles()) {
                digest.update(("\0" + file + "\0").getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(spec.sourceDirectory().resolve(file)));
            }
            return REQUIREMENTS_REPOSITORY + ":" + Sha256.hex(digest).substring(0, 20);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot read requirements file of " + spec.sourceDirectory() + ": " + e, e);
        }
    }
}
