package sh.stagehand.s3;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.testkit.BaseBackupStoreContractTest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The S3 store against an S3-compatible server started inside the test (S3Proxy, on an in-memory
 * blob store), over real HTTP with AWS signatures.
 */
class S3BackupStoreIT
        extends BaseBackupStoreContractTest
{
    private static final String BUCKET = "stagehand-backups";

    private static BlobStoreContext blobs;
    private static S3Proxy server;
    private static S3BackupStore store;

    @BeforeAll
    static void startServer()
            throws Exception
    {
        blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential").build(BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, BUCKET);
        server = S3Proxy.builder()
                .blobStore(blobs.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "access-key", "secret-key")
                .endpoint(URI.create("http://127.0.0.1:0"))
                .build();
        server.start();
        while (!server.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        store = new S3BackupStore(S3Config.fromMap(Map.of(
                "s3.bucket", BUCKET,
                "s3.prefix", "platform",
                "s3.endpoint", "http://127.0.0.1:" + server.getPort(),
                "s3.path-style", "true",
                "s3.access-key", "access-key",
                "s3.secret-key", "secret-key")));
    }

    @AfterAll
    static void stopServer()
            throws Exception
    {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.stop();
        }
        if (blobs != null) {
            blobs.close();
        }
    }

    @Override
    protected BackupStore store()
    {
        return store;
    }

    @Override
    protected void corrupt(String key)
            throws IOException
    {
        // A disk of the service that flipped a bit, metadata untouched.
        BlobStore blobStore = blobs.getBlobStore();
        Blob blob = blobStore.getBlob(BUCKET, "platform/" + key);
        byte[] bytes;
        try (InputStream in = blob.getPayload().openStream()) {
            bytes = in.readAllBytes();
        }
        bytes[bytes.length / 2] ^= 0x01;
        blobStore.putBlob(BUCKET, blobStore.blobBuilder("platform/" + key).payload(bytes).userMetadata(blob.getMetadata().getUserMetadata()).build());
    }

    @Test
    void testWrongCredentialsAreRefusedSayingWhatToCheck()
            throws IOException
    {
        try (S3BackupStore wrong = new S3BackupStore(S3Config.fromMap(Map.of(
                "s3.bucket", BUCKET,
                "s3.endpoint", "http://127.0.0.1:" + server.getPort(),
                "s3.path-style", "true",
                "s3.access-key", "access-key",
                "s3.secret-key", "not-the-secret")))) {
            assertThatThrownBy(() -> wrong.put("x/y", Files.writeString(temp.resolve("x"), "x"), Map.of()))
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PERMISSION_DENIED.toErrorCode()))
                    .hasMessageContaining("s3.access-key");
        }
    }
}
