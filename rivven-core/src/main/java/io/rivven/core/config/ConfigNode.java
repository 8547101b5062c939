package io.rivven.core.config;

import io.rivven.api.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A JSON value of the config file together with where it is ({@code rivven.json → topics.orders}),
 * with typed, range-checked getters whose errors are {@link ConfigException}s of the shape
 * {@code <source> → <json.path>: must be …, got …}. Package-private: the binder's toolbox.
 */
final class ConfigNode {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final int MAX_SHOWN = 60;

    private final String source;
    private final String path;
    private final JsonNode node;

    private ConfigNode(String source, String path, JsonNode node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    static ConfigNode root(String source, JsonNode node) {
        return new ConfigNode(source, "", node);
    }

    /** {@code source → json.path} for a value at {@code jsonPath}. */
    static String where(String source, String jsonPath) {
        return source + " → " + (jsonPath.isEmpty() ? "(top level)" : jsonPath);
    }

    /** The JSON path of {@code key} under {@code parent}: {@code a.b}, or {@code a["my.topic"]} for keys that are not identifiers. */
    static String childPath(String parent, String key) {
        if (IDENTIFIER.matcher(key).matches()) {
            return parent.isEmpty() ? key : parent + "." + key;
        }
        return parent + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    String source() {
        return source;
    }

    String path() {
        return path;
    }

    JsonNode json() {
        return node;
    }

    /** {@code source → json.path} of this node. */
    String where() {
        return where(source, path);
    }

    /** {@code source → json.path.key}. */
    String where(String key) {
        return where(source, childPath(path, key));
    }

    ConfigException error(String problem) {
        return new ConfigException(where(), problem);
    }

    ConfigException typeError(String expected) {
        return error("must be " + expected + ", got " + shown(node));
    }

    // ---- objects ----

    /** Fails unless this is a JSON object. */
    ConfigNode requireObject() {
        if (!node.isObject()) {
            throw typeError("an object");
        }
        return this;
    }

    /** Fails unless this is an object whose keys are all among {@code accepted}; the message lists them. */
    ConfigNode requireOnly(Set<String> accepted) {
        requireObject();
        for (String key : node.propertyNames()) {
            if (!accepted.contains(key)) {
                String hint = suggestion(key, accepted);
                throw new ConfigException(where(key), "unknown key; accepted: " + String.join(", ", new TreeSet<>(accepted))
                        + (hint == null ? "" : " (did you mean \"" + hint + "\"?)"));
            }
        }
        return this;
    }

    boolean has(String key) {
        return node.has(key);
    }

    /** The child {@code key}, or {@code null} when absent. */
    ConfigNode get(String key) {
        JsonNode child = node.get(key);
        return child == null ? null : new ConfigNode(source, childPath(path, key), child);
    }

    /** The keys of this object, in file order. */
    List<String> keys() {
        return new ArrayList<>(node.propertyNames());
    }

    /** The child object {@code key}, or {@code null} when absent; fails if present and not an object. */
    ConfigNode object(String key, Set<String> accepted) {
        ConfigNode child = get(key);
        return child == null ? null : child.requireOnly(accepted);
    }

    // ---- scalars ----

    /** A non-empty string, or {@code defaultValue} when absent. */
    String string(String key, String defaultValue) {
        ConfigNode c = get(key);
        return c == null ? defaultValue : c.asString();
    }

    String asString() {
        if (!node.isString() || node.stringValue().isEmpty()) {
            throw typeError("a non-empty string");
        }
        return node.stringValue();
    }

    boolean bool(String key, boolean defaultValue) {
        ConfigNode c = get(key);
        if (c == null) {
            return defaultValue;
        }
        if (!c.node.isBoolean()) {
            throw c.typeError("true or false");
        }
        return c.node.booleanValue();
    }

    /** An integer within {@code [min, max]}, or {@code defaultValue} when absent. */
    long integer(String key, long defaultValue, long min, long max) {
        ConfigNode c = get(key);
        return c == null ? defaultValue : c.asInteger(min, max, false);
    }

    /** {@code -1} (unlimited) or an integer within {@code [min, max]}, or {@code defaultValue} when absent. */
    long integerOrUnlimited(String key, long defaultValue, long min, long max) {
        ConfigNode c = get(key);
        return c == null ? defaultValue : c.asInteger(min, max, true);
    }

    private long asInteger(long min, long max, boolean unlimited) {
        String range = (unlimited ? "-1 (unlimited) or " : "")
                + (max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max);
        if (!node.isIntegralNumber() && !(node.isNumber() && node.canConvertToExactIntegral())) {
            throw typeError((unlimited ? "" : "an integer ") + range);
        }
        if (!node.canConvertToLong()) {
            throw error("must be " + range + ", got " + node);
        }
        long n = node.longValue();
        if ((n < min || n > max) && !(unlimited && n == -1)) {
            throw error("must be " + range + ", got " + n);
        }
        return n;
    }

    /** One of {@code values} by its JSON name, or {@code defaultValue} when absent. */
    <E extends Enum<E>> E choice(String key, E defaultValue, E[] values, Function<E, String> jsonName) {
        ConfigNode c = get(key);
        if (c == null) {
            return defaultValue;
        }
        List<String> names = new ArrayList<>();
        for (E e : values) {
            String name = jsonName.apply(e);
            if (c.node.isString() && name.equals(c.node.stringValue())) {
                return e;
            }
            names.add(name);
        }
        throw c.error("must be one of " + String.join(", ", names) + ", got " + shown(c.node));
    }

    // ---- arrays ----

    /** The elements of this array. */
    List<ConfigNode> elements() {
        if (!node.isArray()) {
            throw typeError("an array");
        }
        List<ConfigNode> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(new ConfigNode(source, path + "[" + i + "]", node.get(i)));
        }
        return out;
    }

    // ---- free-form plugin options ----

    /**
     * This value as the plain Java value {@link io.rivven.api.PluginConfig} expects: String, Long,
     * Double, Boolean, null, or unmodifiable List / Map of those.
     */
    Object toJava() {
        return switch (node.getNodeType()) {
            case STRING -> node.stringValue();
            case BOOLEAN -> node.booleanValue();
            case NULL -> null;
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    if (!node.canConvertToLong()) {
                        throw error("integer out of range, got " + node);
                    }
                    yield node.longValue();
                }
                double d = node.doubleValue();
                if (Double.isInfinite(d) || Double.isNaN(d)) {
                    throw error("number out of range, got " + d);
                }
                yield d;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (ConfigNode e : elements()) {
                    list.add(e.toJava());
                }
                yield Collections.unmodifiableList(list);
            }
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (String k : keys()) {
                    map.put(k, get(k).toJava());
                }
                yield Collections.unmodifiableMap(map);
            }
            default -> throw typeError("a JSON value");
        };
    }

    // ---- helpers ----

    /** How a value is shown after "got": JSON text for scalars, "an object" / "an array" otherwise. */
    static String shown(JsonNode n) {
        if (n.isObject()) {
            return "an object";
        }
        if (n.isArray()) {
            return "an array";
        }
        String s = n.toString();
        return s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) + "…" : s;
    }

    /** The accepted key {@code key} was probably meant to be, or {@code null}. */
    static String suggestion(String key, Set<String> accepted) {
        String norm = normalize(key);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String a : accepted) {
            int d = normalize(a).equals(norm) ? 0 : distance(key.toLowerCase(Locale.ROOT), a.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = a;
            }
        }
        return bestDistance <= Math.max(1, Math.min(2, key.length() / 3)) ? best : null;
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(".", "");
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
