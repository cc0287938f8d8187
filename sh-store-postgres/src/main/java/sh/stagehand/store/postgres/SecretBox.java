package sh.stagehand.store.postgres;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Seals the secrets the metadata database keeps and the platform must use again (repository
 * tokens, webhook secrets, each build's SMTP password), so that a copy of the database, a backup
 * of it or a query that reads it (a tenant reaching it, an error that echoes a row) gives nothing
 * away. Google Tink's AEAD, AES-256-GCM, under a key kept outside the database: the file of
 * {@code secrets.key-file} (default {@code <data.directory>/secrets.key}), a Tink keyset, created
 * readable by its owner only on first start.
 *
 * <p>Each value is sealed with what it belongs to (its table, column and row) as associated data:
 * a sealed value copied onto another row, or a plain value written into the column, does not
 * open. Lose the key file and the sealed secrets are lost with it (projects need new tokens and
 * webhook secrets); keep it with the backups of the data directory, apart from the database's.
 * Thread-safe.
 */
public final class SecretBox
{
    public static final ConfigKey<Path> KEY_FILE = ConfigKey.optional("secrets.key-file", ConfigType.path(),
            "the key that seals the secrets the metadata database keeps (default: secrets.key in the data directory, created on first start)");
    public static final ConfigKeys KEYS = ConfigKeys.of("the metadata database's secrets", KEY_FILE);
    private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
    private static final String SEALED = "sealed:v1:";
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    // Opening costs some microseconds, and a project's page reads thousands of builds: each
    // sealed value is opened once (for its context only; a value is sealed with a fresh nonce, so
    // its text names it). The secrets are in the records on the heap anyway.
    private static final int MAX_OPENED = 100_000;

    private final Aead aead;
    private final Path keyFile;
    private final Map<String, Opened> opened = new ConcurrentHashMap<>();

    private record Opened(String context, String secret)
    {
        @Override
        public String toString()
        {
            return "Opened[" + context + "]";
        }
    }

    private SecretBox(Aead aead, Path keyFile)
    {
        this.aead = aead;
        this.keyFile = keyFile;
    }

    /**
     * The key file of {@code secrets.key-file}, or {@code <data.directory>/secrets.key}.
     */
    public static SecretBox fromConfig(StagehandConfig config)
    {
        return fromKeyFile(config.values(KEYS).optional(KEY_FILE).orElse(config.dataDirectory().resolve("secrets.key")).toAbsolutePath());
    }

    /**
     * Reads the key file, or creates it (owner-only) with a new random key if there is none.
     *
     * @throws StagehandException {@code INVALID_CONFIGURATION} if the file cannot be read or
     *         written, is not a key, or others than its owner may read it
     */
    public static SecretBox fromKeyFile(Path keyFile)
    {
        requireNonNull(keyFile, "keyFile is null");
        try {
            AeadConfig.register();
            if (!Files.exists(keyFile)) {
                create(keyFile);
            }
            requireOwnerOnly(keyFile);
            KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(keyFile, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get());
            return new SecretBox(keyset.getPrimitive(RegistryConfiguration.get(), Aead.class), keyFile);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Cannot read or create the secrets key file " + keyFile + " (" + KEY_FILE + "): " + e
                    + "; point " + KEY_FILE + " at a file the server may write, in a directory that exists", e);
        }
        catch (GeneralSecurityException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "The secrets key file " + keyFile + " (" + KEY_FILE + ") holds no key Stagehand made: "
                    + e.getMessage() + "; put back the file the platform created, or move it away on a platform without records", e);
        }
    }

    /**
     * @param context what the secret belongs to, e.g. {@code project.webhook_secret:acme}: it must
     *         be given again to open it
     * @return the sealed value, text to store
     */
    public String seal(String secret, String context)
    {
        requireNonNull(secret, "secret is null");
        try {
            byte[] sealed = aead.encrypt(secret.getBytes(StandardCharsets.UTF_8), context.getBytes(StandardCharsets.UTF_8));
            return SEALED + Base64.getEncoder().withoutPadding().encodeToString(sealed);
        }
        catch (GeneralSecurityException e) {
            throw new StagehandException(StandardErrorCode.GENERIC_INTERNAL_ERROR, "Cannot seal " + context + ": " + e.getMessage(), e);
        }
    }

    /**
     * @throws StagehandException {@code CORRUPT_DATA} if the value was not sealed with this key
     *         for this context: another key file than the one it was sealed with, a value copied
     *         from another row, or a value written in the clear. The message never holds the value.
     */
    public String open(String stored, String context)
    {
        requireNonNull(stored, "stored is null");
        if (!isSealed(stored)) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "The metadata database holds " + context + " unsealed; Stagehand stores it sealed only, so it was "
                    + "written by hand or by an older version: set it again through the platform");
        }
        Opened known = opened.get(stored);
        if (known != null && known.context().equals(context)) {
            return known.secret();
        }
        try {
            byte[] sealed = Base64.getDecoder().decode(stored.substring(SEALED.length()));
            String secret = new String(aead.decrypt(sealed, context.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            if (opened.size() >= MAX_OPENED) {
                opened.clear();
            }
            opened.put(stored, new Opened(context, secret));
            return secret;
        }
        catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Cannot open " + context + " with the key in " + keyFile + ": it was sealed with another key (was "
                    + KEY_FILE + " replaced or lost? put the original back), or copied from another row", e);
        }
    }

    /**
     * @return what a secret stored in a column of a table's row belongs to, for {@link #seal}
     *         and {@link #open}: {@code project.webhook_secret:acme}
     */
    public static String context(String table, String column, Object row)
    {
        return table + "." + column + ":" + row;
    }

    /**
     * @return whether a stored value is sealed (by some key), not a secret in the clear
     */
    public static boolean isSealed(String stored)
    {
        return stored != null && stored.startsWith(SEALED);
    }

    public Path keyFile()
    {
        return keyFile;
    }

    @Override
    public String toString()
    {
        return "SecretBox[" + keyFile + "]";
    }

    // Written beside its place and linked there: no reader ever sees half a key, and two servers
    // starting at once on one data directory end up with the same one.
    private static void create(Path keyFile)
            throws IOException, GeneralSecurityException
    {
        Path directory = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        String keyset = TinkJsonProtoKeysetFormat.serializeKeyset(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM), InsecureSecretKeyAccess.get());
        boolean posix = Files.getFileStore(directory).supportsFileAttributeView(PosixFileAttributeView.class);
        Path temporary = posix
                ? Files.createTempFile(directory, ".secrets-", ".key", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(directory, ".secrets-", ".key");
        try {
            Files.writeString(temporary, keyset, StandardCharsets.UTF_8);
            Files.createLink(keyFile, temporary);
            log.info("Created the secrets key {} ({}): keep it with the data directory's backups, apart from the database's", keyFile, KEY_FILE);
        }
        catch (FileAlreadyExistsException e) {
            // another server made it first: that one is the key
        }
        finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void requireOwnerOnly(Path keyFile)
            throws IOException
    {
        if (!Files.getFileStore(keyFile).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
        if (!OWNER_ONLY.containsAll(permissions)) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "The secrets key file " + keyFile + " (" + KEY_FILE + ") may be read by others ("
                    + PosixFilePermissions.toString(permissions) + "); make it its owner's only: chmod 600 " + keyFile);
        }
    }
}
