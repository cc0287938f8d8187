package sh.stagehand.spi.runtime;

import static java.util.Objects.requireNonNull;

/**
 * The result of {@link RuntimeProvider#prepareImage}.
 *
 * @param tag the image's tag, to start containers from
 * @param requirementsImage the image holding the installed requirements (the base image when there are none)
 * @param requirementsReused whether that image was already there (same base, same requirements) and pip did not run
 */
public record PreparedImage(String tag, String requirementsImage, boolean requirementsReused)
{
    public PreparedImage
    {
        requireNonNull(tag, "tag is null");
        requireNonNull(requirementsImage, "requirementsImage is null");
    }
}
