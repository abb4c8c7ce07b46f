package io.korvet.http;

import io.korvet.StartupException;
import io.korvet.config.KorvetConfig;
import io.korvet.config.ListenerConfig;
import io.korvet.security.PasswordVerifier;
import io.korvet.security.ScramCredentialStore;
import io.korvet.security.ScramMechanism;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Whether the HTTP listener asks who calls ({@code korvet.http.auth}): {@code basic}, HTTP basic authentication
 * with the same users a Kafka client logs in with over SASL (the PLAIN users of the listeners' JAAS lines, the
 * SCRAM users in Redis), or {@code none}. By default it is {@code basic} when a Kafka listener uses SASL, else
 * {@code none}; {@code none} beside a SASL listener is refused unless the HTTP listener is on a loopback address, so
 * that it never shows what the Kafka listener protects. The health endpoints are always open (for probes).
 */
public final class HttpSecurity {

    /** An unauthenticated HTTP listener. */
    public static final HttpSecurity NONE = new HttpSecurity(null);

    private final BasicAuthentication basic;

    private HttpSecurity(BasicAuthentication basic) {
        this.basic = basic;
    }

    /**
     * The mode in force, {@code basic} or {@code none}, checked before anything starts.
     *
     * @throws StartupException for an unknown mode, or {@code none} off loopback beside a SASL listener
     */
    public static String mode(KorvetConfig config, String httpHost) throws StartupException {
        List<ListenerConfig> sasl = config.listeners().stream().filter(ListenerConfig::sasl).toList();
        String mode = config.value("korvet.http.auth").trim().toLowerCase(Locale.ROOT);
        if (mode.isEmpty()) {
            mode = sasl.isEmpty() ? "none" : "basic";
        }
        if (!mode.equals("none") && !mode.equals("basic")) {
            throw new StartupException("korvet.http.auth must be basic or none, not '" + mode + "'");
        }
        if (mode.equals("none") && !sasl.isEmpty() && !loopback(httpHost)) {
            throw new StartupException("korvet.http.auth=none: the HTTP listener on '" + httpHost + "' is not a loopback"
                    + " address, and listener " + sasl.get(0).name() + " requires SASL; set korvet.http.auth=basic (HTTP"
                    + " basic with the broker's users) or bind korvet.http.listener to localhost");
        }
        return mode;
    }

    /** @throws StartupException as {@link #mode} */
    public static HttpSecurity of(KorvetConfig config, String httpHost, ScramCredentialStore credentials) throws StartupException {
        List<ListenerConfig> sasl = config.listeners().stream().filter(ListenerConfig::sasl).toList();
        switch (mode(config, httpHost)) {
            case "none" -> {
                return NONE;
            }
            default -> {
                Map<String, String> plain = new HashMap<>();
                List<ScramMechanism> scram = new ArrayList<>();
                for (ListenerConfig l : sasl) {
                    for (String m : l.saslMechanisms()) {
                        if (m.equals("PLAIN")) {
                            l.jaas().get("PLAIN").plainUsers().forEach(plain::putIfAbsent);
                        } else if (ScramMechanism.forName(m) != null && !scram.contains(ScramMechanism.forName(m))) {
                            scram.add(ScramMechanism.forName(m));
                        }
                    }
                }
                if (sasl.isEmpty()) {
                    scram.addAll(List.of(ScramMechanism.values()));
                }
                return new HttpSecurity(new BasicAuthentication(new PasswordVerifier(plain, scram, credentials)));
            }
        }
    }

    private static boolean loopback(String host) {
        if (host.isEmpty()) {
            return false;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    boolean required() {
        return basic != null;
    }

    /** Completes with the caller's principal, or null when it did not log in. */
    CompletionStage<KafkaPrincipal> authenticate(String authorization, String from) {
        return basic == null ? CompletableFuture.completedFuture(null) : basic.authenticate(authorization, from);
    }

    /** For the start-up line. */
    public String describe() {
        return basic == null ? "no authentication" : "basic authentication";
    }
}
