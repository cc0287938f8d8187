package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseNames;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The command that starts Odoo for a build: the server ({@link #server()}), or its
 * {@code neutralize} and {@code shell} subcommands. Every value is checked, so that a module list,
 * test tags or a database name from a branch setting can neither inject an option nor break the
 * command; the arguments go to the container as a list, never through a shell.
 *
 * <p>Where to connect and with which passwords (the database server, the SMTP server) go into
 * Odoo's configuration file ({@link #configFile()}, read with {@code --config}
 * {@value #CONFIG_FILE}), never onto the command line, which the host shows to every user and the
 * container engine to whoever inspects the container; with them a random master password
 * ({@code admin_passwd}), so that Odoo's database manager, whose dump, restore and drop take it,
 * opens to nobody (Odoo's own default is {@code admin}). The image's entrypoint is passed by: the
 * executable is {@value #DEFAULT_EXECUTABLE}, by its path, which the official image's entrypoint
 * runs as it is, without appending {@code --db_password} from its environment.
 *
 * <p>Immutable and thread-safe; its {@link Builder} is not thread-safe.
 */
public final class OdooCommandLine
{
    public static final String DEFAULT_EXECUTABLE = "/usr/bin/odoo";
    /** Where the container finds {@link #configFile()}, in a directory of its own. */
    public static final String CONFIG_FILE = "/run/stagehand/odoo.conf";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Set<String> LOG_LEVELS = Set.of("info", "debug_rpc", "warn", "test", "critical", "runbot", "debug_sql", "error", "debug", "debug_rpc_answer", "notset");
    // Odoo's TagsSelector: [-][tag][/module][:class][.method]
    private static final Pattern TEST_TAG = Pattern.compile("([+-]?)(\\*|\\w*)(?:/(\\w*))?(?::(\\w*))?(?:\\.(\\w*))?");

    /**
     * What {@code odoo} runs.
     */
    public enum Subcommand
    {
        /** The HTTP server, which also installs, updates and tests modules; Odoo's default. */
        SERVER(Optional.empty()),
        /** {@code odoo neutralize -d DB}: turns a production copy into a safe one (no mail sent, no cron, no live payment). */
        NEUTRALIZE(Optional.of("neutralize")),
        /** {@code odoo shell -d DB}: an interactive Python shell on the database. */
        SHELL(Optional.of("shell"));

        private final Optional<String> argument;

        Subcommand(Optional<String> argument)
        {
            this.argument = argument;
        }
    }

    private final String executable;
    private final Subcommand subcommand;
    private final List<String> arguments;
    private final Optional<String> configFile;

    private OdooCommandLine(String executable, Subcommand subcommand, List<String> arguments, Optional<String> configFile)
    {
        this.executable = executable;
        this.subcommand = subcommand;
        this.arguments = List.copyOf(arguments);
        this.configFile = configFile;
    }

    public static Builder server()
    {
        return new Builder(Subcommand.SERVER);
    }

    /**
     * {@code odoo neutralize}: needs {@link Builder#withDatabase(String)}; takes the connection, addons path and data directory options.
     */
    public static Builder neutralize()
    {
        return new Builder(Subcommand.NEUTRALIZE);
    }

    /**
     * {@code odoo shell}: needs {@link Builder#withDatabase(String)}; takes the connection, addons path and data directory options.
     */
    public static Builder shell()
    {
        return new Builder(Subcommand.SHELL);
    }

    public Subcommand subcommand()
    {
        return subcommand;
    }

    /**
     * The arguments after the executable: the subcommand, if any, then the options. No secret.
     */
    public List<String> arguments()
    {
        return arguments;
    }

    /**
     * Odoo's configuration file ({@code [options]}) with the database and SMTP servers and their
     * passwords, for {@value #CONFIG_FILE}: a secret, for the container alone. Empty when the
     * builder was given none of them.
     */
    public Optional<String> configFile()
    {
        return configFile;
    }

    /**
     * The executable followed by {@link #arguments()}.
     */
    public List<String> command()
    {
        List<String> command = new ArrayList<>(arguments.size() + 1);
        command.add(executable);
        command.addAll(arguments);
        return List.copyOf(command);
    }

    /**
     * The command as a person would type it.
     */
    @Override
    public String toString()
    {
        List<String> shown = new ArrayList<>(arguments.size() + 1);
        shown.add(executable);
        for (String argument : arguments) {
            shown.add(quoteForDisplay(argument));
        }
        return String.join(" ", shown);
    }

    private static String quoteForDisplay(String argument)
    {
        if (!argument.isEmpty() && argument.chars().noneMatch(c -> Character.isWhitespace(c) || "'\"$`\\;&|<>()*?![]{}".indexOf(c) >= 0)) {
            return argument;
        }
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    /**
     * Checks a {@code --test-tags} value as Odoo's {@code TagsSelector} reads it: comma-separated
     * {@code [-][tag][/module][:class][.method]} filters, e.g. {@code standard,-slow,/sale:TestSaleOrder.test_confirm}.
     *
     * @return the value with blanks around each filter removed
     * @throws StagehandException {@link OdooErrorCode#INVALID_TEST_TAGS} naming the filter that is wrong
     */
    public static String requireValidTestTags(String testTags)
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

    /**
     * Builds an {@link OdooCommandLine}; each option is checked when given. Not thread-safe.
     */
    public static final class Builder
    {
        private final Subcommand subcommand;
        private String executable = DEFAULT_EXECUTABLE;
        private Optional<String> database = Optional.empty();
        private final Set<String> install = new LinkedHashSet<>();
        private final Set<String> update = new LinkedHashSet<>();
        private boolean withoutDemo;
        private boolean testEnable;
        private Optional<String> testTags = Optional.empty();
        private boolean stopAfterInit;
        private final List<String> addonsPath = new ArrayList<>();
        private Optional<String> dataDirectory = Optional.empty();
        private Optional<String> databaseHost = Optional.empty();
        private int databasePort;
        private Optional<String> databaseUser = Optional.empty();
        private Optional<String> databasePassword = Optional.empty();
        private boolean databaseFilter;
        private boolean noDatabaseList;
        private int httpPort;
        private Optional<String> smtpHost = Optional.empty();
        private int smtpPort;
        private Optional<String> smtpUser = Optional.empty();
        private Optional<String> smtpPassword = Optional.empty();
        private int maxCronThreads = -1;
        private Optional<String> logLevel = Optional.empty();
        private Optional<String> logFile = Optional.empty();

        private Builder(Subcommand subcommand)
        {
            this.subcommand = subcommand;
        }

        /**
         * The program to run, {@value OdooCommandLine#DEFAULT_EXECUTABLE} (as in the official image) unless given, e.g. {@code /opt/odoo/odoo-bin}.
         */
        public Builder withExecutable(String executable)
        {
            this.executable = requireWord("executable", executable);
            return this;
        }

        /**
         * {@code -d DB}.
         */
        public Builder withDatabase(String database)
        {
            this.database = Optional.of(DatabaseNames.requireValid(database));
            return this;
        }

        /**
         * {@code -i a,b}: modules to install; may be given several times.
         */
        public Builder withInstall(List<String> modules)
        {
            modules.forEach(module -> install.add(ModuleNames.requireValid(module)));
            return this;
        }

        /**
         * {@code -u a,b}: modules to update; may be given several times.
         */
        public Builder withUpdate(List<String> modules)
        {
            modules.forEach(module -> update.add(ModuleNames.requireValid(module)));
            return this;
        }

        /**
         * {@code --without-demo=all}: no demo data (production, staging).
         */
        public Builder withoutDemo()
        {
            this.withoutDemo = true;
            return this;
        }

        /**
         * {@code --test-enable}: run the tests of the modules installed or updated.
         */
        public Builder withTestEnable()
        {
            this.testEnable = true;
            return this;
        }

        /**
         * {@code --test-enable --test-tags T}: run the tests the tags select; see {@link #requireValidTestTags(String)}.
         */
        public Builder withTestTags(String testTags)
        {
            this.testTags = Optional.of(requireValidTestTags(testTags));
            this.testEnable = true;
            return this;
        }

        /**
         * {@code --stop-after-init}: exit once modules are installed, updated and tested.
         */
        public Builder withStopAfterInit()
        {
            this.stopAfterInit = true;
            return this;
        }

        /**
         * {@code --addons-path a,b}: container directories holding addons, e.g. from {@link AddonScan#addonsPath(String)}.
         */
        public Builder withAddonsPath(List<String> directories)
        {
            for (String directory : directories) {
                String checked = requireContainerPath("addons path entry", directory);
                if (checked.contains(",")) {
                    throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Addons path entry '" + directory + "' holds a ',', which separates entries: rename the directory");
                }
                addonsPath.add(checked);
            }
            return this;
        }

        /**
         * {@code --data-dir D}: where the filestore and sessions live.
         */
        public Builder withDataDirectory(String directory)
        {
            this.dataDirectory = Optional.of(requireContainerPath("data directory", directory));
            return this;
        }

        /**
         * {@code db_host}, {@code db_port}, {@code db_user} in the configuration file: the PostgreSQL server as seen from the container.
         */
        public Builder withDatabaseServer(String host, int port, String user)
        {
            this.databaseHost = Optional.of(requireWord("database host", host));
            this.databasePort = requirePort("database port", port);
            this.databaseUser = Optional.of(requireWord("database user", user));
            return this;
        }

        /**
         * {@code db_password} in the configuration file.
         */
        public Builder withDatabasePassword(String password)
        {
            this.databasePassword = Optional.of(requireSecret("database password", password));
            return this;
        }

        /**
         * {@code --db-filter ^DB$}: the server serves only the database given with {@link #withDatabase(String)}.
         */
        public Builder withDatabaseFilter()
        {
            this.databaseFilter = true;
            return this;
        }

        /**
         * {@code --no-database-list}: hide the database manager's list.
         */
        public Builder withNoDatabaseList()
        {
            this.noDatabaseList = true;
            return this;
        }

        /**
         * {@code --http-port N}.
         */
        public Builder withHttpPort(int port)
        {
            this.httpPort = requirePort("HTTP port", port);
            return this;
        }

        /**
         * {@code smtp_server}, {@code smtp_port} in the configuration file: where Odoo sends mail (the platform's mail catcher, or a real relay in production).
         */
        public Builder withSmtp(String host, int port)
        {
            this.smtpHost = Optional.of(requireWord("SMTP host", host));
            this.smtpPort = requirePort("SMTP port", port);
            return this;
        }

        /**
         * {@code smtp_user}, {@code smtp_password} in the configuration file.
         */
        public Builder withSmtpCredentials(String user, String password)
        {
            this.smtpUser = Optional.of(requireWord("SMTP user", user));
            this.smtpPassword = Optional.of(requireSecret("SMTP password", password));
            return this;
        }

        /**
         * {@code --max-cron-threads N}; 0 turns scheduled actions off (development and staging).
         */
        public Builder withMaxCronThreads(int threads)
        {
            if (threads < 0) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Maximum cron threads is negative: " + threads + "; use 0 to turn scheduled actions off");
            }
            this.maxCronThreads = threads;
            return this;
        }

        /**
         * {@code --log-level=L}, e.g. {@code test} (tests' progress), {@code info}, {@code warn}.
         */
        public Builder withLogLevel(String level)
        {
            requireNonNull(level, "level is null");
            if (!LOG_LEVELS.contains(level)) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Log level '" + level + "' is not one of Odoo's: " + LOG_LEVELS.stream().sorted().collect(Collectors.joining(", ")));
            }
            this.logLevel = Optional.of(level);
            return this;
        }

        /**
         * {@code --logfile F}: write the log to a file in the container instead of standard error.
         */
        public Builder withLogFile(String file)
        {
            this.logFile = Optional.of(requireContainerPath("log file", file));
            return this;
        }

        /**
         * @throws StagehandException {@code INVALID_ARGUMENT} when options contradict each other:
         *         a subcommand without a database, a database filter without a database, tests or
         *         module installation given to {@code neutralize} or {@code shell}
         */
        public OdooCommandLine build()
        {
            if (subcommand != Subcommand.SERVER) {
                String name = subcommand.argument.orElseThrow();
                if (database.isEmpty()) {
                    throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "odoo " + name + " needs a database: call withDatabase");
                }
                if (!install.isEmpty() || !update.isEmpty() || testEnable || stopAfterInit || withoutDemo) {
                    throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "odoo " + name
                            + " does not install, update or test modules: build a server command for -i, -u, --without-demo, --test-enable and --stop-after-init");
                }
            }
            if (databaseFilter && database.isEmpty()) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A database filter needs the database it lets through: call withDatabase");
            }
            if (databasePassword.isPresent() && databaseHost.isEmpty()) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A database password without a database server: call withDatabaseServer");
            }

            List<String> arguments = new ArrayList<>();
            subcommand.argument.ifPresent(arguments::add);
            Optional<String> configFile = configFile();
            if (configFile.isPresent()) {
                arguments.add("--config=" + CONFIG_FILE);
            }
            database.ifPresent(name -> add(arguments, "-d", name));
            if (!install.isEmpty()) {
                add(arguments, "-i", String.join(",", install));
            }
            if (!update.isEmpty()) {
                add(arguments, "-u", String.join(",", update));
            }
            if (withoutDemo) {
                arguments.add("--without-demo=all");
            }
            if (testEnable) {
                arguments.add("--test-enable");
            }
            testTags.ifPresent(tags -> add(arguments, "--test-tags", tags));
            if (stopAfterInit) {
                arguments.add("--stop-after-init");
            }
            if (!addonsPath.isEmpty()) {
                add(arguments, "--addons-path", String.join(",", addonsPath));
            }
            dataDirectory.ifPresent(directory -> add(arguments, "--data-dir", directory));
            if (databaseFilter) {
                add(arguments, "--db-filter", "^" + regexQuote(database.orElseThrow()) + "$");
            }
            if (noDatabaseList) {
                arguments.add("--no-database-list");
            }
            if (httpPort != 0) {
                add(arguments, "--http-port", Integer.toString(httpPort));
            }
            if (maxCronThreads >= 0) {
                add(arguments, "--max-cron-threads", Integer.toString(maxCronThreads));
            }
            logLevel.ifPresent(level -> arguments.add("--log-level=" + level));
            logFile.ifPresent(file -> add(arguments, "--logfile", file));
            return new OdooCommandLine(executable, subcommand, arguments, configFile);
        }

        // Odoo reads it with RawConfigParser (odoo/tools/config.py): no interpolation; every value
        // was checked to hold no line break.
        private Optional<String> configFile()
        {
            if (databaseHost.isEmpty() && smtpHost.isEmpty() && smtpUser.isEmpty()) {
                return Optional.empty();
            }
            StringBuilder config = new StringBuilder("[options]\n");
            databaseHost.ifPresent(host -> config.append("db_host = ").append(host).append("\n")
                    .append("db_port = ").append(databasePort).append("\n")
                    .append("db_user = ").append(databaseUser.orElseThrow()).append("\n"));
            databasePassword.ifPresent(password -> config.append("db_password = ").append(password).append("\n"));
            smtpHost.ifPresent(host -> config.append("smtp_server = ").append(host).append("\n")
                    .append("smtp_port = ").append(smtpPort).append("\n"));
            smtpUser.ifPresent(user -> config.append("smtp_user = ").append(user).append("\n"));
            smtpPassword.ifPresent(password -> config.append("smtp_password = ").append(password).append("\n"));
            byte[] master = new byte[24];
            RANDOM.nextBytes(master);
            config.append("admin_passwd = ").append(HexFormat.of().formatHex(master)).append("\n");
            return Optional.of(config.toString());
        }

        private static void add(List<String> arguments, String option, String value)
        {
            arguments.add(option);
            arguments.add(value);
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

        private static String requireWord(String what, String value)
        {
            requireNonNull(value, what + " is null");
            if (value.isEmpty() || value.startsWith("-") || value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The " + what + " '" + value + "' is not valid: it must be non-empty, hold no blanks or control characters and not start with '-'");
            }
            return value;
        }

        private static String requireContainerPath(String what, String value)
        {
            requireNonNull(value, what + " is null");
            if (!value.startsWith("/") || value.chars().anyMatch(Character::isISOControl)) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The " + what + " '" + value + "' is not an absolute path in the container: use e.g. /mnt/extra-addons");
            }
            return value;
        }

        private static String requireSecret(String what, String value)
        {
            requireNonNull(value, what + " is null");
            if (value.isEmpty() || value.chars().anyMatch(Character::isISOControl) || !value.equals(value.strip())) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The " + what + " is empty, holds a control character or starts or ends with a blank, "
                        + "which Odoo's configuration file cannot hold: leave it out when there is none");
            }
            return value;
        }

        private static int requirePort(String what, int port)
        {
            if (port < 1 || port > 65535) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The " + what + " " + port + " is not between 1 and 65535");
            }
            return port;
        }
    }
}
