package sh.stagehand.store.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A secrets key for the store tests: one per test run, in a directory of its own.
 */
final class TestingSecrets
{
    private static SecretBox secretBox;

    private TestingSecrets() {}

    static synchronized SecretBox secretBox()
    {
        if (secretBox == null) {
            try {
                Path directory = Files.createTempDirectory("stagehand-secrets");
                directory.toFile().deleteOnExit();
                secretBox = SecretBox.fromKeyFile(directory.resolve("secrets.key"));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return secretBox;
    }
}
