package io.korvet.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

/**
 * The server side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677) with credentials from the shared store: client-first in,
 * server-first out (the client's nonce and ours, the salt, the iterations), client-final in (which must carry exactly
 * that combined nonce and a proof matching the stored key), server-final out with our signature.
 */
public final class ScramServer implements SaslMechanismServer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private enum Step { CLIENT_FIRST, CLIENT_FINAL, COMPLETE, FAILED }

    private final ScramMechanism mechanism;
    private final ScramCredentialStore store;
    private volatile Step step = Step.CLIENT_FIRST;
    private volatile String user;
    private ClientFirstMessage clientFirst;
    private ServerFirstMessage serverFirst;
    private ScramCredential credential;

    public ScramServer(ScramMechanism mechanism, ScramCredentialStore store) {
        this.mechanism = mechanism;
        this.store = store;
    }

    private String invalid() {
        return "Authentication failed during authentication due to invalid credentials with SASL mechanism "
                + mechanism.mechanismName();
    }

    @Override
    public CompletionStage<byte[]> evaluate(byte[] token) {
        try {
            return switch (step) {
                case CLIENT_FIRST -> first(token);
                case CLIENT_FINAL -> CompletableFuture.completedFuture(last(token));
                default -> throw fail("Unexpected SCRAM message after the exchange ended", "a token after the exchange ended");
            };
        } catch (AuthenticationFailure f) {
            return CompletableFuture.failedFuture(f);
        }
    }

    private CompletionStage<byte[]> first(byte[] token) {
        try {
            clientFirst = new ClientFirstMessage(token);
        } catch (SaslException e) {
            throw fail(invalid(), "a malformed client-first message: " + e.getMessage());
        }
        String name;
        try {
            name = org.apache.kafka.common.security.scram.internals.ScramFormatter.username(clientFirst.saslName());
        } catch (IllegalArgumentException e) {
            throw fail(invalid(), "a malformed user name");
        }
        user = name;
        if (clientFirst.extensions().tokenAuthenticated()) {
            throw fail("Authentication failed: delegation tokens are not supported", "a delegation token");
        }
        if (!clientFirst.authorizationId().isEmpty() && !clientFirst.authorizationId().equals(name)) {
            throw fail("Authentication failed: Client requested an authorization id that is different from username",
                    "authorization id differs from the user name");
        }
        return store.get(mechanism, name).handle((found, error) -> {
            if (error != null) {
                step = Step.FAILED;
                throw new AuthenticationFailure("Authentication failed: Credentials could not be obtained",
                        "the credentials could not be read: " + error.getMessage());
            }
            if (found == null) {
                throw fail(invalid(), "unknown user");
            }
            if (found.iterations() < ScramMechanism.MIN_ITERATIONS) {
                throw fail(invalid(), "stored iterations " + found.iterations() + " below " + ScramMechanism.MIN_ITERATIONS);
            }
            credential = found;
            byte[] random = new byte[24];
            RANDOM.nextBytes(random);
            String serverNonce = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random).replace('-', 'a').replace('_', 'b');
            serverFirst = new ServerFirstMessage(clientFirst.nonce(), serverNonce, found.salt(), found.iterations());
            step = Step.CLIENT_FINAL;
            return serverFirst.toBytes();
        });
    }

    private byte[] last(byte[] token) {
        ClientFinalMessage clientFinal;
        try {
            clientFinal = new ClientFinalMessage(token);
        } catch (SaslException e) {
            throw fail(invalid(), "a malformed client-final message: " + e.getMessage());
        }
        if (!clientFinal.nonce().equals(serverFirst.nonce())) {
            throw fail(invalid(), "the client-final nonce is not the client's and the server's nonce");
        }
        byte[] auth = (clientFirst.clientFirstMessageBare() + "," + new String(serverFirst.toBytes(), StandardCharsets.UTF_8)
                + "," + clientFinal.clientFinalMessageWithoutProof()).getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = mechanism.hmac(credential.storedKey(), auth);
        byte[] proof = clientFinal.proof();
        if (proof.length != clientSignature.length) {
            throw fail(invalid(), "wrong password");
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        if (!MessageDigest.isEqual(mechanism.hash(clientKey), credential.storedKey())) {
            throw fail(invalid(), "wrong password");
        }
        byte[] serverSignature = mechanism.hmac(credential.serverKey(), auth);
        credential = null;
        step = Step.COMPLETE;
        return new ServerFinalMessage(null, serverSignature).toBytes();
    }

    private AuthenticationFailure fail(String clientMessage, String reason) {
        step = Step.FAILED;
        credential = null;
        return new AuthenticationFailure(clientMessage, reason);
    }

    @Override
    public boolean complete() {
        return step == Step.COMPLETE;
    }

    @Override
    public String user() {
        return user;
    }
}
