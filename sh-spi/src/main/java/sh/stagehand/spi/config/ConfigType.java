package sh.stagehand.spi.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What a configuration value takes, and how its text is read: {@link #duration()}, {@link #port()},
 * {@link #size()}, ... A value that does not fit is refused with the key, the value and what it
 * takes: {@code docker.api-timeout=abc is not a duration; use e.g. 60s, 5m or 8h}.
 *
 * <p>Every duration is written one way, a whole number and a unit: {@code 500ms}, {@code 60s},
 * {@code 5m}, {@code 8h}, {@code 7d} ({@code 0} alone where zero is allowed). Every size is a whole
 * number of bytes, or one with a binary unit: {@code 512KB}, {@code 64MB}, {@code 20GB}, {@code 1TB}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the value read
 */
public final class ConfigType<T>
{
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(B|KB|MB|GB|TB)?", Pattern.CASE_INSENSITIVE);
    private static final String DURATION_HINT = "use e.g. 60s, 5m or 8h";

    private final String description;
    private final Function<String, T> parser;

    private ConfigType(String description, Function<String, T> parser)
    {
        this.description = requireNonNull(description, "description is null");
        this.parser = requireNonNull(parser, "parser is null");
    }

    /**
     * A type of one's own.
     *
     * @param description what a value is, after "is not", e.g. {@code "a time of day HH:MM (UTC), nor off"}
     * @param parser reads a value; throws {@link IllegalArgumentException} (a {@link NumberFormatException},
     *         ...) for text that is not one, whose message, if any, is added to the refusal
     */
    public static <T> ConfigType<T> of(String description, Function<String, T> parser)
    {
        return new ConfigType<>(description, parser);
    }

    /**
     * Any text, as given (not stripped: a password may end in a space).
     */
    public static ConfigType<String> string()
    {
        return new ConfigType<>("a text", value -> value);
    }

    /**
     * Text with something in it, stripped.
     */
    public static ConfigType<String> nonEmptyString()
    {
        return new ConfigType<>("a text", value -> {
            if (value.isBlank()) {
                throw new IllegalArgumentException("it is empty");
            }
            return value.strip();
        });
    }

    /**
     * A whole number from {@code minimum} to {@code maximum}.
     */
    public static ConfigType<Integer> integer(int minimum, int maximum)
    {
        return new ConfigType<>(range(minimum, maximum, Integer.MAX_VALUE), value -> Math.toIntExact(within(Long.parseLong(value.strip()), minimum, maximum)));
    }

    /**
     * A whole number of 1 or more.
     */
    public static ConfigType<Integer> positiveInteger()
    {
        return integer(1, Integer.MAX_VALUE);
    }

    /**
     * A whole number from {@code minimum} to {@code maximum}, as a {@code long}.
     */
    public static ConfigType<Long> longInteger(long minimum, long maximum)
    {
        return new ConfigType<>(range(minimum, maximum, Long.MAX_VALUE), value -> within(Long.parseLong(value.strip()), minimum, maximum));
    }

    /**
     * A number, fractions allowed, of {@code minimum} or more.
     */
    public static ConfigType<Double> decimal(double minimum)
    {
        return new ConfigType<>("a number of " + minimum + " or more, such as 0.5 or 2", value -> {
            double number = Double.parseDouble(value.strip());
            if (Double.isNaN(number) || Double.isInfinite(number) || number < minimum) {
                throw new IllegalArgumentException();
            }
            return number;
        });
    }

    /**
     * A TCP port, 1 to 65535.
     */
    public static ConfigType<Integer> port()
    {
        return new ConfigType<>("a TCP port (1 to 65535)", value -> Math.toIntExact(within(Long.parseLong(value.strip()), 1, 65535)));
    }

    /**
     * A TCP port to listen on, 0 to 65535, where 0 picks a free one.
     */
    public static ConfigType<Integer> listenPort()
    {
        return new ConfigType<>("a TCP port (0 to 65535; 0 picks a free one)", value -> Math.toIntExact(within(Long.parseLong(value.strip()), 0, 65535)));
    }

    /**
     * A number of bytes of 1 or more: {@code 1048576}, {@code 512KB}, {@code 64MB}, {@code 20GB},
     * {@code 1TB} (units of 1024).
     */
    public static ConfigType<Long> size()
    {
        return new ConfigType<>("a size; use e.g. 64MB, 20GB or a number of bytes", ConfigType::parseSize);
    }

    /**
     * A duration of more than zero: {@code 500ms}, {@code 60s}, {@code 5m}, {@code 8h}, {@code 7d}.
     */
    public static ConfigType<Duration> duration()
    {
        return new ConfigType<>("a duration; " + DURATION_HINT, value -> {
            Duration duration = parseDuration(value);
            if (duration.isZero()) {
                throw new IllegalArgumentException("it must be longer than 0");
            }
            return duration;
        });
    }

    /**
     * A duration, or {@code 0} (which the key's description gives a meaning, such as "never").
     */
    public static ConfigType<Duration> durationOrZero()
    {
        return new ConfigType<>("a duration; " + DURATION_HINT + ", or 0", ConfigType::parseDuration);
    }

    /**
     * {@code true} or {@code false}.
     */
    public static ConfigType<Boolean> bool()
    {
        return new ConfigType<>("true or false", value -> switch (value.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException();
        });
    }

    /**
     * One of the given words, exactly.
     */
    public static ConfigType<String> oneOf(String... choices)
    {
        Set<String> allowed = Set.of(choices);
        return new ConfigType<>("one of " + String.join(", ", choices), value -> {
            if (!allowed.contains(value.strip())) {
                throw new IllegalArgumentException();
            }
            return value.strip();
        });
    }

    /**
     * A constant of the enum, written in lower case with '-' for '_' ({@code SOME_MODE} is {@code some-mode}).
     */
    public static <E extends Enum<E>> ConfigType<E> enumeration(Class<E> type)
    {
        E[] constants = type.getEnumConstants();
        String names = String.join(", ", Arrays.stream(constants).map(ConfigType::enumName).toList());
        return new ConfigType<>("one of " + names, value -> Arrays.stream(constants)
                .filter(constant -> enumName(constant).equals(value.strip()))
                .findFirst()
                .orElseThrow(IllegalArgumentException::new));
    }

    /**
     * A URI, whatever its scheme.
     */
    public static ConfigType<URI> uri()
    {
        return new ConfigType<>("a URI", value -> {
            try {
                return new URI(value.strip());
            }
            catch (URISyntaxException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        });
    }

    /**
     * An {@code http://} or {@code https://} URL naming a host.
     */
    public static ConfigType<URI> httpUrl()
    {
        return uri().check(url -> url.getScheme() != null && Set.of("http", "https").contains(url.getScheme().toLowerCase(Locale.ROOT)) && url.getHost() != null,
                "an http(s) URL such as https://sh.example.com");
    }

    /**
     * A file or directory path.
     */
    public static ConfigType<Path> path()
    {
        return new ConfigType<>("a path", value -> {
            try {
                return Path.of(value.strip());
            }
            catch (InvalidPathException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        });
    }

    /**
     * Comma-separated items, each stripped, blanks left out.
     */
    public static ConfigType<List<String>> list()
    {
        return new ConfigType<>("a comma-separated list", value -> Arrays.stream(value.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList());
    }

    /**
     * This type, refusing the values that fail the test.
     *
     * @param description what a value is then, after "is not", e.g. {@code "a Docker engine address; use unix:///var/run/docker.sock or tcp://HOST:2375"}
     */
    public ConfigType<T> check(Predicate<? super T> test, String description)
    {
        requireNonNull(test, "test is null");
        return new ConfigType<>(description, value -> {
            T parsed = parser.apply(value);
            if (!test.test(parsed)) {
                throw new IllegalArgumentException();
            }
            return parsed;
        });
    }

    /**
     * This type's value turned into another.
     */
    public <R> ConfigType<R> map(Function<? super T, ? extends R> function)
    {
        requireNonNull(function, "function is null");
        return new ConfigType<>(description, value -> function.apply(parser.apply(value)));
    }

    /**
     * @return what a value is, as said after "is not": {@code a duration; use e.g. 60s, 5m or 8h}
     */
    public String description()
    {
        return description;
    }

    /**
     * Reads a value.
     *
     * @param shown the key and value as a refusal shows them, {@code docker.api-timeout=abc}
     * @param hidden whether the value must not be repeated: then neither is the parser's reason,
     *         which may quote it
     * @throws IllegalArgumentException saying {@code shown} and what the key takes, for
     *         {@link ConfigKey} to make a {@code StagehandException} of
     */
    T parse(String shown, String value, boolean hidden)
    {
        try {
            return requireNonNull(parser.apply(value), "parser returned null");
        }
        catch (IllegalArgumentException | ArithmeticException e) {
            String reason = hidden || e instanceof NumberFormatException || e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
            throw new IllegalArgumentException(shown + " is not " + description + reason, e);
        }
    }

    private static Duration parseDuration(String value)
    {
        String text = value.strip();
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            // The former convention, said plainly: its keys are read no more.
            throw new IllegalArgumentException(text.toUpperCase(Locale.ROOT).startsWith("P") ? "ISO-8601 durations such as PT8H are no longer read" : null);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalStateException("unit " + matcher.group(2));
        };
    }

    private static long parseSize(String value)
    {
        Matcher matcher = SIZE.matcher(value.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException();
        }
        String unit = matcher.group(2) == null ? "B" : matcher.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            case "TB" -> 40;
            default -> 0;
        };
        long amount = Long.parseLong(matcher.group(1));
        if (amount < 1 || amount > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException(amount < 1 ? "it must be 1 byte or more" : "it is too large");
        }
        return amount << shift;
    }

    private static long within(long number, long minimum, long maximum)
    {
        if (number < minimum || number > maximum) {
            throw new IllegalArgumentException();
        }
        return number;
    }

    private static String range(long minimum, long maximum, long unbounded)
    {
        if (maximum == unbounded) {
            return minimum == 1 ? "a positive whole number" : "a whole number of " + minimum + " or more";
        }
        return "a whole number from " + minimum + " to " + maximum;
    }

    private static String enumName(Enum<?> constant)
    {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
