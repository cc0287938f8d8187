package sh.stagehand.core.odoo;

import com.google.common.collect.ImmutableMap;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the platform needs from an addon's {@code __manifest__.py}, with Odoo's defaults applied,
 * and the whole dict as it was written. Made by {@link ManifestParser}.
 *
 * @param addonName the technical name: the name of the addon's directory
 * @param name the human name ({@code 'name'}), or the technical name when the manifest has none
 * @param version {@code 'version'} as written, e.g. {@code 17.0.1.0.0} or {@code 1.2}; see {@link #odooVersion(String)}
 * @param depends the modules this one needs ({@code 'depends'})
 * @param installable {@code 'installable'}, true when absent
 * @param autoInstall whether Odoo installs the module by itself once its dependencies (or the
 *         triggers listed in {@code 'auto_install'}) are installed
 * @param application {@code 'application'}, false when absent
 * @param externalDependencies the Python packages and programs the module needs
 * @param data the data files loaded on install and update
 * @param demo the demo data files
 * @param raw every key of the manifest, in the order written: values are {@link String},
 *         {@link Long} (or {@link java.math.BigInteger}), {@link Double}, {@link Boolean},
 *         {@link #PYTHON_NONE}, and immutable {@link List} (lists and tuples), {@link Map} and
 *         {@link java.util.Set} of those
 *
 * <p>Immutable and thread-safe.
 */
public record Manifest(
        String addonName,
        String name,
        Optional<String> version,
        List<String> depends,
        boolean installable,
        boolean autoInstall,
        boolean application,
        ExternalDependencies externalDependencies,
        List<String> data,
        List<String> demo,
        Map<String, Object> raw)
{
    /**
     * Python's {@code None} in {@link #raw()}, which cannot hold {@code null}.
     */
    public static final Object PYTHON_NONE = PythonNone.NONE;

    /**
     * The version Odoo gives a manifest without one.
     */
    public static final String DEFAULT_VERSION = "1.0";

    public Manifest
    {
        requireNonNull(addonName, "addonName is null");
        requireNonNull(name, "name is null");
        requireNonNull(version, "version is null");
        depends = List.copyOf(requireNonNull(depends, "depends is null"));
        requireNonNull(externalDependencies, "externalDependencies is null");
        data = List.copyOf(requireNonNull(data, "data is null"));
        demo = List.copyOf(requireNonNull(demo, "demo is null"));
        raw = ImmutableMap.copyOf(requireNonNull(raw, "raw is null"));
        if (addonName.isBlank()) {
            throw new IllegalArgumentException("addonName is blank");
        }
    }

    /**
     * The version as Odoo stores it for a server of the given series: {@code 1.2} becomes
     * {@code 17.0.1.2}, {@code 17.0.1.2} stays; {@code 1.0} when the manifest has none.
     *
     * @param series the Odoo series of the server, e.g. {@link OdooVersion#DEFAULT_SERIES}
     * @throws sh.stagehand.spi.StagehandException {@link OdooErrorCode#INVALID_MANIFEST} when Odoo
     *         would refuse the version, e.g. {@code 16.0.1.0} on a 17.0 server
     */
    public OdooVersion odooVersion(String series)
    {
        return OdooVersion.fromManifest(version.orElse(DEFAULT_VERSION), series, addonName);
    }

    /**
     * {@code 'external_dependencies'}: what must be installed on the server for the module to install.
     * Manifests write it as Odoo reads it, {@code {'python': ['requests'], 'bin': ['wkhtmltopdf']}},
     * or as a list of entries, {@code [{'pypi': 'phonenumbers', 'apt': 'python3-phonenumbers',
     * 'optional': True}]} (a form Odoo itself does not read: installing such a module fails there).
     *
     * @param python Python packages (pip requirement names)
     * @param bin programs that must be on the {@code PATH}
     * @param apt Debian packages that provide them, when the manifest names them
     * @param optional the names above that the manifest marks optional
     */
    public record ExternalDependencies(List<String> python, List<String> bin, List<String> apt, List<String> optional)
    {
        public static final ExternalDependencies NONE = new ExternalDependencies(List.of(), List.of(), List.of(), List.of());

        public ExternalDependencies
        {
            python = List.copyOf(requireNonNull(python, "python is null"));
            bin = List.copyOf(requireNonNull(bin, "bin is null"));
            apt = List.copyOf(requireNonNull(apt, "apt is null"));
            optional = List.copyOf(requireNonNull(optional, "optional is null"));
        }

        public ExternalDependencies(List<String> python, List<String> bin)
        {
            this(python, bin, List.of(), List.of());
        }
    }

    private enum PythonNone
    {
        NONE;

        @Override
        public String toString()
        {
            return "None";
        }
    }
}
