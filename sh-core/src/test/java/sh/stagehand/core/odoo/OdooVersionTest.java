package sh.stagehand.core.odoo;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OdooVersionTest
{
    @Test
    void testNormalisationLikeAdaptVersion()
    {
        assertThat(OdooVersion.fromManifest("1.0")).hasToString("17.0.1.0");
        assertThat(OdooVersion.fromManifest("1.2.3")).hasToString("17.0.1.2.3");
        assertThat(OdooVersion.fromManifest("17.0.1.0")).hasToString("17.0.1.0");
        assertThat(OdooVersion.fromManifest("17.0.1.0.0")).hasToString("17.0.1.0.0");
        // Odoo reads the series alone as a module version of that series.
        assertThat(OdooVersion.fromManifest("17.0")).hasToString("17.0.17.0");
        assertThat(OdooVersion.fromManifest("2.0", "16.0")).hasToString("16.0.2.0");
        assertThat(OdooVersion.fromManifest("16.0.3.1.4", "16.0")).hasToString("16.0.3.1.4");
        assertThat(OdooVersion.fromManifest("1.0", "saas~17.2")).hasToString("saas~17.2.1.0");
    }

    @Test
    void testInvalidManifestVersions()
    {
        for (String version : List.of("1", "1.0-beta", "1.0.0.0", "17.0.1.0.0.0", "", "v1.0", "1..0", "17.0.")) {
            assertThatThrownBy(() -> OdooVersion.fromManifest(version), version)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MANIFEST.toErrorCode()))
                    .hasMessageContaining("Invalid module version '" + version + "'")
                    .hasMessageContaining("a server of series 17.0 accepts 'x.y', 'x.y.z', '17.0.x.y' or '17.0.x.y.z'");
        }
    }

    @Test
    void testVersionOfAnotherSeries()
    {
        assertThatThrownBy(() -> OdooVersion.fromManifest("16.0.1.0.0"))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("'16.0.1.0.0' looks like a version for series 16.0")
                .hasMessageContaining("Use a version such as '17.0.1.0.0'");
    }

    @Test
    void testManifestVersionNamesTheAddon()
    {
        Manifest manifest = ManifestParser.parse("sale_custom", "{'version': '16.0.1.0.0'}");

        assertThat(ManifestParser.parse("sale_custom", "{'version': '1.3'}").odooVersion("17.0")).hasToString("17.0.1.3");
        assertThat(manifest.odooVersion("16.0")).hasToString("16.0.1.0.0");
        assertThatThrownBy(() -> manifest.odooVersion("17.0"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MANIFEST.toErrorCode()))
                .hasMessageStartingWith("Invalid module version '16.0.1.0.0' in the __manifest__.py of addon sale_custom")
                .hasMessageContaining("Fix the __manifest__.py of addon sale_custom: use a version such as '17.0.1.0.0'");
    }

    @Test
    void testInvalidSeries()
    {
        for (String series : List.of("17", "17.0.1", "saas-17.2", "", "x.y")) {
            assertThatThrownBy(() -> OdooVersion.fromManifest("1.0", series), series)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining("Odoo series '" + series + "' is not valid");
        }
    }

    @Test
    void testComparisonIsNumericPartByPart()
    {
        assertThat(OdooVersion.parse("17.0.1.10").isNewerThan(OdooVersion.parse("17.0.1.9"))).isTrue();
        assertThat(OdooVersion.parse("17.0.1.9").isNewerThan(OdooVersion.parse("17.0.1.10"))).isFalse();
        assertThat(OdooVersion.parse("17.0.2.0").isNewerThan(OdooVersion.parse("17.0.1.99.99"))).isTrue();
        assertThat(OdooVersion.parse("17.0.1.0.1").isNewerThan(OdooVersion.parse("17.0.1.0"))).isTrue();
        assertThat(OdooVersion.parse("17.0.1.0.0").compareTo(OdooVersion.parse("17.0.1.0"))).isZero();
        assertThat(OdooVersion.parse("17.0.1.0.0")).isEqualTo(OdooVersion.parse("17.0.1.0")).hasSameHashCodeAs(OdooVersion.parse("17.0.1.0"));
        assertThat(OdooVersion.parse("17.0.01.0")).isEqualTo(OdooVersion.parse("17.0.1.0"));
        assertThat(OdooVersion.parse("17.0.1.0")).isNotEqualTo(OdooVersion.parse("17.0.1.1"));
        assertThat(OdooVersion.parse("saas~17.2.1.0").isNewerThan(OdooVersion.parse("17.0.5.0"))).isTrue();
        assertThat(OdooVersion.parse("17.0.99999999999999999999.0").isNewerThan(OdooVersion.parse("17.0.99999999999999999998.0"))).isTrue();

        List<OdooVersion> sorted = Stream.of("17.0.1.10", "17.0.1.2", "17.0.1.0.0", "17.0.0.9")
                .map(OdooVersion::parse)
                .sorted()
                .toList();
        assertThat(sorted).extracting(OdooVersion::toString).containsExactly("17.0.0.9", "17.0.1.0.0", "17.0.1.2", "17.0.1.10");
    }

    @Test
    void testManifestVersionWentUp()
    {
        // Installed as 17.0.1.0 (stored normalised), the manifest now says 1.1: the module must be updated.
        OdooVersion installed = OdooVersion.parse("17.0.1.0");

        assertThat(OdooVersion.fromManifest("1.1").isNewerThan(installed)).isTrue();
        assertThat(OdooVersion.fromManifest("17.0.1.0.0").isNewerThan(installed)).isFalse();
        assertThat(OdooVersion.fromManifest("1.0").isNewerThan(installed)).isFalse();
    }

    @Test
    void testInvalidParse()
    {
        for (String version : List.of("", "1.0-beta", "17.0.", ".1", "a.b")) {
            assertThatThrownBy(() -> OdooVersion.parse(version), version)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining("Version '" + version + "' is not valid");
        }
    }
}
