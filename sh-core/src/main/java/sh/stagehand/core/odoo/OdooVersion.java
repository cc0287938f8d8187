package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A module version as Odoo stores it: the server's series, then the module's own version
 * ({@code 17.0.1.2.0}). {@link #fromManifest(String, String)} normalises a manifest's
 * {@code 'version'} as Odoo's {@code adapt_version} does; versions compare part by part as
 * numbers, a missing part counting as 0, so {@code 17.0.1.10} is newer than {@code 17.0.1.9} and
 * {@code 17.0.1.0} equals {@code 17.0.1.0.0}. That is how the platform finds the modules whose
 * manifest version went up, which a production update must update.
 *
 * <p>Immutable and thread-safe. Equality follows {@link #compareTo}.
 */
public final class OdooVersion
        implements Comparable<OdooVersion>
{
    public static final String DEFAULT_SERIES = "17.0";

    private static final String SAAS_PREFIX = "saas~";
    private static final Pattern SERIES = Pattern.compile("(?:saas~)?[0-9]+\\.[0-9]+");
    private static final Pattern BASE_VERSION = Pattern.compile("[0-9]+\\.[0-9]+(?:\\.[0-9]+)?");
    private static final Pattern VERSION = Pattern.compile("(?:saas~)?[0-9]+(?:\\.[0-9]+)*");

    private final String value;
    // Without trailing zeros, so that 17.0.1.0 and 17.0.1.0.0 are the same version.
    private final List<BigInteger> significantParts;

    private OdooVersion(String value)
    {
        this.value = value;
        List<BigInteger> parts = new ArrayList<>();
        for (String part : value.split("\\.")) {
            parts.add(new BigInteger(part.startsWith(SAAS_PREFIX) ? part.substring(SAAS_PREFIX.length()) : part));
        }
        while (!parts.isEmpty() && parts.get(parts.size() - 1).signum() == 0) {
            parts.remove(parts.size() - 1);
        }
        this.significantParts = List.copyOf(parts);
    }

    /**
     * A version already in Odoo's form, e.g. one read back from a database's {@code ir_module_module.latest_version}.
     *
     * @throws StagehandException {@code INVALID_ARGUMENT} unless it is numbers separated by dots
     */
    public static OdooVersion parse(String version)
    {
        requireNonNull(version, "version is null");
        if (!VERSION.matcher(version).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Version '" + version + "' is not valid: use numbers separated by dots, such as 17.0.1.0.0");
        }
        return new OdooVersion(version);
    }

    /**
     * A manifest's version as a server of the {@link #DEFAULT_SERIES} stores it.
     */
    public static OdooVersion fromManifest(String manifestVersion)
    {
        return fromManifest(manifestVersion, DEFAULT_SERIES);
    }

    /**
     * A manifest's version as a server of {@code series} stores it (Odoo's {@code adapt_version}):
     * a version that does not start with the series gets it in front ({@code 1.0} →
     * {@code 17.0.1.0}); what follows the series must be {@code x.y} or {@code x.y.z}.
     *
     * @param series the server's series, e.g. {@code 17.0} or {@code saas~17.2}
     * @throws StagehandException {@link OdooErrorCode#INVALID_MANIFEST} when Odoo would refuse the version,
     *         {@code INVALID_ARGUMENT} when the series is malformed
     */
    public static OdooVersion fromManifest(String manifestVersion, String series)
    {
        return fromManifest(manifestVersion, series, null);
    }

    static OdooVersion fromManifest(String manifestVersion, String series, String addonName)
    {
        requireNonNull(manifestVersion, "manifestVersion is null");
        requireValidSeries(series);
        String baseVersion;
        String version;
        // As Odoo: the series alone is a module version of the series, not the series itself.
        if (manifestVersion.equals(series) || !manifestVersion.startsWith(series + ".")) {
            baseVersion = manifestVersion;
            version = series + "." + manifestVersion;
        }
        else {
            baseVersion = manifestVersion.substring(series.length() + 1);
            version = manifestVersion;
        }
        if (!BASE_VERSION.matcher(baseVersion).matches()) {
            String where = addonName == null ? "" : " in the __manifest__.py of addon " + addonName;
            String fix = addonName == null ? "Use" : "Fix the __manifest__.py of addon " + addonName + ": use";
            throw new StagehandException(OdooErrorCode.INVALID_MANIFEST, ("Invalid module version '%s'%s: a server of series %s accepts 'x.y', 'x.y.z', '%s.x.y' or '%s.x.y.z' (numbers only)"
                    + "%s. %s a version such as '%s.1.0.0'")
                    .formatted(manifestVersion, where, series, series, series, otherSeriesHint(manifestVersion, series), fix, series));
        }
        return new OdooVersion(version);
    }

    /**
     * @throws StagehandException {@code INVALID_ARGUMENT} unless it looks like {@code 17.0} or {@code saas~17.2}
     */
    public static String requireValidSeries(String series)
    {
        requireNonNull(series, "series is null");
        if (!SERIES.matcher(series).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Odoo series '" + series + "' is not valid: use the form 17.0 (or saas~17.2)");
        }
        return series;
    }

    private static String otherSeriesHint(String manifestVersion, String series)
    {
        String[] parts = manifestVersion.split("\\.");
        // Odoo series have been numbered 8.0 and up since module versions started with them.
        if (parts.length >= 4 && SERIES.matcher(parts[0] + "." + parts[1]).matches() && !(parts[0] + "." + parts[1]).equals(series)
                && new BigInteger(parts[0].replace(SAAS_PREFIX, "")).compareTo(BigInteger.valueOf(8)) >= 0) {
            return "; '" + manifestVersion + "' looks like a version for series " + parts[0] + "." + parts[1];
        }
        return "";
    }

    public boolean isNewerThan(OdooVersion other)
    {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(OdooVersion other)
    {
        int common = Math.max(significantParts.size(), other.significantParts.size());
        for (int index = 0; index < common; index++) {
            BigInteger mine = index < significantParts.size() ? significantParts.get(index) : BigInteger.ZERO;
            BigInteger theirs = index < other.significantParts.size() ? other.significantParts.get(index) : BigInteger.ZERO;
            int comparison = mine.compareTo(theirs);
            if (comparison != 0) {
                return comparison;
            }
        }
        return 0;
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof OdooVersion version && significantParts.equals(version.significantParts);
    }

    @Override
    public int hashCode()
    {
        return significantParts.hashCode();
    }

    /**
     * The version as Odoo writes it, e.g. {@code 17.0.1.2.0}.
     */
    @Override
    public String toString()
    {
        return value;
    }
}
