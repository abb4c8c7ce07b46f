package io.korvet.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads settings in Kafka's order of precedence for Korvet: a properties file, then {@code KORVET_*}
 * environment variables, then command-line overrides; later sources win.
 */
public final class ConfigLoader {

    private static final String ENV_PREFIX = "KORVET_";

    private ConfigLoader() {
    }

    public static KorvetConfig load(Path file, Map<String, String> env, List<String> overrides) {
        return load(file, env, overrides, java.util.Set.of());
    }

    /**
     * @param kafkaKeys Kafka's keys that Korvet recognises beside its own (topic defaults, keys with no effect), which
     *                  environment variables may set too ({@code KORVET_COMPRESSION_TYPE} for {@code compression.type})
     */
    public static KorvetConfig load(Path file, Map<String, String> env, List<String> overrides, java.util.Set<String> kafkaKeys) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (file != null) {
            settings.putAll(readFile(file));
        }
        settings.putAll(fromEnvironment(env, kafkaKeys));
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("malformed override '" + override + "': expected key=value");
            }
            settings.put(override.substring(0, eq).trim(), override.substring(eq + 1).trim());
        }
        return KorvetConfig.fromMap(settings);
    }

    /** The environment variable that sets a key: upper case, dots as underscores, behind KORVET_ once. */
    public static String environmentName(String key) {
        String upper = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        return upper.startsWith(ENV_PREFIX) ? upper : ENV_PREFIX + upper;
    }

    static Map<String, String> fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, java.util.Set.of());
    }

    static Map<String, String> fromEnvironment(Map<String, String> env, java.util.Set<String> kafkaKeys) {
        Map<String, String> byEnvName = new TreeMap<>();
        for (String key : kafkaKeys) {
            byEnvName.put(environmentName(key), key);
        }
        for (String key : KorvetConfig.KEYS.keySet()) {
            byEnvName.put(environmentName(key), key);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith(ENV_PREFIX)) {
                continue;
            }
            String key = byEnvName.get(e.getKey());
            if (key == null) {
                throw new ConfigException("unknown environment setting " + e.getKey()
                        + "; known: " + byEnvName.keySet());
            }
            settings.put(key, e.getValue());
        }
        return settings;
    }

    private static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            settings.put(name, props.getProperty(name).trim());
        }
        return settings;
    }
}
