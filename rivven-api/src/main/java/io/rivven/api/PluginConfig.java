package io.rivven.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The options of one plugin: its JSON object from the config file minus {@code "type"}, plus the
 * path it came from so that every error can say where to look.
 *
 * <p>Values are JSON values as Java objects: {@link String}, {@link Long} (integral numbers),
 * {@link Double}, {@link Boolean}, {@link List}, {@link Map} (string keys) or {@code null}.
 * The typed getters convert and range-check, and throw {@link ConfigException} naming the key's
 * full path, the expected type or range and the value found, shown as {@value #MASK} when the key
 * is secret: named by {@link #withSecretKeys} (the engine passes each plugin its options marked
 * with its {@link PluginProvider#secretKeys()}) or looking secret ({@link #looksSecret}).
 *
 * <p>A provider calls {@link #requireOnly} first, so that a misspelt option fails instead of being
 * ignored. Immutable and thread-safe.
 */
@Stable
public final class PluginConfig {

    /** Printed instead of a secret's value. */
    public static final String MASK = "******";

    /** See {@link #looksSecret}; docs/config.md lists the words too. */
    private static final Pattern LOOKS_SECRET = Pattern.compile(
            "(?i).*(secret|password|passwd|token|credential|accesskey|apikey|privatekey|accountkey|sharedkey"
                    + "|encryptionkey|signingkey|masterkey|connectionstring|sas).*");

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> secretKeys;

    private PluginConfig(String path, Map<String, Object> values, Set<String> secretKeys) {
        this.path = Objects.requireNonNull(path, "path");
        this.values = values;
        this.secretKeys = secretKeys;
    }

    /**
     * @param path   where this object is, {@code source → json.path}, e.g.
     *               {@code rivven.json → topics.orders.compression}
     * @param values the options (without {@code "type"}); copied
     */
    public static PluginConfig of(String path, Map<String, ?> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "key"), v));
        return new PluginConfig(path, Collections.unmodifiableMap(copy), Set.of());
    }

    /** No options, e.g. for a plugin chosen by name only. */
    public static PluginConfig empty(String path) {
        return new PluginConfig(path, Map.of(), Set.of());
    }

    /**
     * The same options with the values of {@code keys} treated as secrets: errors never show them.
     * The engine calls this with the provider's {@link PluginProvider#secretKeys()} before it hands
     * the options over, so a secret option need not have a secret-looking name. Equality ignores it.
     */
    public PluginConfig withSecretKeys(Set<String> keys) {
        return new PluginConfig(path, values, Set.copyOf(keys));
    }

    /** Where this object is in the configuration, {@code source → json.path}. */
    public String path() {
        return path;
    }

    /** The full path of one option: {@code path() + "." + key}. */
    public String pathOf(String key) {
        return path + "." + key;
    }

    /** The option keys present, in file order. */
    public Set<String> keys() {
        return values.keySet();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** All options as an unmodifiable map. */
    public Map<String, Object> asMap() {
        return values;
    }

    /**
     * Fails if any key is not one of {@code accepted}, naming the unknown key and the accepted ones.
     */
    public PluginConfig requireOnly(String... accepted) {
        Set<String> ok = Set.of(accepted);
        for (String key : values.keySet()) {
            if (!ok.contains(key)) {
                throw new ConfigException(pathOf(key), "unknown option; accepted: "
                        + (ok.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(ok))));
            }
        }
        return this;
    }

    /** A string option, or {@code defaultValue} when absent. */
    public String getString(String key, String defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof String s) {
            return s;
        }
        throw typeError(key, "a string", v);
    }

    /** A string option that must be present and non-empty. */
    public String requireString(String key) {
        String s = getString(key, null);
        if (s == null || s.isEmpty()) {
            throw new ConfigException(pathOf(key), "required, a non-empty string");
        }
        return s;
    }

    /** One of {@code accepted}, or {@code defaultValue} when absent. */
    public String getEnum(String key, String defaultValue, String... accepted) {
        String s = getString(key, defaultValue);
        for (String a : accepted) {
            if (a.equals(s)) {
                return s;
            }
        }
        throw new ConfigException(pathOf(key), "must be one of " + String.join(", ", accepted) + ", got " + shown(key, s));
    }

    /** An integral option within {@code [min, max]}, or {@code defaultValue} when absent. */
    public long getLong(String key, long defaultValue, long min, long max) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        long n;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            n = d.longValue();
        } else {
            throw typeError(key, "an integer between " + min + " and " + max, v);
        }
        if (n < min || n > max) {
            throw new ConfigException(pathOf(key), "must be between " + min + " and " + max + ", got " + shown(key, n));
        }
        return n;
    }

    /** An integral option within {@code [min, max]}, or {@code defaultValue} when absent. */
    public int getInt(String key, int defaultValue, int min, int max) {
        return (int) getLong(key, defaultValue, min, max);
    }

    /** A boolean option, or {@code defaultValue} when absent. */
    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw typeError(key, "true or false", v);
    }

    /** A list of strings, or {@code defaultValue} when absent. */
    public List<String> getStringList(String key, List<String> defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw typeError(key, "a list of strings", v);
                }
                out.add(s);
            }
            return List.copyOf(out);
        }
        throw typeError(key, "a list of strings", v);
    }

    /** The options as JSON-like text with the values of {@code secretKeys} masked. */
    public String toString(Set<String> secretKeys) {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('"').append(k).append("\": ");
            if (secretKeys.contains(k)) {
                sb.append('"').append(MASK).append('"');
            } else if (v instanceof String s) {
                sb.append('"').append(s).append('"');
            } else {
                sb.append(v);
            }
        });
        return sb.append('}').toString();
    }

    /** The path and the option keys only: values may be secrets, so they are never printed here. */
    @Override
    public String toString() {
        return path + " " + values.keySet();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PluginConfig p && p.path.equals(path) && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return path.hashCode() * 31 + values.hashCode();
    }

    /**
     * Whether an option key looks like it holds a secret (it contains secret, password, passwd,
     * token, credential, accessKey, apiKey, privateKey, accountKey, sharedKey, encryptionKey,
     * signingKey, masterKey, connectionString or sas, ignoring case):
     * what is masked when no provider's {@link PluginProvider#secretKeys()} say better (error
     * messages here, the options of a plugin that is not installed when config is printed).
     */
    public static boolean looksSecret(String key) {
        return LOOKS_SECRET.matcher(key).matches();
    }

    private ConfigException typeError(String key, String expected, Object actual) {
        return new ConfigException(pathOf(key), "must be " + expected + ", got " + shown(key, actual));
    }

    /** A value as an error shows it: {@value #MASK} for a secret, a string quoted. */
    private String shown(String key, Object value) {
        if (secretKeys.contains(key) || looksSecret(key)) {
            return MASK;
        }
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
