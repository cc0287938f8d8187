package sh.stagehand.github.internal;

import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;
import sh.stagehand.spi.StagehandException;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Proxy;
import java.net.Socket;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * JGit's HTTP connections for one repository operation, each checked by the
 * {@link RepositoryUrlPolicy} as it opens: the repository's URL, and every URL a server
 * redirects to. An https connection is checked once more when connected, at the address it
 * reached, before the TLS handshake completes and so before any byte of the request is sent.
 * Thread-safe.
 */
public final class CheckedHttpConnectionFactory
        implements HttpConnectionFactory
{
    private final RepositoryUrlPolicy policy;
    private final HttpConnectionFactory delegate = new JDKHttpConnectionFactory();

    public CheckedHttpConnectionFactory(RepositoryUrlPolicy policy)
    {
        this.policy = requireNonNull(policy, "policy is null");
    }

    @Override
    public HttpConnection create(URL url)
            throws IOException
    {
        return create(url, null);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy)
            throws IOException
    {
        RepositoryUrlPolicy.Destination destination;
        try {
            // JGit's request URL has a path of its own (info/refs?service=...): the host is what is checked.
            destination = policy.checkNetwork(url.getProtocol() + "://" + url.getAuthority() + "/");
        }
        catch (StagehandException e) {
            throw new RefusedConnectionException(e);
        }
        HttpConnection connection = proxy == null ? delegate.create(url) : delegate.create(url, proxy);
        boolean direct = proxy == null || proxy.type() == Proxy.Type.DIRECT;
        if (destination.target().scheme() == RepositoryUrlPolicy.Scheme.HTTPS && direct) {
            try {
                connection.configure(null, new TrustManager[] {new PeerCheckingTrustManager(defaultTrustManager(), policy, destination.target())}, null);
            }
            catch (GeneralSecurityException e) {
                throw new IOException("Cannot set up TLS for " + url.getHost() + ": " + e.getMessage(), e);
            }
        }
        return connection;
    }

    private static X509ExtendedTrustManager defaultTrustManager()
            throws GeneralSecurityException
    {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return Arrays.stream(factory.getTrustManagers())
                .filter(X509ExtendedTrustManager.class::isInstance)
                .map(X509ExtendedTrustManager.class::cast)
                .findFirst()
                .orElseThrow(() -> new GeneralSecurityException("The JDK has no X509ExtendedTrustManager"));
    }

    /**
     * The JDK's own trust decisions (certificate chain and host name), after a look at the address
     * the socket is connected to: the name may have been resolved again, differently, since it was
     * checked (DNS rebinding).
     */
    private static final class PeerCheckingTrustManager
            extends X509ExtendedTrustManager
    {
        private final X509ExtendedTrustManager delegate;
        private final RepositoryUrlPolicy policy;
        private final RepositoryUrlPolicy.Network target;

        PeerCheckingTrustManager(X509ExtendedTrustManager delegate, RepositoryUrlPolicy policy, RepositoryUrlPolicy.Network target)
        {
            this.delegate = delegate;
            this.policy = policy;
            this.target = target;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException
        {
            if (socket == null || socket.getInetAddress() == null) {
                throw new CertificateException("The connection's address is unknown; refused");
            }
            try {
                policy.checkConnected(target, socket.getInetAddress());
            }
            catch (StagehandException e) {
                throw new CertificateException(e.getMessage(), new RefusedConnectionException(e));
            }
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException
        {
            // HttpsURLConnection uses sockets; an engine tells no connected address
            throw new CertificateException("Refused: a TLS engine's peer address cannot be checked");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws CertificateException
        {
            throw new CertificateException("Refused: a connection's peer address cannot be checked");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException
        {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException
        {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
                throws CertificateException
        {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers()
        {
            return delegate.getAcceptedIssuers();
        }
    }
}
