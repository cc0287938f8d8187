package sh.stagehand.core.odoo;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import sh.stagehand.core.odoo.ManifestSource.Position;
import sh.stagehand.core.odoo.PythonLiteralTokenizer.Kind;
import sh.stagehand.core.odoo.PythonLiteralTokenizer.Token;
import sh.stagehand.spi.StagehandException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Reads a {@code __manifest__.py} as Odoo does with {@code ast.literal_eval}, without running
 * anything: a recursive-descent parser for the literal part of Python's grammar. The file must
 * hold one dict whose keys are strings.
 *
 * <p>Python values become: {@code str} and {@code bytes} a {@link String}; {@code int} a
 * {@link Long}, or a {@link BigInteger} beyond 64 bits; {@code float} a {@link Double};
 * {@code True}/{@code False} a {@link Boolean}; {@code None} {@link Manifest#PYTHON_NONE}; list and
 * tuple an immutable {@link List}; dict an immutable {@link Map} and set an immutable {@link Set},
 * both in the order of the source. As in Python, a key given twice keeps its first place and its
 * last value.
 *
 * <p>Not thread-safe: one instance reads one file once.
 */
final class PythonLiteralParser
{
    static final int MAX_NESTING = 100;

    private final ManifestSource source;
    private final PythonLiteralTokenizer tokenizer;
    private Token current;
    private Token previous;

    /**
     * @param positions where the value of each key of the manifest dict starts, for later messages
     */
    record ParsedManifest(Map<String, Object> values, Map<String, Position> positions)
    {
        ParsedManifest
        {
            values = ImmutableMap.copyOf(requireNonNull(values, "values is null"));
            positions = Map.copyOf(requireNonNull(positions, "positions is null"));
        }
    }

    /**
     * @param hashable whether Python would accept it as a dict key or set element
     * @param joinedAtLine for strings joined across lines, the line the first of them ends on; else 0
     */
    private record Value(Object value, boolean hashable, int joinedAtLine) {}

    private PythonLiteralParser(ManifestSource source)
    {
        this.source = requireNonNull(source, "source is null");
        this.tokenizer = new PythonLiteralTokenizer(source);
    }

    static ParsedManifest parseManifest(ManifestSource source)
    {
        return new PythonLiteralParser(source).manifest();
    }

    /**
     * How a message names the type of a parsed value: "a string", "a list", ...
     */
    static String describeType(Object value)
    {
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Long || value instanceof BigInteger) {
            return "an integer";
        }
        if (value instanceof Double) {
            return "a float";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Map) {
            return "a dict";
        }
        if (value instanceof Set) {
            return "a set";
        }
        return "None";
    }

    /**
     * How a message shows a parsed value: "a string 'base'", "an integer 42", "None", ...
     */
    static String describeValue(Object value)
    {
        if (value == Manifest.PYTHON_NONE) {
            return "None";
        }
        String shown = repr(value);
        if (shown.length() > 60) {
            shown = shown.substring(0, 57) + "...";
        }
        return describeType(value) + " " + shown;
    }

    private ParsedManifest manifest()
    {
        advance();
        skipNewlines();
        if (current.kind() == Kind.END) {
            throw error(current, "the file is empty: expected a dict literal such as {'name': 'My Module', 'version': '1.0', 'depends': ['base']}");
        }
        if (!current.is("{")) {
            if (current.kind() == Kind.NAME && !isLiteralName(current)) {
                throw error(current, "expected '{' to start the manifest dict, found " + current.describe()
                        + ": Python code (imports, assignments, calls, variables) is not allowed in a manifest");
            }
            throw error(current, "expected '{' to start the manifest dict, found " + current.describe());
        }
        Token open = current;
        advance();
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Position> positions = new HashMap<>();
        while (!current.is("}")) {
            Token keyToken = current;
            Value key = value(1);
            if (!(key.value() instanceof String name)) {
                throw error(keyToken, "the keys of the manifest dict must be strings, found " + describeValue(key.value()));
            }
            expectColonAfterKey(key);
            Token valueToken = current;
            Value value = value(1);
            values.put(name, value.value());
            positions.put(name, new Position(valueToken.line(), valueToken.column()));
            if (current.is(",")) {
                advance();
            }
            else if (!current.is("}")) {
                throw missingSeparator("}", "after the value of '" + name + "'", value, open);
            }
        }
        Token close = current;
        advance();
        skipNewlines();
        if (current.kind() != Kind.END) {
            throw error(current, "expected the end of the file after the '}' that closes the manifest dict at line " + close.line()
                    + ", column " + close.column() + ", found " + current.describe()
                    + (current.is(",") ? " (a ',' after the closing '}' makes the file a tuple: remove it)" : ""));
        }
        return new ParsedManifest(values, positions);
    }

    private Value value(int depth)
    {
        if (depth > MAX_NESTING) {
            throw error(current, "more than " + MAX_NESTING + " nested lists, tuples, dicts and sets");
        }
        Token token = current;
        switch (token.kind()) {
            case STRING:
                return strings();
            case INTEGER:
            case FLOAT:
                advance();
                return new Value(number(token.value(), false), true, 0);
            case NAME:
                if (isLiteralName(token)) {
                    advance();
                    return new Value(literalName(token), true, 0);
                }
                throw error(token, "expected a value, found " + token.describe()
                        + ": a manifest holds only literals; names, calls, imports and other Python code are not allowed (quote text as 'text')");
            case PUNCTUATION:
                if (token.is("-") || token.is("+")) {
                    advance();
                    if (current.kind() != Kind.INTEGER && current.kind() != Kind.FLOAT) {
                        throw error(current, "expected a number after '" + token.value() + "', found " + current.describe());
                    }
                    Object number = number(current.value(), token.is("-"));
                    advance();
                    return new Value(number, true, 0);
                }
                if (token.is("[")) {
                    return list(depth);
                }
                if (token.is("(")) {
                    return tuple(depth);
                }
                if (token.is("{")) {
                    return dictOrSet(depth);
                }
                throw error(token, "expected a value, found " + token.describe());
            default:
                throw error(token, "expected a value, found " + token.describe());
        }
    }

    private Value strings()
    {
        Token first = current;
        StringBuilder text = new StringBuilder((String) first.value());
        int joinedAtLine = 0;
        Token last = first;
        advance();
        // Adjacent strings are one string, as in Python: 'a' 'b' == 'ab'.
        while (current.kind() == Kind.STRING) {
            if (current.bytes() != first.bytes()) {
                throw error(current, "cannot join bytes and a string literal written next to each other: use plain strings only");
            }
            if (joinedAtLine == 0 && current.line() > last.endLine()) {
                joinedAtLine = last.endLine();
            }
            text.append((String) current.value());
            last = current;
            advance();
        }
        return new Value(text.toString(), true, joinedAtLine);
    }

    private Value list(int depth)
    {
        Token open = current;
        advance();
        List<Object> items = new ArrayList<>();
        while (!current.is("]")) {
            Value item = value(depth + 1);
            items.add(item.value());
            if (current.is(",")) {
                advance();
            }
            else if (!current.is("]")) {
                throw missingSeparator("]", "after a list element", item, open);
            }
        }
        advance();
        return new Value(List.copyOf(items), false, 0);
    }

    private Value tuple(int depth)
    {
        Token open = current;
        advance();
        if (current.is(")")) {
            advance();
            return new Value(List.of(), true, 0);
        }
        Value first = value(depth + 1);
        if (current.is(")")) {
            // (x) is x in parentheses, not a tuple.
            advance();
            return first;
        }
        if (!current.is(",")) {
            throw missingSeparator(")", "after a tuple element", first, open);
        }
        advance();
        List<Object> items = new ArrayList<>();
        items.add(first.value());
        boolean hashable = first.hashable();
        while (!current.is(")")) {
            Value item = value(depth + 1);
            items.add(item.value());
            hashable &= item.hashable();
            if (current.is(",")) {
                advance();
            }
            else if (!current.is(")")) {
                throw missingSeparator(")", "after a tuple element", item, open);
            }
        }
        advance();
        return new Value(List.copyOf(items), hashable, 0);
    }

    private Value dictOrSet(int depth)
    {
        Token open = current;
        advance();
        if (current.is("}")) {
            advance();
            return new Value(ImmutableMap.of(), false, 0);
        }
        Token firstToken = current;
        Value first = value(depth + 1);
        if (current.is(":")) {
            return dict(depth, open, firstToken, first);
        }
        if (!current.is(",") && !current.is("}")) {
            throw missingSeparator("}", "after the first element of a dict or set (expected ':' in a dict)", first, open);
        }
        Set<Object> elements = new LinkedHashSet<>();
        Token elementToken = firstToken;
        Value element = first;
        while (true) {
            requireHashable(element, elementToken, "a set element");
            elements.add(element.value());
            if (current.is(",")) {
                advance();
            }
            else if (!current.is("}")) {
                throw missingSeparator("}", "after a set element", element, open);
            }
            if (current.is("}")) {
                break;
            }
            elementToken = current;
            element = value(depth + 1);
        }
        advance();
        return new Value(ImmutableSet.copyOf(elements), false, 0);
    }

    private Value dict(int depth, Token open, Token firstKeyToken, Value firstKey)
    {
        Map<Object, Object> entries = new LinkedHashMap<>();
        Token keyToken = firstKeyToken;
        Value key = firstKey;
        while (true) {
            requireHashable(key, keyToken, "a dict key");
            expectColonAfterKey(key);
            Value value = value(depth + 1);
            entries.put(key.value(), value.value());
            if (current.is(",")) {
                advance();
            }
            else if (!current.is("}")) {
                throw missingSeparator("}", "after the value of " + describeKey(key.value()), value, open);
            }
            if (current.is("}")) {
                break;
            }
            keyToken = current;
            key = value(depth + 1);
        }
        advance();
        return new Value(ImmutableMap.copyOf(entries), false, 0);
    }

    private void expectColonAfterKey(Value key)
    {
        if (!current.is(":")) {
            throw error(current, "expected ':' after the dict key " + describeKey(key.value()) + ", found " + current.describe()
                    + joinedHint(key));
        }
        advance();
    }

    private void requireHashable(Value value, Token token, String role)
    {
        if (!value.hashable()) {
            throw error(token, role + " must be a string, a number, True, False, None or a tuple of those, found " + describeType(value.value()));
        }
    }

    private StagehandException missingSeparator(String close, String where, Value element, Token open)
    {
        StringBuilder problem = new StringBuilder()
                .append("expected ',' or '").append(close).append("' ").append(where).append(", found ").append(current.describe());
        String joined = joinedHint(element);
        if (!joined.isEmpty()) {
            problem.append(joined);
        }
        else if (current.kind() == Kind.END) {
            problem.append(": the '").append(open.value()).append("' at line ").append(open.line()).append(", column ").append(open.column()).append(" is never closed");
        }
        else if (current.line() > previous.endLine()) {
            problem.append(": is a ',' missing at the end of line ").append(previous.endLine()).append('?');
        }
        return error(current, problem.toString());
    }

    private static String joinedHint(Value value)
    {
        if (value.joinedAtLine() == 0) {
            return "";
        }
        return ": strings written one after the other are joined into one, here " + Token.quote((String) value.value())
                + "; is a ',' missing at the end of line " + value.joinedAtLine() + '?';
    }

    private static String describeKey(Object key)
    {
        return repr(key);
    }

    /**
     * A parsed value as Python would show it ({@code repr}): {@code 'text'}, {@code True},
     * {@code None}, {@code ['a', 1]}, {@code {'k': False}}; long strings shortened. Tuples, which
     * are parsed as lists, are shown as lists.
     */
    static String repr(Object value)
    {
        if (value instanceof String text) {
            return Token.quote(text);
        }
        if (value instanceof Boolean bool) {
            return bool ? "True" : "False";
        }
        if (value instanceof Double number) {
            if (number.isInfinite()) {
                return number > 0 ? "inf" : "-inf";
            }
            String shown = Double.toString(number);
            return shown.contains("E") ? shown.replace("E", "e") : shown;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(PythonLiteralParser::repr).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Set<?> set) {
            return set.isEmpty() ? "set()" : set.stream().map(PythonLiteralParser::repr).collect(Collectors.joining(", ", "{", "}"));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(entry -> repr(entry.getKey()) + ": " + repr(entry.getValue())).collect(Collectors.joining(", ", "{", "}"));
        }
        // Long, BigInteger and None print as Python prints them.
        return String.valueOf(value);
    }

    private static boolean isLiteralName(Token token)
    {
        return token.value().equals("True") || token.value().equals("False") || token.value().equals("None");
    }

    private static Object literalName(Token token)
    {
        return switch ((String) token.value()) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            default -> Manifest.PYTHON_NONE;
        };
    }

    private static Object number(Object value, boolean negative)
    {
        if (value instanceof Double number) {
            return negative ? -number : number;
        }
        BigInteger integer = negative ? ((BigInteger) value).negate() : (BigInteger) value;
        return integer.bitLength() < Long.SIZE ? (Object) integer.longValue() : integer;
    }

    private void skipNewlines()
    {
        while (current.kind() == Kind.NEWLINE) {
            advance();
        }
    }

    private void advance()
    {
        previous = current;
        current = tokenizer.next();
    }

    private StagehandException error(Token token, String problem)
    {
        return source.syntaxError(token.line(), token.column(), problem);
    }
}
