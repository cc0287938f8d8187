package sh.stagehand.github.internal;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DNS rebinding against a real TLS server on loopback: the name's check says a public address,
 * the connection reaches loopback. The connected address is checked before the TLS handshake
 * ends, so the server never receives the request.
 */
class CheckedHttpConnectionFactoryIT
{
    @TempDir
    Path temp;

    private HttpsServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer()
            throws IOException, InterruptedException, GeneralSecurityException
    {
        Path keystore = temp.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "1", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer()
    {
        server.stop(0);
    }

    @Test
    void testAConnectionThatReachesAnAddressInsideIsRefusedBeforeItsRequest()
            throws IOException
    {
        // The check's DNS says the internet; the JDK's, which the connection uses, says loopback.
        RepositoryUrlPolicy rebound = new RepositoryUrlPolicy(Set.of(), host -> List.of(InetAddress.getByName("140.82.121.3")), Set::of);
        HttpConnection connection = new CheckedHttpConnectionFactory(rebound).create(new URL("https://localhost:" + server.getAddress().getPort() + "/acme/addons.git/info/refs"));

        assertThatThrownBy(connection::getResponseCode)
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(refusal(e)).as("the policy's refusal in the causes").isNotNull()
                        .satisfies(refused -> assertThat(refused.getMessage()).contains("its host localhost resolves to a loopback address")));
        assertThat(requests).as("requests the server received").hasValue(0);
    }

    @Test
    void testARedirectedOrFirstUrlInsideIsRefusedBeforeAnyConnection()
    {
        CheckedHttpConnectionFactory factory = new CheckedHttpConnectionFactory(new RepositoryUrlPolicy(Set.of()));
        assertThatThrownBy(() -> factory.create(new URL("https://127.0.0.1:" + server.getAddress().getPort() + "/acme/addons.git/info/refs")))
                .isInstanceOf(RefusedConnectionException.class)
                .hasMessageContaining("is a loopback address");
        assertThatThrownBy(() -> factory.create(new URL("http://github.com/acme/addons.git/info/refs")))
                .isInstanceOf(RefusedConnectionException.class)
                .hasMessageContaining("http:// is not encrypted");
        assertThat(requests).hasValue(0);
    }

    private static RefusedConnectionException refusal(Throwable e)
    {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RefusedConnectionException refused) {
                return refused;
            }
        }
        return null;
    }
}
