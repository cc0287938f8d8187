package sh.stagehand.spi.runtime;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A build image to prepare: a base Odoo image, a layer made on it by a recipe (the Python
 * requirements of the addons installed), and the checked-out addons copied in.
 *
 * @param baseImage the Odoo image, e.g. {@code odoo:17.0}; must exist locally
 * @param sourceDirectory the checked-out revision on the host
 * @param targetDirectory where the checkout goes in the image, e.g. {@code /mnt/stagehand-addons}
 * @param recipe how the layer between the base image and the checkout is made, with the checkout
 *         as its source; empty for none
 * @param tag the tag to give the image, e.g. {@code stagehand/build:acme-42}
 * @param labels labels of the image, for listing and garbage collection
 * @param tenant whose source this is: the recipe's steps (which run the packages' own code) reach
 *        what the tenant's containers reach, and no more (see {@link ContainerSpec#tenant()})
 * @param sourceOwner who owns the checkout in the image, {@code uid:gid}, so that the containers'
 *        user may change it (the online editor of a development build); empty: root's, which the
 *        containers' user only reads
 */
public record ImageSpec(String baseImage, Path sourceDirectory, String targetDirectory, Optional<ImageRecipe> recipe, String tag, Map<String, String> labels, Optional<String> tenant,
        Optional<String> sourceOwner)
{
    private static final Pattern OWNER = Pattern.compile("[0-9]{1,10}:[0-9]{1,10}");

    public ImageSpec
    {
        requireNonNull(baseImage, "baseImage is null");
        requireNonNull(sourceDirectory, "sourceDirectory is null");
        requireNonNull(targetDirectory, "targetDirectory is null");
        requireNonNull(recipe, "recipe is null");
        requireNonNull(tag, "tag is null");
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        requireNonNull(tenant, "tenant is null");
        if (!targetDirectory.startsWith("/")) {
            throw new IllegalArgumentException("targetDirectory must be absolute: " + targetDirectory);
        }
        requireNonNull(sourceOwner, "sourceOwner is null");
        if (sourceOwner.filter(owner -> !OWNER.matcher(owner).matches()).isPresent()) {
            throw new IllegalArgumentException("sourceOwner is not uid:gid: " + sourceOwner.get());
        }
    }

    /**
     * A checkout root owns, read-only to the containers' user.
     */
    public ImageSpec(String baseImage, Path sourceDirectory, String targetDirectory, Optional<ImageRecipe> recipe, String tag, Map<String, String> labels, Optional<String> tenant)
    {
        this(baseImage, sourceDirectory, targetDirectory, recipe, tag, labels, tenant, Optional.empty());
    }

    /**
     * The checkout owned by {@code owner} ({@code uid:gid}), which may change it.
     */
    public ImageSpec withSourceOwner(String owner)
    {
        return new ImageSpec(baseImage, sourceDirectory, targetDirectory, recipe, tag, labels, tenant, Optional.of(owner));
    }
}
