package io.korvet.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.SaslClient;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;
import org.junit.jupiter.api.Test;

/** Korvet's SCRAM server against kafka-clients' own SCRAM client, the one every Java client runs. */
class ScramServerTest {

    private final Map<String, ScramCredential> stored = new HashMap<>();
    private final ScramCredentialStore store = new ScramCredentialStore() {
        @Override
        public CompletionStage<ScramCredential> get(ScramMechanism m, String user) {
            return CompletableFuture.completedFuture(stored.get(m + user));
        }

        @Override
        public CompletionStage<Void> put(ScramMechanism m, String user, ScramCredential c) {
            stored.put(m + user, c);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Boolean> delete(ScramMechanism m, String user) {
            return CompletableFuture.completedFuture(stored.remove(m + user) != null);
        }

        @Override
        public CompletionStage<Map<String, Map<ScramMechanism, Integer>>> describe() {
            return CompletableFuture.completedFuture(Map.of());
        }
    };

    private void addUser(ScramMechanism m, String user, String password) {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        store.put(m, user, m.credential(salt, m.saltedPassword(password, salt, 4096), 4096));
    }

    private static SaslClient client(ScramMechanism m, String user, String password) throws Exception {
        return new ScramSaslClient(org.apache.kafka.common.security.scram.internals.ScramMechanism.forMechanismName(m.mechanismName()),
                callbacks -> {
                    for (Callback c : callbacks) {
                        if (c instanceof NameCallback n) {
                            n.setName(user);
                        } else if (c instanceof PasswordCallback p) {
                            p.setPassword(password.toCharArray());
                        }
                    }
                });
    }

    private static byte[] run(ScramServer server, byte[] token) {
        return server.evaluate(token).toCompletableFuture().join();
    }

    @Test
    void kafkasClientAuthenticatesWithBothMechanismsAndChecksOurSignature() throws Exception {
        for (ScramMechanism m : ScramMechanism.values()) {
            addUser(m, "alice", "pässword");
            SaslClient client = client(m, "alice", "pässword");
            ScramServer server = new ScramServer(m, store);
            byte[] serverFirst = run(server, client.evaluateChallenge(new byte[0]));
            byte[] serverFinal = run(server, client.evaluateChallenge(serverFirst));
            assertThat(server.complete()).isTrue();
            client.evaluateChallenge(serverFinal);
            assertThat(client.isComplete()).isTrue();
            assertThat(server.user()).isEqualTo("alice");
        }
    }

    @Test
    void aWrongPasswordOrUnknownUserFailsWithoutSayingWhich() throws Exception {
        addUser(ScramMechanism.SCRAM_SHA_256, "alice", "right");
        SaslClient wrong = client(ScramMechanism.SCRAM_SHA_256, "alice", "wrong");
        ScramServer server = new ScramServer(ScramMechanism.SCRAM_SHA_256, store);
        byte[] serverFirst = run(server, wrong.evaluateChallenge(new byte[0]));
        byte[] clientFinal = wrong.evaluateChallenge(serverFirst);
        assertThatThrownBy(() -> run(server, clientFinal)).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(AuthenticationFailure.class)
                .hasMessage("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256")
                .satisfies(f -> assertThat(((AuthenticationFailure) f).reason()).isEqualTo("wrong password"));
        ScramServer unknown = new ScramServer(ScramMechanism.SCRAM_SHA_256, store);
        byte[] first = client(ScramMechanism.SCRAM_SHA_256, "bob", "x").evaluateChallenge(new byte[0]);
        assertThatThrownBy(() -> run(unknown, first)).cause()
                .hasMessage("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256");
    }

    @Test
    void theFinalNonceMustBeExactlyTheClientsAndOurs() throws Exception {
        addUser(ScramMechanism.SCRAM_SHA_512, "alice", "pw");
        SaslClient client = client(ScramMechanism.SCRAM_SHA_512, "alice", "pw");
        ScramServer server = new ScramServer(ScramMechanism.SCRAM_SHA_512, store);
        byte[] serverFirst = run(server, client.evaluateChallenge(new byte[0]));
        String clientFinal = new String(client.evaluateChallenge(serverFirst), StandardCharsets.UTF_8);
        // The combined nonce with one character more: a client that does not echo ours exactly is refused.
        String tampered = clientFinal.replaceFirst(",r=([^,]*)", ",r=$1x");
        assertThatThrownBy(() -> run(server, tampered.getBytes(StandardCharsets.UTF_8))).cause()
                .satisfies(f -> assertThat(((AuthenticationFailure) f).reason()).contains("nonce"));
        assertThat(server.complete()).isFalse();
    }

    @Test
    void malformedMessagesAndAuthorizationIdsAreRefused() {
        ScramServer server = new ScramServer(ScramMechanism.SCRAM_SHA_256, store);
        assertThatThrownBy(() -> run(server, "garbage".getBytes(StandardCharsets.UTF_8))).cause()
                .isInstanceOf(AuthenticationFailure.class);
        addUser(ScramMechanism.SCRAM_SHA_256, "alice", "pw");
        ScramServer other = new ScramServer(ScramMechanism.SCRAM_SHA_256, store);
        assertThatThrownBy(() -> run(other, "n,a=bob,n=alice,r=abcdef".getBytes(StandardCharsets.UTF_8))).cause()
                .hasMessageContaining("authorization id that is different");
    }

    @Test
    void hiMatchesRfc7677TestVector() {
        // RFC 7677 section 3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
        byte[] salt = java.util.Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        ScramCredential c = ScramMechanism.SCRAM_SHA_256.credential(salt,
                ScramMechanism.SCRAM_SHA_256.saltedPassword("pencil", salt, 4096), 4096);
        // ServerSignature of the RFC's exchange, computed from our ServerKey over its AuthMessage.
        String auth = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
                + "i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] signature = ScramMechanism.SCRAM_SHA_256.hmac(c.serverKey(), auth.getBytes(StandardCharsets.UTF_8));
        assertThat(java.util.Base64.getEncoder().encodeToString(signature)).isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }
}
