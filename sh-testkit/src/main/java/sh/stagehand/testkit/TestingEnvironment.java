package sh.stagehand.testkit;

import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The settings {@code bin/env-up} wrote for the real parts on this machine.
 *
 * <p>Found in {@code $STAGEHAND_ENV_FILE}, else in {@code .stagehand/env.properties} in the working
 * directory or the nearest directory above it. A system property or an environment variable
 * overrides each key: {@code postgres.port} is read from {@code -Dpostgres.port} or
 * {@code POSTGRES_PORT}. Thread-safe and immutable.
 */
public final class TestingEnvironment
{
    public static final String ENV_FILE_VARIABLE = "STAGEHAND_ENV_FILE";
    private static final Path RELATIVE_ENV_FILE = Path.of(".stagehand", "env.properties");
    private static final String HOW_TO_START = "Run bin/env-up at the project root (as root) to start PostgreSQL and the Docker engine.";

    private static volatile TestingEnvironment instance;

    private final Optional<Path> file;
    private final Properties properties;

    private TestingEnvironment(Optional<Path> file, Properties properties)
    {
        this.file = requireNonNull(file, "file is null");
        this.properties = requireNonNull(properties, "properties is null");
    }

    public static TestingEnvironment get()
    {
        TestingEnvironment environment = instance;
        if (environment == null) {
            synchronized (TestingEnvironment.class) {
                environment = instance;
                if (environment == null) {
                    environment = load();
                    instance = environment;
                }
            }
        }
        return environment;
    }

    private static TestingEnvironment load()
    {
        Optional<Path> file = locate();
        Properties properties = new Properties();
        if (file.isPresent()) {
            try (InputStream input = Files.newInputStream(file.get())) {
                properties.load(input);
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file.get(), e);
            }
        }
        return new TestingEnvironment(file, properties);
    }

    private static Optional<Path> locate()
    {
        String explicit = System.getenv(ENV_FILE_VARIABLE);
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(Path.of(explicit)).filter(Files::isRegularFile);
        }
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            Path candidate = directory.resolve(RELATIVE_ENV_FILE);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public Optional<String> find(String key)
    {
        String value = System.getProperty(key);
        if (value == null) {
            value = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        if (value == null) {
            value = properties.getProperty(key);
        }
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    public String get(String key, String defaultValue)
    {
        return find(key).orElse(defaultValue);
    }

    public String require(String key)
    {
        return find(key).orElseThrow(() -> unavailable("Setting '" + key + "' is missing"
                + file.map(path -> " from " + path).orElse(" and no .stagehand/env.properties was found")));
    }

    /**
     * Whether a missing real part fails the test ({@code CI=true}) rather than aborting it.
     */
    public static boolean isCi()
    {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * What to throw when a real part is missing: an {@link AssertionError} under CI, a
     * {@link TestAbortedException} elsewhere. Both say how to start it.
     */
    public static RuntimeException unavailable(String what)
    {
        return unavailable(what, null);
    }

    public static RuntimeException unavailable(String what, Throwable cause)
    {
        String message = what + ". " + HOW_TO_START;
        if (isCi()) {
            fail(message + " (CI=true: a missing real part fails the run.)", cause);
        }
        System.err.println("SKIPPED (real part missing): " + message);
        return new TestAbortedException(message + " (Not under CI, so the test is skipped.)", cause);
    }
}
