package sh.stagehand.github.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * What an IP address reaches, as far as a repository URL is concerned: only {@link #PUBLIC}
 * addresses are a tenant's to name. Pure: no lookup, no connection.
 */
public enum AddressClass
{
    PUBLIC("a public address"),
    LOOPBACK("a loopback address (the platform itself)"),
    UNSPECIFIED("the unspecified address (the platform itself)"),
    LINK_LOCAL("a link-local address (where a cloud's metadata service answers)"),
    PRIVATE("a private network address"),
    SHARED("a carrier-grade NAT address (100.64.0.0/10)"),
    MULTICAST("a multicast address"),
    RESERVED("a reserved or documentation address"),
    PLATFORM("one of the platform's own addresses");

    private final String description;

    AddressClass(String description)
    {
        this.description = description;
    }

    /** What the class is, for a message: "a loopback address (the platform itself)". */
    public String description()
    {
        return description;
    }

    /**
     * The class of an address on its own (never {@link #PLATFORM}: which addresses are the
     * platform's is asked of its network interfaces). An IPv6 address that carries an IPv4 one
     * (IPv4-mapped, IPv4-compatible, NAT64, 6to4) is of the IPv4 address's class.
     */
    public static AddressClass of(InetAddress address)
    {
        requireNonNull(address, "address is null");
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return ofIpv4(bytes);
        }
        if (address instanceof Inet6Address) {
            return ofIpv6(bytes);
        }
        return RESERVED;
    }

    private static AddressClass ofIpv4(byte[] bytes)
    {
        int a = bytes[0] & 0xff;
        int b = bytes[1] & 0xff;
        int c = bytes[2] & 0xff;
        if (a == 0) {
            return UNSPECIFIED;
        }
        if (a == 127) {
            return LOOPBACK;
        }
        if (a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168)) {
            return PRIVATE;
        }
        if (a == 100 && b >= 64 && b <= 127) {
            return SHARED;
        }
        if (a == 169 && b == 254) {
            return LINK_LOCAL;
        }
        if (a >= 224 && a <= 239) {
            return MULTICAST;
        }
        if (a >= 240
                // IETF protocol assignments, the documentation networks, the old 6to4 relay, benchmarking
                || (a == 192 && b == 0 && c == 0)
                || (a == 192 && b == 0 && c == 2)
                || (a == 198 && b == 51 && c == 100)
                || (a == 203 && b == 0 && c == 113)
                || (a == 192 && b == 88 && c == 99)
                || (a == 198 && (b == 18 || b == 19))) {
            return RESERVED;
        }
        return PUBLIC;
    }

    private static AddressClass ofIpv6(byte[] bytes)
    {
        if (isZero(bytes, 0, 16)) {
            return UNSPECIFIED;
        }
        if (isZero(bytes, 0, 15) && bytes[15] == 1) {
            return LOOPBACK;
        }
        // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
        if (isZero(bytes, 0, 10) && ((bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff) || (bytes[10] == 0 && bytes[11] == 0))) {
            return ofIpv4(Arrays.copyOfRange(bytes, 12, 16));
        }
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        // NAT64 64:ff9b::/96 reaches the IPv4 address it carries; 64:ff9b:1::/48 is for local use
        if (first == 0x00 && second == 0x64 && (bytes[2] & 0xff) == 0xff && (bytes[3] & 0xff) == 0x9b) {
            if (isZero(bytes, 4, 12)) {
                return ofIpv4(Arrays.copyOfRange(bytes, 12, 16));
            }
            return PRIVATE;
        }
        // 6to4 2002:a.b.c.d::/48
        if (first == 0x20 && second == 0x02) {
            return ofIpv4(Arrays.copyOfRange(bytes, 2, 6));
        }
        if (first == 0xff) {
            return MULTICAST;
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return LINK_LOCAL;
        }
        // fc00::/7 unique local, fec0::/10 site-local (deprecated)
        if ((first & 0xfe) == 0xfc || (first == 0xfe && (second & 0xc0) == 0xc0)) {
            return PRIVATE;
        }
        // 2001:db8::/32 documentation, 2001::/32 Teredo (its IPv4 address is hidden), 100::/64 discard
        if ((first == 0x20 && second == 0x01 && (bytes[2] & 0xff) == 0x0d && (bytes[3] & 0xff) == 0xb8)
                || (first == 0x20 && second == 0x01 && bytes[2] == 0 && bytes[3] == 0)
                || (first == 0x01 && second == 0x00 && isZero(bytes, 2, 8))) {
            return RESERVED;
        }
        // Only 2000::/3 is handed out for the internet.
        if ((first & 0xe0) != 0x20) {
            return RESERVED;
        }
        return PUBLIC;
    }

    private static boolean isZero(byte[] bytes, int from, int to)
    {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
