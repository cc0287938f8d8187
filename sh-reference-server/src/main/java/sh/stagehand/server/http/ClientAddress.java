package sh.stagehand.server.http;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where a request comes from: what the login throttle counts and what a build is told in
 * {@code X-Forwarded-For}. Anyone can write an {@code X-Forwarded-For} header, so it is read only
 * from a trusted proxy ({@code http.trusted-proxies}: addresses or networks, none by default):
 * the hops are read from the right, each one a trusted proxy appended, and the first that is not
 * a trusted proxy is the client. Without trusted proxies the header is ignored and the client is
 * the connection's peer. Immutable and thread-safe.
 */
public final class ClientAddress
{
    public static final String TRUSTED_PROXIES = "http.trusted-proxies";

    private final List<Network> trusted;

    private record Network(byte[] address, int prefix)
    {
        boolean contains(byte[] other)
        {
            if (other.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (other[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            return rest == 0 || ((other[full] ^ address[full]) & (0xff << (8 - rest)) & 0xff) == 0;
        }
    }

    private ClientAddress(List<Network> trusted)
    {
        this.trusted = List.copyOf(trusted);
    }

    /**
     * @param proxies addresses ({@code 127.0.0.1}, {@code ::1}) or networks ({@code 10.0.0.0/8});
     *         empty: no proxy is trusted
     * @throws StagehandException {@code INVALID_CONFIGURATION} naming {@value #TRUSTED_PROXIES}
     *         for anything that is not an IP address or network
     */
    public static ClientAddress trusting(List<String> proxies)
    {
        List<Network> networks = new ArrayList<>();
        for (String proxy : requireNonNull(proxies, "proxies is null")) {
            String[] parts = proxy.strip().split("/", -1);
            byte[] address = literal(parts[0]).map(InetAddress::getAddress).orElseThrow(() -> invalid(proxy));
            int prefix = address.length * 8;
            if (parts.length > 2) {
                throw invalid(proxy);
            }
            if (parts.length == 2) {
                try {
                    prefix = Integer.parseInt(parts[1]);
                }
                catch (NumberFormatException e) {
                    throw invalid(proxy);
                }
                if (prefix < 0 || prefix > address.length * 8) {
                    throw invalid(proxy);
                }
            }
            networks.add(new Network(address, prefix));
        }
        return new ClientAddress(networks);
    }

    /**
     * @return the {@value #TRUSTED_PROXIES} value as a list: comma-separated, blanks ignored
     */
    public static List<String> parseList(String value)
    {
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::strip).filter(entry -> !entry.isEmpty()).toList();
    }

    /**
     * @param peer the address of the connection's other end
     * @param forwardedFor the {@code X-Forwarded-For} headers, in order (empty if none)
     * @return the client's address
     */
    public String of(String peer, List<String> forwardedFor)
    {
        String client = peer;
        if (!isTrusted(client)) {
            return client;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            hops.addAll(Arrays.asList(header.split(",")));
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i).strip();
            if (literal(hop).isEmpty()) {
                // Not an address (nginx writes "unknown" at worst): the proxy that wrote it is the client we know.
                return client;
            }
            client = hop;
            if (!isTrusted(client)) {
                return client;
            }
        }
        return client;
    }

    /**
     * @return whether the address is one of the trusted proxies
     */
    public boolean isTrusted(String address)
    {
        if (trusted.isEmpty()) {
            return false;
        }
        Optional<byte[]> bytes = literal(address).map(InetAddress::getAddress);
        return bytes.isPresent() && trusted.stream().anyMatch(network -> network.contains(bytes.get()));
    }

    // An IP literal only, never a name to look up; [::1] and zones (fe80::1%eth0) as Jetty writes them.
    private static Optional<InetAddress> literal(String text)
    {
        if (text == null) {
            return Optional.empty();
        }
        String literal = text.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        boolean ipv4 = literal.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean ipv6 = literal.contains(":") && literal.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(literal));
        }
        catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static StagehandException invalid(String proxy)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, TRUSTED_PROXIES + ": '" + proxy
                + "' is not an IP address or network; list the reverse proxies in front of the server, e.g. " + TRUSTED_PROXIES + "=127.0.0.1,::1 or 10.0.0.0/8");
    }
}
