package sh.stagehand.s3;

import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupKeys;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A {@link BackupStore} on any S3-compatible object storage, with the AWS SDK v2. Each object's
 * SHA-256, computed from the bytes sent, is kept in its metadata ({@code x-amz-meta-sha256}) beside
 * the caller's, and checked on every read: a corrupt object is refused, never handed out. S3 writes
 * an object whole or not at all. Thread-safe.
 */
public final class S3BackupStore
        implements BackupStore
{
    /** {@code backup.type=s3}, or a replica's {@code backup.replica.<name>.type=s3}; keys in {@link S3Config}. */
    public static final ProviderFactory<BackupStore> FACTORY = ProviderFactory.of(BackupStore.class, "s3", S3Config.KEYS,
            (config, context) -> new S3BackupStore(S3Config.fromMap(config)));

    private static final String SHA256 = "sha256";
    private static final String STORED_AT = "stored-at";
    // The caller's metadata, kept apart from the store's own.
    private static final String USER = "u-";

    private final S3Config config;
    private final S3Client client;

    public S3BackupStore(S3Config config)
    {
        this.config = requireNonNull(config, "config is null");
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                // The SDK's default trailing checksums (2.30+) are not understood by every
                // S3-compatible service; the store checks its own SHA-256 anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(config.accessKey().isPresent()
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey().get(), config.secretKey().orElseThrow()))
                        : DefaultCredentialsProvider.builder().build());
        config.endpoint().ifPresent(builder::endpointOverride);
        this.client = builder.build();
    }

    @Override
    public StoredObject put(String key, Path source, Map<String, String> metadata)
    {
        BackupKeys.requireValid(key);
        requireNonNull(metadata, "metadata is null");
        if (!Files.isRegularFile(source)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot store " + key + ": source file " + source + " does not exist");
        }
        try {
            String sha256 = sha256(source);
            long size = Files.size(source);
            Instant storedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Map<String, String> stored = new HashMap<>();
            metadata.forEach((name, value) -> stored.put(USER + name, value));
            stored.put(SHA256, sha256);
            stored.put(STORED_AT, storedAt.toString());
            client.putObject(request -> request.bucket(config.bucket()).key(objectKey(key)).metadata(stored).contentLength(size), RequestBody.fromFile(source));
            return new StoredObject(key, size, sha256, storedAt, metadata);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + source + " to store it as " + key + ": " + e, e);
        }
        catch (SdkException e) {
            throw translate("store " + key, e);
        }
    }

    @Override
    public Optional<StoredObject> stat(String key)
    {
        BackupKeys.requireValid(key);
        try {
            return Optional.of(object(key, client.headObject(request -> request.bucket(config.bucket()).key(objectKey(key)))));
        }
        catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw translate("look up " + key, e);
        }
        catch (SdkException e) {
            throw translate("look up " + key, e);
        }
    }

    @Override
    public StoredObject get(String key, Path target)
    {
        BackupKeys.requireValid(key);
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            MessageDigest digest = Sha256.newDigest();
            Map<String, String> metadata;
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(request -> request.bucket(config.bucket()).key(objectKey(key)));
                    DigestInputStream digesting = new DigestInputStream(in, digest)) {
                metadata = in.response().metadata();
                Files.copy(digesting, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            StoredObject object = new StoredObject(key, Files.size(partial), metadata.getOrDefault(SHA256, "0".repeat(64)), storedAt(metadata), userMetadata(metadata));
            String read = Sha256.hex(digest);
            if (!read.equals(object.sha256())) {
                Files.deleteIfExists(partial);
                throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Backup object " + key + " in s3://" + config.bucket() + "/" + config.prefix() + " is corrupt: expected SHA-256 "
                        + object.sha256() + ", read " + read + "; restore it from another replica");
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return object;
        }
        catch (NoSuchKeyException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No backup object " + key + " in s3://" + config.bucket() + "/" + config.prefix(), e);
        }
        catch (IOException e) {
            deleteQuietly(partial);
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read backup object " + key + " to " + target + ": " + e, e);
        }
        catch (SdkException e) {
            deleteQuietly(partial);
            throw translate("read " + key, e);
        }
    }

    @Override
    public List<StoredObject> list(String prefix)
    {
        List<StoredObject> objects = new ArrayList<>();
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(config.prefix() + prefix).build();
            for (S3Object summary : client.listObjectsV2Paginator(request).contents()) {
                String key = summary.key().substring(config.prefix().length());
                stat(key).ifPresent(objects::add);
            }
        }
        catch (SdkException e) {
            throw translate("list " + prefix, e);
        }
        // S3 lists in UTF-8 binary order, which is the order of these keys' characters.
        objects.sort((left, right) -> left.key().compareTo(right.key()));
        return objects;
    }

    @Override
    public boolean delete(String key)
    {
        BackupKeys.requireValid(key);
        if (stat(key).isEmpty()) {
            return false;
        }
        try {
            client.deleteObject(request -> request.bucket(config.bucket()).key(objectKey(key)));
            return true;
        }
        catch (SdkException e) {
            throw translate("delete " + key, e);
        }
    }

    @Override
    public void close()
    {
        client.close();
    }

    @Override
    public String toString()
    {
        return "S3BackupStore[" + config + "]";
    }

    private String objectKey(String key)
    {
        return config.prefix() + key;
    }

    private static StoredObject object(String key, HeadObjectResponse head)
    {
        return new StoredObject(key, head.contentLength(), head.metadata().getOrDefault(SHA256, "0".repeat(64)), storedAt(head.metadata()), userMetadata(head.metadata()));
    }

    private static Instant storedAt(Map<String, String> metadata)
    {
        return Optional.ofNullable(metadata.get(STORED_AT)).map(Instant::parse).orElse(Instant.EPOCH);
    }

    private static Map<String, String> userMetadata(Map<String, String> metadata)
    {
        Map<String, String> user = new HashMap<>();
        metadata.forEach((name, value) -> {
            if (name.startsWith(USER)) {
                user.put(name.substring(USER.length()), value);
            }
        });
        return user;
    }

    private StagehandException translate(String action, SdkException e)
    {
        String message = "Cannot " + action + " in s3://" + config.bucket() + "/" + config.prefix() + ": " + e.getMessage();
        if (e instanceof SdkClientException) {
            return new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, message + "; check that " + config.endpoint().map(Object::toString).orElse("S3") + " can be reached", e);
        }
        if (e instanceof S3Exception s3 && (s3.statusCode() == 401 || s3.statusCode() == 403)) {
            return new StagehandException(StandardErrorCode.PERMISSION_DENIED, message + "; check " + S3Config.ACCESS_KEY + " and " + S3Config.SECRET_KEY + " and the bucket's policy", e);
        }
        return new StagehandException(StandardErrorCode.PROVIDER_ERROR, message, e);
    }

    private static String sha256(Path file)
            throws IOException
    {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return Sha256.hex(digest);
    }

    private static void deleteQuietly(Path file)
    {
        try {
            Files.deleteIfExists(file);
        }
        catch (IOException ignored) {
            // a partial download; the next read replaces it
        }
    }
}
