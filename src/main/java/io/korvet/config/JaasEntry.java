package io.korvet.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One login module line of a {@code sasl.jaas.config} value, as Kafka writes it:
 * {@code org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="secret";}.
 * Only one module per value, as Kafka's brokers accept.
 */
public record JaasEntry(String loginModule, String flag, Map<String, String> options) {

    /** Parses a value; the message of a failure never repeats the value, which holds passwords. */
    public static JaasEntry parse(String key, String value) {
        Lexer lexer = new Lexer(key, value);
        String module = lexer.word();
        String flag = lexer.word();
        if (!flag.matches("required|requisite|sufficient|optional")) {
            throw new ConfigException(key + ": expected a control flag (required, requisite, sufficient, optional) after "
                    + module);
        }
        Map<String, String> options = new LinkedHashMap<>();
        while (!lexer.atSemicolon()) {
            String name = lexer.word();
            lexer.expect('=');
            options.put(name, lexer.value());
        }
        lexer.expect(';');
        if (!lexer.atEnd()) {
            throw new ConfigException(key + ": expected exactly one login module, ended by ';'");
        }
        return new JaasEntry(module, flag, Map.copyOf(options));
    }

    /** The {@code user_<name>} options: the users and passwords of Kafka's PlainLoginModule. */
    public Map<String, String> plainUsers() {
        Map<String, String> users = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (k.startsWith("user_") && k.length() > 5) {
                users.put(k.substring(5), v);
            }
        });
        return users;
    }

    @Override
    public String toString() {
        return loginModule + " " + flag + " (" + options.size() + " options)";
    }

    private static final class Lexer {
        private final String key;
        private final String text;
        private int pos;

        Lexer(String key, String text) {
            this.key = key;
            this.text = text;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        boolean atSemicolon() {
            skipSpace();
            if (pos >= text.length()) {
                throw new ConfigException(key + ": the login module must end with ';'");
            }
            return text.charAt(pos) == ';';
        }

        boolean atEnd() {
            skipSpace();
            return pos >= text.length();
        }

        void expect(char c) {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != c) {
                throw new ConfigException(key + ": expected '" + c + "' at character " + pos);
            }
            pos++;
        }

        String word() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && !Character.isWhitespace(text.charAt(pos)) && "=;\"".indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
            if (start == pos) {
                throw new ConfigException(key + ": expected a name at character " + pos);
            }
            return text.substring(start, pos);
        }

        String value() {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == '"') {
                StringBuilder out = new StringBuilder();
                pos++;
                while (pos < text.length() && text.charAt(pos) != '"') {
                    char c = text.charAt(pos++);
                    if (c == '\\' && pos < text.length()) {
                        c = text.charAt(pos++);
                    }
                    out.append(c);
                }
                if (pos >= text.length()) {
                    throw new ConfigException(key + ": a quoted value is not closed");
                }
                pos++;
                return out.toString();
            }
            return word();
        }
    }
}
