package sh.stagehand.spi.database;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.regex.Pattern;

/**
 * The rule for database names, shared by every provider and by the platform.
 *
 * <p>It is Odoo's own rule ({@code odoo.service.db.DBNAME_PATTERN}: letters, digits, '_', '.', '-',
 * starting with a letter or digit), limited to 63 characters as PostgreSQL truncates longer
 * identifiers silently.
 */
public final class DatabaseNames
{
    public static final int MAX_LENGTH = 63;

    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern VALID_PREFIX = Pattern.compile("[a-zA-Z0-9_.-]*");

    private DatabaseNames() {}

    public static boolean isValid(String name)
    {
        return name != null && name.length() <= MAX_LENGTH && VALID.matcher(name).matches();
    }

    /**
     * @return {@code name}
     * @throws StagehandException {@code INVALID_ARGUMENT}, saying which rule the name breaks
     */
    public static String requireValid(String name)
    {
        if (name == null || name.isEmpty()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Database name is empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT,
                    "Database name '" + name + "' is " + name.length() + " characters long; the limit is " + MAX_LENGTH);
        }
        if (!VALID.matcher(name).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT,
                    "Database name '" + name + "' is not valid: use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        return name;
    }

    /**
     * @throws StagehandException {@code INVALID_ARGUMENT} if the prefix holds a character no name may hold
     */
    public static String requireValidPrefix(String prefix)
    {
        if (prefix == null || prefix.length() > MAX_LENGTH || !VALID_PREFIX.matcher(prefix).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT,
                    "Database name prefix '" + prefix + "' is not valid: use up to " + MAX_LENGTH + " letters, digits, '_', '.' and '-'");
        }
        return prefix;
    }
}
