package sh.stagehand.core.odoo;

import sh.stagehand.core.odoo.Manifest.ExternalDependencies;
import sh.stagehand.core.odoo.ManifestSource.Position;
import sh.stagehand.core.odoo.PythonLiteralParser.ParsedManifest;
import sh.stagehand.spi.StagehandException;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Reads an addon's {@code __manifest__.py} into a {@link Manifest}, as Odoo's
 * {@code ast.literal_eval} does and never by running Python: the file must be one dict literal
 * (strings in any quotes with their escapes and prefixes, adjacent strings joined, integers,
 * floats, {@code True}, {@code False}, {@code None}, lists, tuples, dicts, sets, comments, trailing
 * commas). The keys the platform uses are checked as Odoo checks them.
 *
 * <p>Every problem is a {@link StagehandException} with {@link OdooErrorCode#INVALID_MANIFEST}
 * whose message names the file, the line and the column, says what was expected and what was
 * found, and shows the line.
 *
 * <p>Thread-safe: it holds no state.
 */
public final class ManifestParser
{
    public static final String MANIFEST_FILE_NAME = "__manifest__.py";
    /** Far more than any real manifest; a bigger file is refused rather than read. */
    public static final int MAX_MANIFEST_BYTES = 1024 * 1024;

    private ManifestParser() {}

    /**
     * @param addonName the technical name of the addon (its directory's name), for messages and {@link Manifest#addonName()}
     * @param content the file's text
     */
    public static Manifest parse(String addonName, String content)
    {
        requireNonNull(addonName, "addonName is null");
        requireNonNull(content, "content is null");
        return parse(addonName, defaultPath(addonName), content);
    }

    /**
     * @param addonName the technical name of the addon (its directory's name), for messages and {@link Manifest#addonName()}
     * @param content the file's bytes, UTF-8 as Odoo reads them (a byte order mark is skipped)
     */
    public static Manifest parse(String addonName, byte[] content)
    {
        requireNonNull(addonName, "addonName is null");
        requireNonNull(content, "content is null");
        return parse(addonName, defaultPath(addonName), content);
    }

    static Manifest parse(String addonName, String path, byte[] content)
    {
        if (content.length > MAX_MANIFEST_BYTES) {
            throw new StagehandException(OdooErrorCode.INVALID_MANIFEST, "Cannot read %s: it is %d bytes long, more than the %d bytes a manifest may have. Fix the __manifest__.py of addon %s: move long texts such as the description to README.rst"
                    .formatted(path, content.length, MAX_MANIFEST_BYTES, addonName));
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(content)).toString();
        }
        catch (CharacterCodingException e) {
            throw new OdooRefusesManifestException("Cannot read %s: it is not UTF-8 text (%s). Fix the __manifest__.py of addon %s: save it in UTF-8, the encoding Odoo reads it in"
                    .formatted(path, e, addonName), e);
        }
        return parse(addonName, path, text);
    }

    static Manifest parse(String addonName, String path, String content)
    {
        if (addonName.isBlank()) {
            throw new IllegalArgumentException("addonName is blank");
        }
        String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
        // Odoo reads the file in text mode, which turns every line ending into \n, even inside strings.
        text = text.replace("\r\n", "\n").replace('\r', '\n');
        ManifestSource source = new ManifestSource(addonName, path, text);
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            int lineStart = text.lastIndexOf('\n', nul) + 1;
            int line = (int) text.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
            throw source.syntaxError(line, nul - lineStart + 1, "the file holds a NUL character, so it is not a text file (Python refuses it too)");
        }
        ParsedManifest parsed = PythonLiteralParser.parseManifest(source);
        return new ManifestReader(source, parsed).read();
    }

    private static String defaultPath(String addonName)
    {
        return addonName + "/" + MANIFEST_FILE_NAME;
    }

    /**
     * Applies Odoo's defaults and checks to the parsed dict.
     */
    private static final class ManifestReader
    {
        private final ManifestSource source;
        private final Map<String, Object> values;
        private final Map<String, Position> positions;

        ManifestReader(ManifestSource source, ParsedManifest parsed)
        {
            this.source = source;
            this.values = parsed.values();
            this.positions = parsed.positions();
        }

        Manifest read()
        {
            String name = string("name", "the module's human name, e.g. 'Sales Customisations'").orElse(source.addonName());
            Optional<String> version = version();
            List<String> depends = strings("depends", "a list of module names such as ['base', 'mail']");
            boolean installable = truthy("installable", true);
            boolean autoInstall = autoInstall(depends);
            boolean application = truthy("application", false);
            ExternalDependencies externalDependencies = externalDependencies();
            List<String> data = strings("data", "a list of file paths such as ['security/ir.model.access.csv', 'views/views.xml']");
            List<String> demo = strings("demo", "a list of file paths such as ['demo/demo.xml']");
            return new Manifest(source.addonName(), name, version, depends, installable, autoInstall, application, externalDependencies, data, demo, values);
        }

        // Odoo's adapt_version() fails on a version that is not a string, installable or not.
        private Optional<String> version()
        {
            Object value = values.get("version");
            if (value != null && !(value instanceof String)) {
                throw source.odooValueError(position("version"), "'version' must be a version such as '17.0.1.0.0' or '1.0', found %s"
                        .formatted(PythonLiteralParser.describeValue(value)), "change the value of 'version'");
            }
            return Optional.ofNullable((String) value);
        }

        private Optional<String> string(String key, String expected)
        {
            Object value = values.get(key);
            if (value == null) {
                return Optional.empty();
            }
            if (!(value instanceof String text)) {
                throw wrongType(key, value, expected);
            }
            return Optional.of(text);
        }

        private List<String> strings(String key, String expected)
        {
            Object value = values.get(key);
            if (value == null) {
                return List.of();
            }
            return strings(key, value, key, expected);
        }

        private List<String> strings(String key, Object value, String shownKey, String expected)
        {
            if (!(value instanceof List<?> list)) {
                throw wrongType(key, shownKey, value, expected);
            }
            List<String> strings = new ArrayList<>(list.size());
            for (Object element : list) {
                if (!(element instanceof String text)) {
                    throw source.valueError(position(key), "'%s' must be %s, but it holds %s".formatted(shownKey, expected, PythonLiteralParser.describeValue(element)),
                            "make every element of '" + shownKey + "' a quoted string");
                }
                strings.add(text);
            }
            return strings;
        }

        private boolean truthy(String key, boolean defaultValue)
        {
            Object value = values.get(key);
            return value == null ? defaultValue : isTruthy(value);
        }

        /**
         * Odoo: {@code auto_install} is False (opt-in), True (installed once all of {@code depends}
         * are), or a collection of triggers, which must be dependencies ({@code []}: always installed).
         */
        private boolean autoInstall(List<String> depends)
        {
            Object value = values.get("auto_install");
            if (value == null) {
                return false;
            }
            if (value instanceof List || value instanceof Set) {
                List<String> triggers = strings("auto_install", List.copyOf((Collection<?>) value), "auto_install", "True, False or a list of module names");
                List<String> notDependencies = triggers.stream().filter(trigger -> !depends.contains(trigger)).distinct().toList();
                if (!notDependencies.isEmpty()) {
                    throw source.odooValueError(position("auto_install"), "the auto_install triggers %s are not in 'depends' %s".formatted(PythonLiteralParser.repr(notDependencies), PythonLiteralParser.repr(depends)),
                            "add them to 'depends', or remove them from 'auto_install' (Odoo refuses triggers that are not dependencies)");
                }
                return true;
            }
            if (value instanceof String || value instanceof Map) {
                throw wrongType("auto_install", value, "True, False or a list of module names");
            }
            return isTruthy(value);
        }

        private ExternalDependencies externalDependencies()
        {
            Object value = values.get("external_dependencies");
            if (value == null) {
                return ExternalDependencies.NONE;
            }
            String expected = "a dict such as {'python': ['requests'], 'bin': ['wkhtmltopdf']}, or a list of entries such as [{'pypi': 'phonenumbers', 'apt': 'python3-phonenumbers', 'optional': True}]";
            if (value instanceof Map<?, ?> map) {
                Object python = map.get("python");
                Object bin = map.get("bin");
                return new ExternalDependencies(
                        python == null ? List.of() : strings("external_dependencies", python, "external_dependencies['python']", "a list of Python package names"),
                        bin == null ? List.of() : strings("external_dependencies", bin, "external_dependencies['bin']", "a list of program names"));
            }
            if (!(value instanceof List<?> entries)) {
                throw wrongType("external_dependencies", value, expected);
            }
            List<String> python = new ArrayList<>();
            List<String> bin = new ArrayList<>();
            List<String> apt = new ArrayList<>();
            List<String> optional = new ArrayList<>();
            for (int index = 0; index < entries.size(); index++) {
                String shownKey = "external_dependencies[" + index + "]";
                if (!(entries.get(index) instanceof Map<?, ?> entry)) {
                    throw wrongType("external_dependencies", shownKey, entries.get(index), "a dict such as {'pypi': 'phonenumbers', 'optional': True}");
                }
                List<String> names = new ArrayList<>();
                for (Map.Entry<?, ?> field : entry.entrySet()) {
                    String key = String.valueOf(field.getKey());
                    List<String> target = switch (key) {
                        case "pypi", "python" -> python;
                        case "bin" -> bin;
                        case "apt" -> apt;
                        case "optional" -> null;
                        default -> throw source.valueError(position("external_dependencies"), "%s has the key %s, which is none of 'pypi', 'python', 'bin', 'apt', 'optional'"
                                .formatted(shownKey, PythonLiteralParser.repr(field.getKey())), "remove it, or name the dependency with one of those keys");
                    };
                    if (target == null) {
                        continue;
                    }
                    if (!(field.getValue() instanceof String name) || name.isBlank()) {
                        throw wrongType("external_dependencies", shownKey + "['" + key + "']", field.getValue(), "a name such as 'phonenumbers'");
                    }
                    target.add(name);
                    names.add(name);
                }
                if (names.isEmpty()) {
                    throw source.valueError(position("external_dependencies"), "%s names no dependency: %s".formatted(shownKey, PythonLiteralParser.repr(entry)),
                            "give it a 'pypi', 'bin' or 'apt' name");
                }
                Object optionalValue = entry.get("optional");
                if (optionalValue != null && !(optionalValue instanceof Boolean)) {
                    throw wrongType("external_dependencies", shownKey + "['optional']", optionalValue, "True or False");
                }
                if (Boolean.TRUE.equals(optionalValue)) {
                    optional.addAll(names);
                }
            }
            return new ExternalDependencies(python, bin, apt, optional);
        }

        private StagehandException wrongType(String key, Object value, String expected)
        {
            return wrongType(key, key, value, expected);
        }

        private StagehandException wrongType(String key, String shownKey, Object value, String expected)
        {
            return source.valueError(position(key), "'%s' must be %s, found %s".formatted(shownKey, expected, PythonLiteralParser.describeValue(value)),
                    "change the value of '" + shownKey + "'");
        }

        private Position position(String key)
        {
            return positions.getOrDefault(key, new Position(1, 1));
        }

        private static boolean isTruthy(Object value)
        {
            if (value instanceof Boolean bool) {
                return bool;
            }
            if (value instanceof Long number) {
                return number != 0;
            }
            if (value instanceof BigInteger number) {
                return number.signum() != 0;
            }
            if (value instanceof Double number) {
                return number != 0.0;
            }
            if (value instanceof String text) {
                return !text.isEmpty();
            }
            if (value instanceof Collection<?> collection) {
                return !collection.isEmpty();
            }
            if (value instanceof Map<?, ?> map) {
                return !map.isEmpty();
            }
            return false;
        }
    }
}
