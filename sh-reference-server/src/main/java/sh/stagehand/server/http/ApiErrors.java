package sh.stagehand.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.router.exception.HttpResponseExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.server.ServerLimits;
import sh.stagehand.spi.ErrorCode;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The API's errors: a {@link StagehandException} becomes a status and
 * {@code {"error": CODE, "message": ...}}, and so do an unreadable JSON body, a body over the
 * limit and a route that does not exist, each said for people. Thread-safe.
 */
final class ApiErrors
{
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private final Supplier<String> publicUrl;

    /**
     * @param publicUrl where users reach the server, without a trailing '/'
     */
    ApiErrors(Supplier<String> publicUrl)
    {
        this.publicUrl = requireNonNull(publicUrl, "publicUrl is null");
    }

    void register(JavalinConfig config)
    {
        config.routes.exception(StagehandException.class, this::error);
        config.routes.exception(IllegalArgumentException.class, (e, context) -> error(new StagehandException(StandardErrorCode.INVALID_ARGUMENT, e.getMessage(), e), context));
        config.routes.exception(JsonProcessingException.class, (e, context) -> error(new StagehandException(StandardErrorCode.INVALID_ARGUMENT, unreadableJson(e), e), context));
        // Javalin's own refusal of a body over http.maxRequestSize (every JSON body), said as ours.
        config.routes.exception(HttpResponseException.class, (e, context) -> {
            if (e.getStatus() == HttpStatus.CONTENT_TOO_LARGE.getCode()) {
                error(new StagehandException(StandardErrorCode.CONTENT_TOO_LARGE, "The request body goes on past " + RequestBodies.size(ServerLimits.MAX_JSON_BYTES)
                        + ", the most an API request takes: send settings as JSON, not files (a database goes to POST /api/projects/{project}/import/{branch})", e), context);
            }
            else {
                HttpResponseExceptionMapper.INSTANCE.handle(e, context);
            }
        });
        config.routes.exception(NotFoundResponse.class, (e, context) -> error(new StagehandException(StandardErrorCode.NOT_FOUND, "No route " + context.method() + " " + context.path()
                + "; the API is described at " + publicUrl.get() + "/api/openapi.yaml", e), context));
    }

    // "Field 'crons' must be true or false (it is "yes")" rather than Jackson's class names.
    private static String unreadableJson(JsonProcessingException e)
    {
        String field = e instanceof JsonMappingException mapping
                ? mapping.getPath().stream().map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]").collect(Collectors.joining("."))
                : "";
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            String expected = expected(mismatch.getTargetType());
            if (field.isEmpty()) {
                return "The request body must be " + expected;
            }
            String given = e instanceof InvalidFormatException invalid ? " (it is " + quoted(invalid.getValue()) + ")" : "";
            return "Field '" + field + "' must be " + expected + given;
        }
        String problem = String.valueOf(e.getOriginalMessage()).replaceAll("`(?:[\\w$]+\\.)*([\\w$]+)(?:<[^`]*>)?`", "$1").replaceAll("\\s+", " ").strip();
        return (field.isEmpty() ? "The request body is not the JSON expected: " : "Field '" + field + "' of the request body cannot be read: ") + problem;
    }

    private static String expected(Class<?> type)
    {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != char.class)) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list, such as [\"a\", \"b\"]";
        }
        return "a JSON object";
    }

    private static String quoted(Object value)
    {
        return value instanceof String text ? "'" + text + "'" : String.valueOf(value);
    }

    private void error(StagehandException e, Context context)
    {
        ErrorCode code = e.errorCode();
        HttpStatus status = switch (code.name()) {
            case "NOT_FOUND" -> HttpStatus.NOT_FOUND;
            case "INVALID_ARGUMENT", "INVALID_CONFIGURATION" -> HttpStatus.BAD_REQUEST;
            case "ALREADY_EXISTS", "CONFLICT" -> HttpStatus.CONFLICT;
            case "UNAUTHENTICATED" -> HttpStatus.UNAUTHORIZED;
            case "PERMISSION_DENIED" -> HttpStatus.FORBIDDEN;
            case "TOO_MANY_REQUESTS" -> HttpStatus.TOO_MANY_REQUESTS;
            case "PROVIDER_UNAVAILABLE", "TIMEOUT" -> HttpStatus.SERVICE_UNAVAILABLE;
            case "NOT_SUPPORTED" -> HttpStatus.NOT_IMPLEMENTED;
            case "CONTENT_TOO_LARGE" -> HttpStatus.CONTENT_TOO_LARGE;
            default -> switch (code.type()) {
                case USER_ERROR -> HttpStatus.BAD_REQUEST;
                case EXTERNAL -> HttpStatus.BAD_GATEWAY;
                case INTERNAL_ERROR -> HttpStatus.INTERNAL_SERVER_ERROR;
            };
        };
        if (status == HttpStatus.INTERNAL_SERVER_ERROR || status == HttpStatus.BAD_GATEWAY) {
            log.warn("{} {} failed", context.method(), context.path(), e);
        }
        if (status == HttpStatus.TOO_MANY_REQUESTS) {
            Matcher wait = Pattern.compile("try again in (\\d+) s").matcher(String.valueOf(e.getMessage()));
            if (wait.find()) {
                context.header("Retry-After", wait.group(1));
            }
        }
        if (status == HttpStatus.UNAUTHORIZED && context.path().startsWith("/api/")) {
            context.header("WWW-Authenticate", "Bearer realm=\"stagehand\"");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code.name());
        body.put("message", e.getMessage());
        if (status == HttpStatus.CONTENT_TOO_LARGE) {
            try {
                RequestBodies.answerRefusal(context, status.getCode(), context.jsonMapper().toJsonString(body, Map.class));
                return;
            }
            catch (IOException failed) {
                log.debug("Could not answer a refused body of {} {}", context.method(), context.path(), failed);
            }
        }
        context.status(status).json(body);
    }
}
