package sh.stagehand.core;

import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.pipeline.BuildSteps;
import sh.stagehand.spi.runtime.ContainerFile;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.testkit.memory.ContainerProgram;
import sh.stagehand.testkit.memory.InMemoryDatabase;
import sh.stagehand.testkit.memory.InMemoryDatabaseProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Odoo 17 as far as the production and staging pipelines observe it, for {@link InMemoryDatabaseProvider}
 * and the in-memory runtime: {@code -i}/{@code -u} with {@code --stop-after-init} install and update
 * the addons of the image (their {@code latest_version} as odoo/modules/module.py's
 * {@code adapt_version} writes it), each writing a row ({@code res_partner}) and a filestore file as
 * a migration would; a server answers {@code /web/health} and {@code /web/login} on 8069 until it is
 * stopped. A server or update whose configuration file holds another password than its database's
 * fails to connect, as PostgreSQL refuses it.
 *
 * {@code odoo shell}, its script a file the platform's {@code sh -c "exec … < script"} feeds it,
 * runs {@link sh.stagehand.core.odoo.AppUninstall}'s: each module named is marked uninstalled and
 * its cron removed, as button_immediate_uninstall removes a module's data; a module not installed
 * stops it first, changing nothing.
 *
 * {@code odoo neutralize} does what odoo/addons/base/data/neutralize.sql does to the tables it
 * keeps: every mail server off and the dummy one on host {@code invalid} added, every cron off,
 * {@code database.is_neutralized} set. An installed module brings a mail server and a cron of
 * its own, as a production's data would.
 *
 * <p>The platform's restore container ({@code sh -c "… | psql … --dbname=D"}) loads a plain dump
 * of the in-memory layout ({@code COPY} blocks; its values come back as text) into {@code D}, as
 * the login in its password file, which must be {@code D}'s; a line psql would refuse stops it.
 *
 * <p>An addon misbehaves on purpose through a file in its directory: {@code FAIL_UPDATE} (its
 * install or update raises after writing its row and file: Odoo commits module by module),
 * {@code FAIL_UNINSTALL} (its uninstall raises after removing its data and marking it),
 * {@code SLOW_START} (a server with it installed answers only after 1.5 s),
 * {@code HANG_UPDATE} (its install or update blocks after writing, until the container is stopped:
 * a platform that dies there), {@code FAIL_NEUTRALIZE} ({@code odoo neutralize} fails and
 * changes nothing, as its one transaction rolls back), {@code UNHEALTHY} (a server with it installed answers 500 to
 * {@code /web/login}, as real Odoo does when the module fails to import).
 */
