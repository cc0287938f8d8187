package sh.stagehand.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.docker.DockerRuntimeProvider;
import sh.stagehand.github.GitHubPublicKeys;
import sh.stagehand.github.GitVcsProvider;
import sh.stagehand.postgres.PostgresDatabaseProvider;
import sh.stagehand.s3.S3BackupStore;
import sh.stagehand.server.smtp.SmtpMailRelay;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.store.postgres.PostgresStoreModule;
import sh.stagehand.swarm.SwarmRuntimeProvider;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Starts the reference server: {@code java -jar sh-reference-server.jar [stagehand.properties]}.
 * Keys come from the file, then from system properties named {@code stagehand.<key>}, which win
 * ({@code -Dstagehand.http.port=9090}).
 */
public final class Main
{
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private static final String SYSTEM_PROPERTY_PREFIX = "stagehand.";

    private Main() {}

    public static void main(String[] args)
    {
        Stagehand stagehand = null;
        ReferenceServer server = null;
        try {
            Map<String, String> properties = withServerDefaults(loadProperties(args));
            stagehand = platform(properties).build();
            // The first run's administrator, made before the server answers anyone: its password is
            // said once, here, and kept nowhere else.
            Optional<String> firstPassword = stagehand.accounts().ensureAdministrator();
            server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
            firstPassword.ifPresent(password -> System.out.println(
                    "First run: log in as admin with password " + password + " (shown this once; change it on your profile, and create accounts for the others there)"));
            // Said plainly, on standard output: where a new user goes next.
            System.out.println("Stagehand is up: open " + server.publicUrl() + "/ in a browser (the API is described at " + server.publicUrl() + "/api/openapi.yaml)");
            ReferenceServer started = server;
            Stagehand platform = stagehand;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                platform.close();
            }, "stagehand-shutdown"));
        }
        catch (RuntimeException e) {
            log.error("Stagehand did not start: {}", e.getMessage(), e);
            if (server != null) {
                server.close();
            }
            if (stagehand != null) {
                stagehand.close();
            }
            System.exit(1);
        }
    }

    /**
     * The platform of the reference server: its providers, and the server's own keys declared, so
     * that a key nobody reads stops the start.
     */
    public static Stagehand.Builder platform(Map<String, String> properties)
    {
        return Stagehand.builder()
                .withProperties(properties)
                .withConfigKeys(ServerConfig.KEYS)
                .withProvider(DockerRuntimeProvider.FACTORY)
                .withProvider(SwarmRuntimeProvider.FACTORY)
                .withProvider(PostgresDatabaseProvider.FACTORY)
                .withProvider(GitVcsProvider.FACTORY)
                .withProvider(S3BackupStore.FACTORY)
                .withProvider(SmtpMailRelay.FACTORY)
                .withModule(new PostgresStoreModule())
                // The platform's meters, served at /metrics.
                .withMeterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .withPublicKeyDirectory(new GitHubPublicKeys())
                .withServiceLoaderPlugins();
    }

    // Housekeeping moved into the platform, its durations now written with a unit: the server's
    // former keys still work, read in their former unit.
    private static final Map<String, Map.Entry<ConfigKey<?>, String>> RENAMED_KEYS = Map.of(
            "server.poll-interval-seconds", Map.entry(PlatformSettings.POLL_INTERVAL, "s"),
            "server.gc-interval-minutes", Map.entry(PlatformSettings.GC_INTERVAL, "m"));

    /**
     * The platform's view of this server, where the configuration does not say otherwise: links
     * point at the server's own address, builds send mail to the catcher's port.
     */
    static Map<String, String> withServerDefaults(Map<String, String> properties)
    {
        Map<String, String> withDefaults = new HashMap<>(properties);
        ServerConfig server = ServerConfig.fromMap(properties);
        withDefaults.putIfAbsent(PlatformSettings.PUBLIC_URL.name(), server.publicUrl());
        withDefaults.putIfAbsent(PlatformSettings.SMTP_PORT.name(), Integer.toString(server.smtpPort()));
        for (Map.Entry<String, Map.Entry<ConfigKey<?>, String>> renamed : RENAMED_KEYS.entrySet()) {
            String value = withDefaults.remove(renamed.getKey());
            if (value != null) {
                String newKey = renamed.getValue().getKey().name();
                String newValue = value.strip() + renamed.getValue().getValue();
                log.warn("{}={} is now {}={}; please rename it in your configuration", renamed.getKey(), value, newKey, newValue);
                withDefaults.putIfAbsent(newKey, newValue);
            }
        }
        return withDefaults;
    }

    static Map<String, String> loadProperties(String[] args)
    {
        Map<String, String> properties = new HashMap<>();
        if (args.length > 1) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Usage: Main [stagehand.properties]");
        }
        if (args.length == 1) {
            Path file = Path.of(args[0]);
            Properties fromFile = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                fromFile.load(reader);
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Cannot read configuration file " + file + ": " + e, e);
            }
            fromFile.stringPropertyNames().forEach(name -> properties.put(name, fromFile.getProperty(name).strip()));
        }
        Properties system = System.getProperties();
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith(SYSTEM_PROPERTY_PREFIX)) {
                properties.put(name.substring(SYSTEM_PROPERTY_PREFIX.length()), system.getProperty(name));
            }
        }
        return properties;
    }
}
