package io.waticamel.config;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;

/**
 * The names in keys such as {@code wati.api-keys.<name>} or {@code wati.accounts.<name>.webhook-secret}
 * wherever they are configured: the properties file, -D, or the environment
 * ({@code WATI_ACCOUNTS_<NAME>_WEBHOOK_SECRET}, the name in lower case). Camel resolves one key but
 * does not list them, and the Properties it loads keep their entries to themselves (forEach sees
 * none): each source is asked by name. Values are then resolved as Camel resolves any key (-D beats
 * the environment, which beats the file).
 */
final class ConfiguredNames {

    private ConfiguredNames() {
    }

    static Set<String> of(CamelContext context, String prefix, String suffix) {
        Set<String> names = new TreeSet<>();
        context.getPropertiesComponent().loadProperties(k -> matches(k, prefix, suffix)).stringPropertyNames()
                .forEach(k -> names.add(name(k, prefix, suffix)));
        System.getProperties().stringPropertyNames().stream().filter(k -> matches(k, prefix, suffix))
                .forEach(k -> names.add(name(k, prefix, suffix)));
        String envPrefix = environmentName(prefix);
        String envSuffix = environmentName(suffix);
        System.getenv().keySet().stream().filter(k -> matches(k, envPrefix, envSuffix))
                .forEach(k -> names.add(name(k, envPrefix, envSuffix).toLowerCase(Locale.ROOT)));
        return names;
    }

    private static boolean matches(String key, String prefix, String suffix) {
        return key.length() > prefix.length() + suffix.length() && key.startsWith(prefix) && key.endsWith(suffix);
    }

    private static String name(String key, String prefix, String suffix) {
        return key.substring(prefix.length(), key.length() - suffix.length());
    }

    /** As Camel looks a key up in the environment: upper case, '.' and '-' become '_'. */
    private static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
