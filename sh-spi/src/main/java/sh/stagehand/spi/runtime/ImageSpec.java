package sh.stagehand.spi.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A build image to prepare: a base Odoo image, the Python requirements of the addons installed on
 * it, and the checked-out addons copied in.
 *
 * @param baseImage the Odoo image, e.g. {@code odoo:17.0}; must exist locally
 * @param sourceDirectory the checked-out revision on the host
 * @param targetDirectory where the checkout goes in the image, e.g. {@code /mnt/stagehand-addons}
 * @param requirementsFiles paths, relative to {@code sourceDirectory}, of {@code requirements.txt}
 *         files to {@code pip install} (each from its own directory, so relative paths in it work)
 * @param tag the tag to give the image, e.g. {@code stagehand/build:acme-42}
 * @param labels labels of the image, for listing and garbage collection
 * @param tenant whose requirements these are: their install (which runs the packages' own code)
 *        reaches what the tenant's containers reach, and no more (see {@link ContainerSpec#tenant()})
 */
public record ImageSpec(String baseImage, Path sourceDirectory, String targetDirectory, List<String> requirementsFiles, String tag, Map<String, String> labels, Optional<String> tenant)
{
    public ImageSpec(String baseImage, Path sourceDirectory, String targetDirectory, List<String> requirementsFiles, String tag, Map<String, String> labels)
    {
        this(baseImage, sourceDirectory, targetDirectory, requirementsFiles, tag, labels, Optional.empty());
    }

    public ImageSpec
    {
        requireNonNull(baseImage, "baseImage is null");
        requireNonNull(sourceDirectory, "sourceDirectory is null");
        requireNonNull(targetDirectory, "targetDirectory is null");
        requirementsFiles = List.copyOf(requireNonNull(requirementsFiles, "requirementsFiles is null"));
        requireNonNull(tag, "tag is null");
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        requireNonNull(tenant, "tenant is null");
        if (!targetDirectory.startsWith("/")) {
            throw new IllegalArgumentException("targetDirectory must be absolute: " + targetDirectory);
        }
        for (String file : requirementsFiles) {
            if (file.startsWith("/") || file.contains("..")) {
                throw new IllegalArgumentException("requirements file must be a path inside the source directory: " + file);
            }
        }
    }
}
