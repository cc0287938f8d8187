package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The options of an {@link OdooCommandLine} that say where Odoo finds its addons and data, what it
 * serves and where it logs: {@code --addons-path}, {@code --data-dir}, {@code --db-filter},
 * {@code --no-database-list}, {@code --http-port}, {@code --max-cron-threads},
 * {@code --log-level}, {@code --logfile}. Each value is checked as it is given. Not thread-safe.
 */
final class RuntimeOptions
{
    private final List<String> addonsPath = new ArrayList<>();
    private Optional<String> dataDirectory = Optional.empty();
    private boolean databaseFilter;
    private boolean noDatabaseList;
    private int httpPort;
    private int maxCronThreads = -1;
    private Optional<String> logLevel = Optional.empty();
    private Optional<String> logFile = Optional.empty();

    void addonsPath(List<String> directories)
    {
        for (String directory : directories) {
            String checked = OdooOptionValues.requireContainerPath("addons path entry", directory);
            if (checked.contains(",")) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Addons path entry '" + directory + "' holds a ',', which separates entries: rename the directory");
            }
            addonsPath.add(checked);
        }
    }

    void dataDirectory(String directory)
    {
        this.dataDirectory = Optional.of(OdooOptionValues.requireContainerPath("data directory", directory));
    }

    void databaseFilter()
    {
        this.databaseFilter = true;
    }

    boolean hasDatabaseFilter()
    {
        return databaseFilter;
    }

    void noDatabaseList()
    {
        this.noDatabaseList = true;
    }

    void httpPort(int port)
    {
        this.httpPort = OdooOptionValues.requirePort("HTTP port", port);
    }

    void maxCronThreads(int threads)
    {
        if (threads < 0) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Maximum cron threads is negative: " + threads + "; use 0 to turn scheduled actions off");
        }
        this.maxCronThreads = threads;
    }

    void logLevel(String level)
    {
        this.logLevel = Optional.of(OdooOptionValues.requireLogLevel(level));
    }

    void logFile(String file)
    {
        this.logFile = Optional.of(OdooOptionValues.requireContainerPath("log file", file));
    }

    /**
     * @param database the command's, which a database filter lets through alone
     */
    void addTo(List<String> arguments, Optional<String> database)
    {
        if (!addonsPath.isEmpty()) {
            Collections.addAll(arguments, "--addons-path", String.join(",", addonsPath));
        }
        dataDirectory.ifPresent(directory -> Collections.addAll(arguments, "--data-dir", directory));
        if (databaseFilter) {
            Collections.addAll(arguments, "--db-filter", "^" + regexQuote(database.orElseThrow()) + "$");
        }
        if (noDatabaseList) {
            arguments.add("--no-database-list");
        }
        if (httpPort != 0) {
            Collections.addAll(arguments, "--http-port", Integer.toString(httpPort));
        }
        if (maxCronThreads >= 0) {
            Collections.addAll(arguments, "--max-cron-threads", Integer.toString(maxCronThreads));
        }
        logLevel.ifPresent(level -> arguments.add("--log-level=" + level));
        logFile.ifPresent(file -> Collections.addAll(arguments, "--logfile", file));
    }

    /**
     * For Python's {@code re}, which Odoo's db-filter uses: database names hold letters,
     * digits, '_', '.' and '-', of which '.' and '-' are escaped ({@code \Q...\E} does not exist in Python).
     */
    private static String regexQuote(String database)
    {
        StringBuilder quoted = new StringBuilder();
        for (char c : database.toCharArray()) {
            if (!Character.isLetterOrDigit(c) && c != '_') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.toString();
    }
}
