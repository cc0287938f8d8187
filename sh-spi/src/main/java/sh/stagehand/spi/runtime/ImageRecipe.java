package sh.stagehand.spi.runtime;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * How the layer a build image gets under its checkout is made (the platform installs the
 * revision's Python requirements with it): described by the platform, carried out by the runtime,
 * so that every runtime makes it alike.
 *
 * <p>The runtime runs the {@link #steps()} in order, in one POSIX shell (what a step exports stays
 * set for the steps after it), in a throw-away container of the base image that holds a copy of
 * the build's source at {@link #sourceDirectory()}, with {@link #environment()} set; then it lays
 * what they wrote under {@link #outputDirectory()}, and nothing else, over the base image at its
 * root. What the steps run is a tenant's code (a package's {@code setup.py}): the runtime runs
 * them as the base image's own user (root only if the image has no other), never on the
 * platform's host, reaching what the tenant's containers reach (see {@link ImageSpec#tenant()}),
 * and bounded in time and memory.
 *
 * <p>What the steps make depends on the base image and on {@link #contentKey()} alone: an image
 * made from the same base image (the same image, not only the same name) with the same key is
 * reused, and no step runs.
 *
 * @param sourceDirectory absolute: where the copy of the build's source is in the throw-away container
 * @param outputDirectory absolute: created empty for the steps, which may write into it; its
 *        content becomes the image's
 * @param environment set for every step
 * @param steps run in order; the first that fails fails the image, and the log says why
 * @param contentKey names what the steps make, for its producer to choose: core's is a digest of
 *        the steps, the tenant and the requirements files' content (not of what those files name
 *        in turn, such as a {@code ./pkg} of the checkout: a tenant's branches share that image);
 *        letters, digits, '_', '.', ':' and '-'
 */
public record ImageRecipe(String sourceDirectory, String outputDirectory, Map<String, String> environment, List<Step> steps, String contentKey)
{
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

    public ImageRecipe
    {
        requireAbsolute(sourceDirectory, "sourceDirectory");
        requireAbsolute(outputDirectory, "outputDirectory");
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        steps = List.copyOf(requireNonNull(steps, "steps is null"));
        requireNonNull(contentKey, "contentKey is null");
        environment.forEach((name, value) -> {
            if (!VARIABLE.matcher(name).matches()) {
                throw new IllegalArgumentException("environment variable name is not valid: " + name);
            }
            requireOneLine(value, "environment variable " + name);
        });
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a recipe has at least one step");
        }
        if (!KEY.matcher(contentKey).matches()) {
            throw new IllegalArgumentException("contentKey must be 1 to 128 letters, digits, '_', '.', ':' and '-': " + contentKey);
        }
    }

    /**
     * One step of a recipe.
     *
     * @param description what it does, logged before it runs (e.g. {@code pip install -r requirements.txt})
     * @param workingDirectory absolute: where it runs
     * @param command one POSIX shell command line
     */
    public record Step(String description, String workingDirectory, String command)
    {
        public Step
        {
            requireOneLine(description, "description");
            requireAbsolute(workingDirectory, "workingDirectory");
            requireOneLine(command, "command");
            if (command.isBlank()) {
                throw new IllegalArgumentException("command is blank");
            }
        }
    }

    private static void requireAbsolute(String path, String name)
    {
        requireOneLine(path, name);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(name + " must be absolute: " + path);
        }
    }

    // A recipe is written into build files line by line: a line break or NUL would start another instruction.
    private static void requireOneLine(String text, String name)
    {
        requireNonNull(text, name + " is null");
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(name + " must be one line: " + text);
        }
        // A build file's line continues past a trailing backslash, into the line after it.
        if (text.stripTrailing().endsWith("\\")) {
            throw new IllegalArgumentException(name + " must not end with a backslash: " + text);
        }
    }
}
