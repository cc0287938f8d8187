package sh.stagehand.server;

import java.time.Duration;

import sh.stagehand.core.build.Build;

import sh.stagehand.core.Stagehand;

import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;
import sh.stagehand.testkit.TestingPorts;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The configuration every end-to-end test's platform starts from: the real PostgreSQL and Docker
 * engine, the test server image, a metadata database of its own (owned by the metadata role, apart
 * from the platform's, as an operator sets it up) and a data directory of its own, the mail
 * catcher on a port that survives a restart, and no timer of its own (no polling, no garbage
 * collection, no daily backup, no build put to sleep), so that the test decides what happens when.
 */
public final class TestingPlatform
{
    private TestingPlatform() {}

    /**
     * The numeric {@code uid:gid} builds run as on this machine ({@code platform.container-user}).
     */
    public static String containerUser()
    {
        return TestingEnvironment.get().get("platform.container-user", "101:101");
    }

    /**
     * The reference server's {@link Main} in a JVM of its own on these keys (written to
     * {@code <name>.properties} in the directory, its output to {@code <name>.log}): a platform a
     * test can kill with {@link Process#destroyForcibly()}, a {@code kill -9}.
     */
    public static Process startInAProcessOfItsOwn(Map<String, String> properties, Path directory, String name)
            throws IOException
    {
        Path propertiesFile = directory.resolve(name + ".properties");
        try (var writer = Files.newBufferedWriter(propertiesFile)) {
            Properties fileProperties = new Properties();
            fileProperties.putAll(properties);
            fileProperties.store(writer, "a platform a test may kill");
        }
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), propertiesFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve(name + ".log").toFile())
                .start();
    }

    /**
     * @return the keys, in a map the test may add to
     */
    public static Map<String, String> properties(String instance, Path dataDirectory, String metadataDatabase, TestingPostgres postgres, TestingDocker docker)
    {
        int smtpPort = TestingPorts.freeStablePort();
        Map<String, String> properties = new HashMap<>();
        properties.put("instance.name", instance);
        properties.put("data.directory", dataDirectory.toString());
        properties.put("http.port", "0");
        properties.put("ssh.port", "0");
        properties.put("smtp.port", Integer.toString(smtpPort));
        properties.put("platform.poll-interval", "0");
        properties.put("platform.gc-interval", "0");
        properties.put("backup.daily-time", "off");
        // Production is probed when a test asks (ProductionWatch.probeAll), not behind its back.
        properties.put("monitor.probe-interval", "0");
        // Builds sleep when a test puts them to sleep, not behind its back.
        properties.put("sleep.idle-after", "0");
        properties.put("postgres.url", postgres.jdbcUrl("postgres"));
        properties.put("postgres.user", postgres.user());
        properties.put("postgres.password", postgres.password());
        properties.put("postgres.container-host", postgres.containerHost());
        properties.put("postgres.metadata-database", metadataDatabase);
        properties.put("postgres.metadata-user", postgres.metadataUser());
        properties.put("postgres.metadata-password", postgres.metadataPassword());
        postgres.createMetadataDatabase(metadataDatabase);
        properties.put("docker.host", docker.host().toString());
        properties.put("docker.network", docker.network());
        properties.put("platform.odoo-image", TestingEnvironment.get().require("docker.odoo-test-image"));
        properties.put("platform.smtp-host", docker.networkGateway());
        properties.put("platform.smtp-port", Integer.toString(smtpPort));
        properties.put("platform.container-memory-mb", "512");
        // bin/env-up's account for builds, which no other program of the host uses.
        properties.put("platform.container-user", containerUser());
        return properties;
    }

    /**
     * Stops a test's server and platform: every build of the project discarded (its containers and
     * database), production's database dropped, then the platform closed and its metadata database
     * dropped. Each part may be missing (a set-up that failed half-way).
     */
    public static void stop(ReferenceServer server, Stagehand stagehand, String project, TestingPostgres postgres, String metadataDatabase)
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            for (var branch : stagehand.projects().branches(project)) {
                for (Build build : stagehand.builds().builds(project, branch.name())) {
                    stagehand.builds().discard(build.id());
                }
            }
            stagehand.databases().drop(project + "-production");
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + project + "-production\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + metadataDatabase + "\" WITH (FORCE)");
    }
}
