package sh.stagehand.spi.backup;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.regex.Pattern;

/**
 * The rule for object keys, the same for every store so that a backup can be replicated anywhere:
 * '/'-separated segments of letters, digits, '_', '.', '-', none of them {@code .} or {@code ..}.
 */
public final class BackupKeys
{
    private static final Pattern SEGMENT = Pattern.compile("[a-zA-Z0-9_.-]+");

    private BackupKeys() {}

    /**
     * @return {@code key}
     * @throws StagehandException {@code INVALID_ARGUMENT}, saying what is wrong
     */
    public static String requireValid(String key)
    {
        if (key == null || key.isEmpty() || key.length() > 1024) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Backup key must be 1 to 1024 characters: '" + key + "'");
        }
        for (String segment : key.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT,
                        "Backup key '" + key + "' is not valid: use '/'-separated segments of letters, digits, '_', '.' and '-', none empty, '.' or '..'");
            }
        }
        return key;
    }
}
