package sh.stagehand.spi;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Sha256Test
{
    // FIPS 180-2's example: SHA-256("abc").
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void testKnownDigest()
    {
        assertThat(Sha256.hex("abc")).isEqualTo(ABC);
        assertThat(Sha256.hex("abc".getBytes(StandardCharsets.UTF_8))).isEqualTo(ABC);
        assertThat(Sha256.digest("abc".getBytes(StandardCharsets.UTF_8))).hasSize(32);
        assertThat(Sha256.hex("é")).as("UTF-8").isEqualTo(Sha256.hex(new byte[] {(byte) 0xc3, (byte) 0xa9}));
    }

    @Test
    void testDigestInPieces()
    {
        MessageDigest digest = Sha256.newDigest();
        digest.update("a".getBytes(StandardCharsets.UTF_8));
        digest.update("bc".getBytes(StandardCharsets.UTF_8));
        assertThat(Sha256.hex(digest)).isEqualTo(ABC);
    }

    @Test
    void testRandomSecrets()
    {
        assertThat(RandomSecrets.randomHex(24)).hasSize(48).matches("[0-9a-f]+").isNotEqualTo(RandomSecrets.randomHex(24));
        assertThat(RandomSecrets.randomToken(32)).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(RandomSecrets.randomBytes(6)).hasSize(6);
        assertThatThrownBy(() -> RandomSecrets.randomBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
