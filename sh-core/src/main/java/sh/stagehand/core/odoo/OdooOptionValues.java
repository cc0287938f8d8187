package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The checks of the values an {@link OdooCommandLine} is given, so that none, from a branch setting
 * or elsewhere, can inject an option, break the command or add a line to Odoo's configuration file.
 * Each throws {@link StagehandException} naming what is wrong, and returns the value it checked.
 */
final class OdooOptionValues
{
    private static final Set<String> LOG_LEVELS = Set.of("info", "debug_rpc", "warn", "test", "critical", "runbot", "debug_sql", "error", "debug", "debug_rpc_answer", "notset");
    // Odoo's TagsSelector: [-][tag][/module][:class][.method]
    private static final Pattern TEST_TAG = Pattern.compile("([+-]?)(\\*|\\w*)(?:/(\\w*))?(?::(\\w*))?(?:\\.(\\w*))?");

    private OdooOptionValues()
    {
    }

    /**
     * @see OdooCommandLine#requireValidTestTags
     */
    static String requireTestTags(String testTags)
    {
        requireNonNull(testTags, "testTags is null");
        List<String> filters = new ArrayList<>();
        for (String part : testTags.split(",", -1)) {
            String filter = part.strip();
            if (filter.isEmpty()) {
                continue;
            }
            Matcher matcher = TEST_TAG.matcher(filter);
            if (!matcher.matches()) {
                throw new StagehandException(OdooErrorCode.INVALID_TEST_TAGS, ("Test tags '%s' are not valid: '%s' does not follow [-][tag][/module][:class][.method] "
                        + "(letters, digits and '_' in each part). Fix the branch's test tags, e.g. 'standard,-slow,/sale:TestSaleOrder.test_confirm'").formatted(testTags, filter));
            }
            boolean namesSomething = false;
            for (int group = 2; group <= 5; group++) {
                namesSomething |= matcher.group(group) != null && !matcher.group(group).isEmpty();
            }
            if (!namesSomething) {
                throw new StagehandException(OdooErrorCode.INVALID_TEST_TAGS, ("Test tags '%s' are not valid: '%s' names no tag, module, class or method. "
                        + "Fix the branch's test tags, e.g. 'standard,-slow,/sale:TestSaleOrder.test_confirm'").formatted(testTags, filter));
            }
            filters.add(filter);
        }
        if (filters.isEmpty()) {
            throw new StagehandException(OdooErrorCode.INVALID_TEST_TAGS, "Test tags '" + testTags + "' hold no filter: give at least one, e.g. 'standard' or '/my_module', or run the tests without tags");
        }
        return String.join(",", filters);
    }

    static String requireLogLevel(String level)
    {
        requireNonNull(level, "level is null");
        if (!LOG_LEVELS.contains(level)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Log level '" + level + "' is not one of Odoo's: " + LOG_LEVELS.stream().sorted().collect(Collectors.joining(", ")));
        }
        return level;
    }

    static String requireWord(String what, String value)
    {
        requireNonNull(value, what + " is null");
        if (value.isEmpty() || value.startsWith("-") || value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The " + what + " '" + value + "' is not valid: it must be non-empty, hold no blanks or control characters and not start with '-'");
        }
        return value;
    }

    static String requireContainerPath(String what, String value)
    {
        requireNonNull(value, what + " is null");
        if (!value.startsWith("/") || value.chars().anyMatch(Character::isISOControl)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The " + what + " '" + value + "' is not an absolute path in the container: use e.g. /mnt/extra-addons");
        }
        return value;
    }

    static String requireSecret(String what, String value)
    {
        requireNonNull(value, what + " is null");
        if (value.isEmpty() || value.chars().anyMatch(Character::isISOControl) || !value.equals(value.strip())) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The " + what + " is empty, holds a control character or starts or ends with a blank, "
                    + "which Odoo's configuration file cannot hold: leave it out when there is none");
        }
        return value;
    }

    static int requirePort(String what, int port)
    {
        if (port < 1 || port > 65535) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The " + what + " " + port + " is not between 1 and 65535");
        }
        return port;
    }
}