final class FakeOdoo
        implements ContainerProgram.Factory
{
    static final String SERIES = "17.0";
    private static final Pattern VERSION = Pattern.compile("['\"]version['\"]\\s*:\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern MAIL_SERVER_UPDATE = Pattern.compile("(?s)^\\s*UPDATE public\\.ir_mail_server SET smtp_host = \\?, smtp_port = \\?, smtp_user = \\?, smtp_pass = \\?.*WHERE name = '([^']+)'\\s*$");
    private static final Pattern SED_KEY = Pattern.compile("sed -e '/\\^\\\\\\\\restrict ([A-Za-z0-9]+)");
    private static final Pattern DBNAME = Pattern.compile("--dbname=(\\S+)");
    private static final Pattern DUMP_FILE = Pattern.compile("(/var/lib/stagehand-dump/\\S+) \\| psql");
    private static final Pattern COPY = Pattern.compile("COPY public\\.(\\w+) \\(([^)]*)\\) FROM stdin;");
    private static final Pattern PASSWORD = Pattern.compile("(?m)^db_password = (.+)$");
    private static final Pattern UNINSTALLED = Pattern.compile("(?m)^names = \\[([^\\]]*)]$");

    private final InMemoryDatabaseProvider databases;

    FakeOdoo(InMemoryDatabaseProvider databases)
    {
        this.databases = requireNonNull(databases, "databases is null");
    }

    /**
     * The statements the pipelines run on a build's database.
     */
    static List<Map<String, Object>> answer(InMemoryDatabase database, String sql, List<?> parameters)
    {
        if (sql.contains("FROM public.ir_module_module")) {
            boolean installedOnly = sql.contains("WHERE state = 'installed'");
            return database.select("ir_module_module", row -> !installedOnly || "installed".equals(row.get("state"))).stream()
                    .map(row -> {
                        Map<String, Object> result = new LinkedHashMap<>();
                        result.put("name", row.get("name"));
                        result.put("state", row.get("state"));
                        result.put("latest_version", row.get("latest_version"));
                        return result;
                    })
                    .toList();
        }
        if (sql.contains("current_setting('server_version_num')")) {
            return List.of(Map.of("v", "150014"));
        }
        if (sql.contains("FROM public.ir_config_parameter WHERE key = 'database.is_neutralized'")) {
            return database.select("ir_config_parameter", row -> "database.is_neutralized".equals(row.get("key")));
        }
        Matcher catcher = MAIL_SERVER_UPDATE.matcher(sql);
        if (catcher.find()) {
            String name = catcher.group(1);
            Map<String, Object> values = mailServer(parameters);
            return List.of(Map.of("count", database.update("ir_mail_server", row -> name.equals(row.get("name")), values)));
        }
        if (sql.contains("UPDATE public.ir_mail_server SET active = false;") && sql.contains("INSERT INTO public.ir_mail_server")) {
            database.update("ir_mail_server", row -> true, Map.of("active", false));
            Map<String, Object> values = new LinkedHashMap<>(mailServer(parameters));
            values.put("name", "stagehand mail catcher");
            database.insert("ir_mail_server", values);
            return List.of(Map.of("count", 1));
        }
        if (sql.startsWith("SELECT ? AS t, count(*) AS n FROM ONLY ")) {
            // pg_dump's table names, in the order of the parameters.
            return parameters.stream()
                    .map(table -> Map.<String, Object>of("t", table, "n", (long) database.select(String.valueOf(table).replaceFirst("^public\\.", "").replace("\"", ""), row -> true).size()))
                    .toList();
        }
        throw new UnsupportedOperationException("FakeOdoo does not know this statement; teach it, from what Odoo does: " + sql);
    }

    @Override
    public ContainerProgram programFor(ContainerSpec spec, ImageSpec image)
    {
        List<String> command = spec.command();
        if (command.size() == 3 && command.get(0).equals("sh") && command.get(2).contains("| psql ")) {
            return process -> restore(process, spec);
        }
        Optional<String> database = option(command, "-d");
        List<String> install = option(command, "-i").map(modules -> List.of(modules.split(","))).orElse(List.of());
        List<String> update = option(command, "-u").map(modules -> List.of(modules.split(","))).orElse(List.of());
        boolean stopAfterInit = command.contains("--stop-after-init");
        return process -> {
            String name = database.orElseThrow(() -> new IllegalStateException("FakeOdoo runs with -d only: " + command));
            if (!authenticates(spec, name)) {
                log(process, "CRITICAL", name, "odoo.sql_db: Connection to the database failed: FATAL:  password authentication failed for user \"" + name + "\"");
                return 1;
            }
            Path addons = process.imageDirectory();
            if (command.contains("neutralize")) {
                return neutralize(process, databases.database(name), addons);
            }
            if (command.contains("shell")) {
                return shell(process, spec, databases.database(name), addons);
            }
            for (String module : install) {
                if (!migrate(process, name, addons, module)) {
                    return 1;
                }
            }
            for (String module : update) {
                if (!migrate(process, name, addons, module)) {
                    return 1;
                }
            }
            if (stopAfterInit) {
                log(process, "INFO", name, "odoo.modules.loading: Modules loaded.");
                return 0;
            }
            boolean unhealthy = databases.database(name).select("ir_module_module", row -> "installed".equals(row.get("state"))).stream()
                    .anyMatch(row -> Files.exists(addons.resolve(String.valueOf(row.get("name"))).resolve("UNHEALTHY")));
            boolean slow = databases.database(name).select("ir_module_module", row -> "installed".equals(row.get("state"))).stream()
                    .anyMatch(row -> Files.exists(addons.resolve(String.valueOf(row.get("name"))).resolve("SLOW_START")));
            if (slow && process.awaitStop(Duration.ofMillis(1500))) {
                return 0;
            }
            process.serve(BuildSteps.ODOO_PORT, exchange -> {
                int status = exchange.getRequestURI().getPath().equals("/web/login") && unhealthy ? 500 : 200;
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            log(process, "INFO", name, "odoo.service.server: HTTP service (werkzeug) running on 0.0.0.0:8069");
            while (!process.awaitStop(Duration.ofMinutes(1))) {
                // serving
            }
            return 0;
        };
    }

    private int restore(ContainerProgram.Process process, ContainerSpec spec)
            throws IOException
    {
        Matcher database = DBNAME.matcher(spec.command().get(2));
        Matcher dump = DUMP_FILE.matcher(spec.command().get(2));
        if (!database.find() || !dump.find()) {
            process.println("psql: error: FakeOdoo cannot read this restore command: " + spec.command());
            return 2;
        }
        String name = database.group(1);
        String pgpass = spec.files().stream().map(ContainerFile::content).filter(content -> content.contains(":" + name + ":")).findFirst().orElse("");
        if (!databases.exists(name) || !pgpass.strip().endsWith(":" + databases.database(name).password())) {
            process.println("psql: error: connection to server failed: FATAL:  password authentication failed for user \"" + name + "\"");
            return 2;
        }
        InMemoryDatabase target = databases.database(name);
        // The sed in front of psql takes out pg_dump's own key lines, and nothing else.
        Matcher ownKey = SED_KEY.matcher(spec.command().get(2));
        Optional<String> key = ownKey.find() ? Optional.of(ownKey.group(1)) : Optional.empty();
        List<String> lines = Files.readAllLines(process.hostPath(dump.group(1))).stream()
                .filter(line -> key.isEmpty() || !(line.equals("\\restrict " + key.get()) || line.equals("\\unrestrict " + key.get())))
                .toList();
        String table = null;
        List<String> columns = List.of();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1);
            if (table != null) {
                if (line.equals("\\.")) {
                    table = null;
                    continue;
                }
                String[] values = line.split("\t", -1);
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    row.put(columns.get(i), values[i].equals("\\N") ? null : values[i]);
                }
                target.insert(table, row);
                continue;
            }
            Matcher copy = COPY.matcher(line);
            if (copy.matches()) {
                table = copy.group(1);
                columns = List.of(copy.group(2).split(", "));
            }
            else if (line.startsWith("\\")) {
                process.println("psql:<stdin>:" + number + ": error: backslash commands are restricted; only \\unrestrict is allowed");
                return 3;
            }
        }
        return 0;
    }

    // The platform's statements bind host, port, user and password in this order.
    private static Map<String, Object> mailServer(List<?> parameters)
    {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("smtp_host", parameters.get(0));
        values.put("smtp_port", parameters.get(1));
        values.put("smtp_user", parameters.get(2));
        values.put("smtp_pass", parameters.get(3));
        values.put("active", true);
        return values;
    }

    // odoo/addons/base/data/neutralize.sql, in one transaction.
    private static int neutralize(ContainerProgram.Process process, InMemoryDatabase database, Path addons)
            throws IOException
    {
        try (Stream<Path> modules = Files.list(addons)) {
            if (modules.anyMatch(module -> Files.exists(module.resolve("FAIL_NEUTRALIZE")))) {
                log(process, "ERROR", database.name(), "odoo.modules.neutralize: neutralization failed");
                process.println("Traceback (most recent call last):");
                process.println("psycopg2.errors.UndefinedTable: relation \"mail_template\" does not exist");
                return 1;
            }
        }
        database.update("ir_mail_server", row -> true, Map.of("active", false));
        database.insert("ir_mail_server", Map.of("name", "neutralization - disable emails", "smtp_host", "invalid", "smtp_port", 1025, "active", true));
        database.update("ir_cron", row -> true, Map.of("active", false));
        database.upsert("ir_config_parameter", row -> "database.is_neutralized".equals(row.get("key")), Map.of("key", "database.is_neutralized", "value", "true"));
        log(process, "INFO", database.name(), "odoo.modules.neutralize: Neutralization finished");
        return 0;
    }

    // The platform's uninstall script, fed by `sh -c 'exec "$0" "$@" < script'`.
    private static int shell(ContainerProgram.Process process, ContainerSpec spec, InMemoryDatabase database, Path addons)
    {
        String script = spec.files().stream().filter(file -> file.path().equals("/run/stagehand/script.py")).map(ContainerFile::content).findFirst().orElse("");
        Matcher names = UNINSTALLED.matcher(script);
        if (spec.command().size() < 3 || !spec.command().get(2).endsWith("< /run/stagehand/script.py") || !names.find()) {
            process.println("FakeOdoo runs the platform's uninstall script only: " + spec.command());
            return 1;
        }
        List<String> modules = List.of(names.group(1).replace("'", "").split(",\\s*"));
        List<String> missing = modules.stream().filter(module -> database.select("ir_module_module", row -> module.equals(row.get("name")) && "installed".equals(row.get("state"))).isEmpty())
                .toList();
        if (!missing.isEmpty()) {
            process.println("Stagehand: not installed, nothing uninstalled: " + String.join(", ", missing));
            return 1;
        }
        log(process, "INFO", database.name(), "odoo.modules.loading: Modules loaded.");
        for (String module : modules) {
            database.update("ir_module_module", row -> module.equals(row.get("name")), Map.of("state", "uninstalled", "latest_version", ""));
            database.delete("ir_cron", row -> (module + " reminders").equals(row.get("name")));
            log(process, "INFO", database.name(), "odoo.addons.base.models.ir_module: User #1 triggered module uninstallation");
            if (Files.exists(addons.resolve(module).resolve("FAIL_UNINSTALL"))) {
                log(process, "ERROR", database.name(), "odoo.modules.registry: Failed to load registry");
                process.println("Traceback (most recent call last):");
                process.println("psycopg2.errors.DependentObjectsStillExist: cannot drop table " + module + "_lead");
                return 1;
            }
        }
        log(process, "INFO", database.name(), "odoo.modules.loading: Reloading registry once more after uninstalling modules");
        return 0;
    }

    // One module, as Odoo loads it: its own data first, committed, then whatever breaks.
    private boolean migrate(ContainerProgram.Process process, String name, Path addons, String module)
            throws IOException, InterruptedException
    {
        if (module.equals("base")) {
            databases.database(name).upsert("ir_module_module", row -> row.get("name").equals("base"), Map.of("name", "base", "state", "installed", "latest_version", SERIES + ".1.3"));
            return true;
        }
        Path manifest = addons.resolve(module).resolve("__manifest__.py");
        if (!Files.isRegularFile(manifest)) {
            log(process, "ERROR", name, "odoo.modules.loading: Some modules are not loaded: ['" + module + "']");
            return false;
        }
        Matcher matcher = VERSION.matcher(Files.readString(manifest));
        String version = adaptVersion(matcher.find() ? matcher.group(1) : "1.0");
        InMemoryDatabase database = databases.database(name);
        database.upsert("ir_module_module", row -> row.get("name").equals("base"), Map.of("name", "base", "state", "installed", "latest_version", SERIES + ".1.3"));
        database.upsert("ir_module_module", row -> row.get("name").equals(module), Map.of("name", module, "state", "installed", "latest_version", version));
        database.insert("res_partner", Map.of("name", module + " " + version));
        // Records a module's data creates once (noupdate): an update leaves them as they are.
        if (database.select("ir_mail_server", row -> "acme smtp".equals(row.get("name"))).isEmpty()) {
            database.insert("ir_mail_server", Map.of("name", "acme smtp", "smtp_host", "smtp.acme.example", "smtp_port", 587, "active", true));
        }
        if (database.select("ir_cron", row -> (module + " reminders").equals(row.get("name"))).isEmpty()) {
            database.insert("ir_cron", Map.of("name", module + " reminders", "active", true));
        }
        Path file = process.hostPath("/var/lib/odoo/filestore/" + name + "/" + module + "/" + version);
        Files.createDirectories(file.getParent());
        Files.writeString(file, module + " " + version + "\n");
        log(process, "INFO", name, "odoo.modules.loading: Loading module " + module + " " + version);
        if (Files.exists(addons.resolve(module).resolve("HANG_UPDATE"))) {
            process.awaitStop(Duration.ofHours(1));
            return false;
        }
        if (Files.exists(addons.resolve(module).resolve("FAIL_UPDATE"))) {
            log(process, "ERROR", name, "odoo.modules.registry: Failed to load registry");
            process.println("Traceback (most recent call last):");
            process.println("ValueError: " + module + " cannot be migrated");
            return false;
        }
        return true;
    }

    // odoo/modules/module.py adapt_version
    private static String adaptVersion(String version)
    {
        return version.equals(SERIES) || !version.startsWith(SERIES + ".") ? SERIES + "." + version : version;
    }

    private boolean authenticates(ContainerSpec spec, String name)
    {
        if (!databases.exists(name)) {
            return false;
        }
        String config = spec.files().stream().filter(file -> file.path().equals(OdooCommandLine.CONFIG_FILE)).map(ContainerFile::content).findFirst().orElse("");
        Matcher password = PASSWORD.matcher(config);
        return password.find() && password.group(1).equals(databases.database(name).password());
    }

    private static void log(ContainerProgram.Process process, String level, String database, String message)
    {
        process.println("2026-12-07 05:00:00,000 1 " + level + " " + database + " " + message);
    }

    private static Optional<String> option(List<String> command, String name)
    {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < command.size() - 1; i++) {
            if (command.get(i).equals(name)) {
                values.add(command.get(i + 1));
            }
        }
        return values.isEmpty() ? Optional.empty() : Optional.of(String.join(",", values));
    }
}
