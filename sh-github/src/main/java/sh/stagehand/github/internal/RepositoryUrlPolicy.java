package sh.stagehand.github.internal;

import org.eclipse.jgit.transport.URIish;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Which repository URLs the platform connects to, decided before anything connects. A repository
 * URL is a tenant's, and the platform's network position is not: a URL may name only a host on
 * the internet, over https or ssh. Refused: any scheme but those (git:// is neither encrypted nor
 * authenticated; http:// carries a token in clear text), and any host with an address that is
 * loopback, unspecified, link-local, private (RFC 1918, fc00::/7), carrier-grade NAT, multicast,
 * reserved, or one of the platform's own (its network interfaces: the Docker networks' gateways
 * among them). An operator allows hosts of their own by name ({@code git.allowed-hosts}, e.g. a
 * company's GitLab); to those, http is allowed too.
 *
 * <p>A name is resolved once, here, and what was checked is what a connection uses: ssh connects
 * to the checked address; https is checked again as each connection opens (redirects included)
 * and, once connected, the peer's address is checked before a byte of the request is sent.
 *
 * <p>Refusals say what was refused, why and what to do; they never repeat a remote's answer, and
 * a host that cannot be reached looks like one that refuses ({@link #unreachable}). Thread-safe.
 */
public final class RepositoryUrlPolicy
{
    /** The configuration key of the hosts an operator allows, named in refusals. */
    public static final String ALLOWED_HOSTS_KEY = "git.allowed-hosts";

    private static final int MAX_SHOWN_LENGTH = 200;

    /** Resolves a host name to its addresses, as connections would. */
    @FunctionalInterface
    public interface Resolver
    {
        List<InetAddress> resolve(String host)
                throws UnknownHostException;
    }

    public enum Scheme
    {
        HTTPS(443), SSH(22), HTTP(80);

        private final int defaultPort;

        Scheme(int defaultPort)
        {
            this.defaultPort = defaultPort;
        }

        public int defaultPort()
        {
            return defaultPort;
        }
    }

    /** What a repository URL names: a repository on the platform's disk, or one over the network. */
    public sealed interface Target
            permits Local, Network
    {
        String url();
    }

    /** A path or {@code file://} URL: a repository on the platform's own disk. */
    public record Local(String url)
            implements Target
    {
        public Local
        {
            requireNonNull(url, "url is null");
        }
    }

    /**
     * @param host the host as the URL names it, lower case, without brackets or a trailing dot
     * @param user the user the URL names, if any
     */
    public record Network(String url, Scheme scheme, String host, int port, Optional<String> user)
            implements Target
    {
        public Network
        {
            requireNonNull(url, "url is null");
            requireNonNull(scheme, "scheme is null");
            requireNonNull(host, "host is null");
            requireNonNull(user, "user is null");
        }
    }

    /**
     * A network target that passed the policy, and the addresses it was checked at.
     */
    public record Destination(Network target, List<InetAddress> addresses)
    {
        public Destination
        {
            requireNonNull(target, "target is null");
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("A destination has an address");
            }
        }

        /** The address to connect to. */
        public InetAddress address()
        {
            return addresses.get(0);
        }
    }

    private final Set<String> allowedHosts;
    private final Resolver resolver;
    private final Supplier<Set<InetAddress>> ownAddresses;

    /**
     * A policy that resolves with the JDK (whose cache connections then use) and asks the
     * network interfaces for the platform's own addresses.
     */
    public RepositoryUrlPolicy(Set<String> allowedHosts)
    {
        this(allowedHosts, host -> List.of(InetAddress.getAllByName(host)), RepositoryUrlPolicy::interfaceAddresses);
    }

    public RepositoryUrlPolicy(Set<String> allowedHosts, Resolver resolver, Supplier<Set<InetAddress>> ownAddresses)
    {
        this.allowedHosts = requireNonNull(allowedHosts, "allowedHosts is null").stream().map(RepositoryUrlPolicy::normalizeHost).collect(Collectors.toUnmodifiableSet());
        this.resolver = requireNonNull(resolver, "resolver is null");
        this.ownAddresses = requireNonNull(ownAddresses, "ownAddresses is null");
    }

    /**
     * What a URL names, as JGit will read it.
     *
     * @throws StagehandException {@code INVALID_ARGUMENT} for a scheme the platform does not
     *         fetch from, or a URL that is not one
     */
    public Target target(String url)
    {
        requireNonNull(url, "url is null");
        if (url.isBlank() || url.chars().anyMatch(character -> Character.isWhitespace(character) || Character.isISOControl(character))) {
            throw refused(url, "it is blank or holds white space or control characters");
        }
        URIish uri;
        try {
            uri = new URIish(url);
        }
        catch (URISyntaxException e) {
            throw refused(url, "it is not a git URL");
        }
        String scheme = Optional.ofNullable(uri.getScheme()).map(value -> value.toLowerCase(Locale.ROOT)).orElse(null);
        if ("file".equals(scheme) || (scheme == null && uri.getHost() == null)) {
            return new Local(url);
        }
        Scheme known = switch (scheme == null ? "ssh" : scheme) {
            case "https" -> Scheme.HTTPS;
            case "ssh", "ssh+git", "git+ssh" -> Scheme.SSH;
            case "http" -> Scheme.HTTP;
            case "git" -> throw refused(url, "git:// is neither encrypted nor authenticated");
            default -> throw refused(url, scheme + ":// is not a scheme the platform fetches from");
        };
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw refused(url, "it names no host");
        }
        int port = uri.getPort() == -1 ? known.defaultPort() : uri.getPort();
        if (port < 1 || port > 65535) {
            throw refused(url, "its port " + uri.getPort() + " is not one");
        }
        String host = normalizeHost(uri.getHost());
        if (known == Scheme.HTTP && !allowedHosts.contains(host)) {
            throw refused(url, "http:// is not encrypted (a token would cross the network in clear text); use https://");
        }
        return new Network(url, known, host, port, Optional.ofNullable(uri.getUser()));
    }

    /**
     * Resolves the target's host and checks every address it has, without connecting.
     *
     * @throws StagehandException {@code INVALID_ARGUMENT} if an address is not the tenant's to
     *         name; {@code PROVIDER_UNAVAILABLE} ({@link #unreachable}) if the host has none
     */
    public Destination check(Network target)
    {
        requireNonNull(target, "target is null");
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(target.host());
        }
        catch (UnknownHostException | SecurityException e) {
            throw unreachable(target.url(), e);
        }
        if (addresses.isEmpty()) {
            throw unreachable(target.url(), null);
        }
        if (!allowedHosts.contains(target.host())) {
            Set<String> own = ownAddresses.get().stream().map(RepositoryUrlPolicy::key).collect(Collectors.toSet());
            for (InetAddress address : addresses) {
                AddressClass kind = classify(address, own);
                if (kind != AddressClass.PUBLIC) {
                    throw refused(target.url(), "its host " + target.host() + (isLiteral(target.host()) ? " is " : " resolves to ") + kind.description());
                }
            }
        }
        return new Destination(target, addresses);
    }

    /**
     * {@link #target} and {@link #check} of a network URL.
     *
     * @throws StagehandException {@code INVALID_ARGUMENT} for a path or {@code file://} URL too
     */
    public Destination checkNetwork(String url)
    {
        if (target(url) instanceof Network network) {
            return check(network);
        }
        throw refused(url, "it names a path on the platform's disk");
    }

    /**
     * Checks the address a connection reached, once connected and before anything is sent: what
     * a name resolved to may have changed since {@link #check} (DNS rebinding).
     */
    public void checkConnected(Network target, InetAddress peer)
    {
        requireNonNull(peer, "peer is null");
        if (allowedHosts.contains(target.host())) {
            return;
        }
        AddressClass kind = classify(peer, ownAddresses.get().stream().map(RepositoryUrlPolicy::key).collect(Collectors.toSet()));
        if (kind != AddressClass.PUBLIC) {
            throw refused(target.url(), "its host " + target.host() + " resolves to " + kind.description());
        }
    }

    public boolean isAllowedHost(String host)
    {
        return allowedHosts.contains(normalizeHost(host));
    }

    /**
     * The refusal of a URL: what, why, and what to do.
     */
    public static StagehandException refused(String url, String reason)
    {
        return new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The repository URL " + shown(url) + " is refused: " + reason
                + ". The platform fetches only from hosts on the internet, over https or ssh (https://github.com/acme/addons.git, git@github.com:acme/addons.git); "
                + "a platform operator can allow a host of their own with " + ALLOWED_HOSTS_KEY);
    }

    /**
     * One message for every host that cannot be reached, refuses the connection, answers
     * something else than git, or has no address: a URL is not a port scanner, so what the
     * remote answered is not repeated (the cause is kept for the platform's log).
     */
    public static StagehandException unreachable(String url, Throwable cause)
    {
        return new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot reach a git repository at " + shown(url)
                + ": the host is not known, does not answer, or does not serve git there. Check the URL; it will be tried again at the next fetch", cause);
    }

    /**
     * A URL as messages show it: without a password, and not endlessly long.
     */
    public static String shown(String url)
    {
        String shown = url;
        try {
            URIish uri = new URIish(url);
            if (uri.getPass() != null) {
                shown = uri.setPass("***").toString();
            }
        }
        catch (URISyntaxException | IllegalArgumentException e) {
            // shown as given
        }
        shown = shown.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > MAX_SHOWN_LENGTH ? shown.substring(0, MAX_SHOWN_LENGTH) + "..." : shown;
    }

    // The most telling class: "loopback" rather than "the platform's own" for 127.0.0.1.
    private static AddressClass classify(InetAddress address, Set<String> own)
    {
        AddressClass kind = AddressClass.of(address);
        return kind == AddressClass.PUBLIC && own.contains(key(address)) ? AddressClass.PLATFORM : kind;
    }

    private static String normalizeHost(String host)
    {
        String normalized = host.strip().toLowerCase(Locale.ROOT);
        if (normalized.startsWith("[") && normalized.endsWith("]")) {
            normalized = normalized.substring(1, normalized.length() - 1);
        }
        while (normalized.endsWith(".")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return normalized;
    }

    private static boolean isLiteral(String host)
    {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    // Addresses compared without an IPv6 scope.
    private static String key(InetAddress address)
    {
        return HexFormat.of().formatHex(address.getAddress());
    }

    private static Set<InetAddress> interfaceAddresses()
    {
        try {
            return NetworkInterface.networkInterfaces()
                    .flatMap(NetworkInterface::inetAddresses)
                    .collect(Collectors.toUnmodifiableSet());
        }
        catch (SocketException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot list the platform's network interfaces, so no repository URL can be checked: " + e.getMessage(), e);
        }
    }
}
