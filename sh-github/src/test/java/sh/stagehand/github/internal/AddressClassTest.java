package sh.stagehand.github.internal;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AddressClassTest
{
    @Test
    void testClassifiesEveryRangeATenantMustNotReach()
            throws UnknownHostException
    {
        Map<String, AddressClass> expected = new LinkedHashMap<>();
        expected.put("127.0.0.1", AddressClass.LOOPBACK);
        expected.put("127.255.255.254", AddressClass.LOOPBACK);
        expected.put("::1", AddressClass.LOOPBACK);
        expected.put("0.0.0.0", AddressClass.UNSPECIFIED);
        expected.put("0.1.2.3", AddressClass.UNSPECIFIED);
        expected.put("::", AddressClass.UNSPECIFIED);
        expected.put("169.254.169.254", AddressClass.LINK_LOCAL);
        expected.put("fe80::1", AddressClass.LINK_LOCAL);
        expected.put("febf::1", AddressClass.LINK_LOCAL);
        expected.put("10.0.0.1", AddressClass.PRIVATE);
        expected.put("10.255.255.255", AddressClass.PRIVATE);
        expected.put("172.16.0.1", AddressClass.PRIVATE);
        expected.put("172.17.0.1", AddressClass.PRIVATE);
        expected.put("172.31.255.255", AddressClass.PRIVATE);
        expected.put("192.168.1.1", AddressClass.PRIVATE);
        expected.put("fc00::1", AddressClass.PRIVATE);
        expected.put("fd00::2", AddressClass.PRIVATE);
        expected.put("fec0::1", AddressClass.PRIVATE);
        expected.put("100.64.0.1", AddressClass.SHARED);
        expected.put("100.127.255.255", AddressClass.SHARED);
        expected.put("224.0.0.1", AddressClass.MULTICAST);
        expected.put("239.255.255.250", AddressClass.MULTICAST);
        expected.put("ff02::1", AddressClass.MULTICAST);
        expected.put("240.0.0.1", AddressClass.RESERVED);
        expected.put("255.255.255.255", AddressClass.RESERVED);
        expected.put("192.0.2.2", AddressClass.RESERVED);
        expected.put("198.51.100.7", AddressClass.RESERVED);
        expected.put("203.0.113.9", AddressClass.RESERVED);
        expected.put("198.18.0.1", AddressClass.RESERVED);
        expected.put("2001:db8::1", AddressClass.RESERVED);
        expected.put("2001:0:4136:e378::1", AddressClass.RESERVED);
        expected.put("100::1", AddressClass.RESERVED);
        expected.put("4000::1", AddressClass.RESERVED);
        // IPv6 forms that carry an IPv4 address are that address.
        expected.put("::ffff:127.0.0.1", AddressClass.LOOPBACK);
        expected.put("::ffff:10.1.2.3", AddressClass.PRIVATE);
        expected.put("::127.0.0.1", AddressClass.LOOPBACK);
        expected.put("64:ff9b::a9fe:a9fe", AddressClass.LINK_LOCAL);
        expected.put("64:ff9b::8c52:7903", AddressClass.PUBLIC);
        expected.put("64:ff9b:1::1", AddressClass.PRIVATE);
        expected.put("2002:7f00:1::1", AddressClass.LOOPBACK);
        expected.put("2002:c0a8:101::1", AddressClass.PRIVATE);
        // The internet.
        expected.put("140.82.121.3", AddressClass.PUBLIC);
        expected.put("1.1.1.1", AddressClass.PUBLIC);
        expected.put("100.63.255.255", AddressClass.PUBLIC);
        expected.put("100.128.0.0", AddressClass.PUBLIC);
        expected.put("172.15.255.255", AddressClass.PUBLIC);
        expected.put("172.32.0.0", AddressClass.PUBLIC);
        expected.put("2606:4700::1111", AddressClass.PUBLIC);
        expected.put("2a01:111:f400::1", AddressClass.PUBLIC);

        for (Map.Entry<String, AddressClass> entry : expected.entrySet()) {
            // literals only: no lookup
            assertThat(AddressClass.of(InetAddress.getByName(entry.getKey()))).as(entry.getKey()).isEqualTo(entry.getValue());
        }
    }

    @Test
    void testTheOtherWaysOfWritingLoopbackAreLoopback()
            throws UnknownHostException
    {
        // What the JDK, and so every connection, makes of them.
        for (String literal : new String[] {"2130706433", "127.1", "127.0.1", "0:0:0:0:0:0:0:1", "0000::0001"}) {
            assertThat(AddressClass.of(InetAddress.getByName(literal))).as(literal).isEqualTo(AddressClass.LOOPBACK);
        }
    }
}
