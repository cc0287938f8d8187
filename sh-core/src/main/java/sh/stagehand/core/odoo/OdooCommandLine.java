package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseNames;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

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
 * <p>Its {@link Builder} keeps the options in groups, each checking its values as they are given:
 * {@link ModuleOptions}, {@link RuntimeOptions} and {@link OdooConfigFile}, with the checks of
 * {@link OdooOptionValues}.
 *
 * <p>Immutable and thread-safe; its {@link Builder} is not thread-safe.
 */
public final class OdooCommandLine
{
    public static final String DEFAULT_EXECUTABLE = "/usr/bin/odoo";
    /** Where the container finds {@link #configFile()}, in a directory of its own. */
    public static final String CONFIG_FILE = "/run/stagehand/odoo.conf";

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
        return OdooOptionValues.requireTestTags(testTags);
    }

    /**
     * Builds an {@link OdooCommandLine}; each option is checked when given. Not thread-safe.
     */
    public static final class Builder
    {
        private final Subcommand subcommand;
        private String executable = DEFAULT_EXECUTABLE;
        private Optional<String> database = Optional.empty();
        private final ModuleOptions modules = new ModuleOptions();
        private final RuntimeOptions runtime = new RuntimeOptions();
        private final OdooConfigFile config = new OdooConfigFile();

        private Builder(Subcommand subcommand)
        {
            this.subcommand = subcommand;
        }

        /**
         * The program to run, {@value OdooCommandLine#DEFAULT_EXECUTABLE} (as in the official image) unless given, e.g. {@code /opt/odoo/odoo-bin}.
         */
        public Builder withExecutable(String executable)
        {
            this.executable = OdooOptionValues.requireWord("executable", executable);
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
            this.modules.install(modules);
            return this;
        }

        /**
         * {@code -u a,b}: modules to update; may be given several times.
         */
        public Builder withUpdate(List<String> modules)
        {
            this.modules.update(modules);
            return this;
        }

        /**
         * {@code --without-demo=all}: no demo data (production, staging).
         */
        public Builder withoutDemo()
        {
            modules.withoutDemo();
            return this;
        }

        /**
         * {@code --test-enable}: run the tests of the modules installed or updated.
         */
        public Builder withTestEnable()
        {
            modules.testEnable();
            return this;
        }

        /**
         * {@code --test-enable --test-tags T}: run the tests the tags select; see {@link #requireValidTestTags(String)}.
         */
        public Builder withTestTags(String testTags)
        {
            modules.testTags(testTags);
            return this;
        }

        /**
         * {@code --stop-after-init}: exit once modules are installed, updated and tested.
         */
        public Builder withStopAfterInit()
        {
            modules.stopAfterInit();
            return this;
        }

        /**
         * {@code --addons-path a,b}: container directories holding addons, e.g. from {@link AddonScan#addonsPath(String)}.
         */
        public Builder withAddonsPath(List<String> directories)
        {
            runtime.addonsPath(directories);
            return this;
        }

        /**
         * {@code --data-dir D}: where the filestore and sessions live.
         */
        public Builder withDataDirectory(String directory)
        {
            runtime.dataDirectory(directory);
            return this;
        }

        /**
         * {@code db_host}, {@code db_port}, {@code db_user} in the configuration file: the PostgreSQL server as seen from the container.
         */
        public Builder withDatabaseServer(String host, int port, String user)
        {
            config.databaseServer(host, port, user);
            return this;
        }

        /**
         * {@code db_password} in the configuration file.
         */
        public Builder withDatabasePassword(String password)
        {
            config.databasePassword(password);
            return this;
        }

        /**
         * {@code --db-filter ^DB$}: the server serves only the database given with {@link #withDatabase(String)}.
         */
        public Builder withDatabaseFilter()
        {
            runtime.databaseFilter();
            return this;
        }

        /**
         * {@code --no-database-list}: hide the database manager's list.
         */
        public Builder withNoDatabaseList()
        {
            runtime.noDatabaseList();
            return this;
        }

        /**
         * {@code --http-port N}.
         */
        public Builder withHttpPort(int port)
        {
            runtime.httpPort(port);
            return this;
        }

        /**
         * {@code smtp_server}, {@code smtp_port} in the configuration file: where Odoo sends mail (the platform's mail catcher, or a real relay in production).
         */
        public Builder withSmtp(String host, int port)
        {
            config.smtp(host, port);
            return this;
        }

        /**
         * {@code smtp_user}, {@code smtp_password} in the configuration file.
         */
        public Builder withSmtpCredentials(String user, String password)
        {
            config.smtpCredentials(user, password);
            return this;
        }

        /**
         * {@code --max-cron-threads N}; 0 turns scheduled actions off (development and staging).
         */
        public Builder withMaxCronThreads(int threads)
        {
            runtime.maxCronThreads(threads);
            return this;
        }

        /**
         * {@code --log-level=L}, e.g. {@code test} (tests' progress), {@code info}, {@code warn}.
         */
        public Builder withLogLevel(String level)
        {
            runtime.logLevel(level);
            return this;
        }

        /**
         * {@code --logfile F}: write the log to a file in the container instead of standard error.
         */
        public Builder withLogFile(String file)
        {
            runtime.logFile(file);
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
                if (modules.given()) {
                    throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "odoo " + name
                            + " does not install, update or test modules: build a server command for -i, -u, --without-demo, --test-enable and --stop-after-init");
                }
            }
            if (runtime.hasDatabaseFilter() && database.isEmpty()) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A database filter needs the database it lets through: call withDatabase");
            }
            config.requireComplete();

            List<String> arguments = new ArrayList<>();
            subcommand.argument.ifPresent(arguments::add);
            Optional<String> configFile = config.render();
            if (configFile.isPresent()) {
                arguments.add("--config=" + CONFIG_FILE);
            }
            database.ifPresent(name -> Collections.addAll(arguments, "-d", name));
            modules.addTo(arguments);
            runtime.addTo(arguments, database);
            return new OdooCommandLine(executable, subcommand, arguments, configFile);
        }
    }
}
