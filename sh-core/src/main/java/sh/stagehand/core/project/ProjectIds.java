package sh.stagehand.core.project;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.regex.Pattern;

/**
 * The rule for project ids: they become parts of database names, container names and host names,
 * so they are short DNS labels.
 */
public final class ProjectIds
{
    private static final Pattern VALID = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?");

    private ProjectIds() {}

    public static String requireValid(String id)
    {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT,
                    "Project id '" + id + "' is not valid: use 1 to 20 lower-case letters, digits and '-', starting and ending with a letter or digit");
        }
        return id;
    }
}
