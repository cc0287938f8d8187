package sh.stagehand.spi.runtime;

import static java.util.Objects.requireNonNull;

/**
 * The result of {@link RuntimeProvider#prepareImage}.
 *
 * @param tag the image's tag, to start containers from
 * @param requirementsImage the image the recipe made, holding the installed requirements (the base
 *        image when there is no recipe)
 * @param requirementsReused whether that image was already there (same base image, same
 *        {@link ImageRecipe#contentKey()}) and no step of the recipe ran
 */
public record PreparedImage(String tag, String requirementsImage, boolean requirementsReused)
{
    public PreparedImage
    {
        requireNonNull(tag, "tag is null");
        requireNonNull(requirementsImage, "requirementsImage is null");
    }
}
