package sh.stagehand.server.http;

import io.javalin.http.Context;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the API's handlers read of a request besides its JSON body: path and query parameters, and
 * a body's field naming a constant; a value that is wrong is an {@code INVALID_ARGUMENT} saying so.
 */
final class ApiParameters
{
    private ApiParameters()
    {
    }

    static long buildId(Context context)
    {
        try {
            return Long.parseLong(context.pathParam("build"));
        }
        catch (NumberFormatException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Build id '" + context.pathParam("build") + "' is not a number");
        }
    }

    static int limit(Context context)
    {
        String limit = context.queryParam("limit");
        try {
            return limit == null ? 100 : Math.max(1, Math.min(1000, Integer.parseInt(limit)));
        }
        catch (NumberFormatException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "limit=" + limit + " is not a number");
        }
    }

    static String required(Context context, String name)
    {
        String value = context.queryParam(name);
        if (value == null || value.isBlank()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Query parameter '" + name + "' is required");
        }
        return value;
    }

    static boolean booleanParameter(Context context, String name, boolean absent)
    {
        String value = context.queryParam(name);
        if (value == null) {
            return absent;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Query parameter '" + name + "' is '" + value + "'; send true or false");
        };
    }

    static <E extends Enum<E>> E enumField(String field, Class<E> type, String value)
    {
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Field '%s' is '%s', which is none of %s".formatted(field, value,
                    Stream.of(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "))), e);
        }
    }
}
