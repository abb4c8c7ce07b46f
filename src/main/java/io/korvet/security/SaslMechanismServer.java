package io.korvet.security;

import java.util.concurrent.CompletionStage;

/**
 * The server side of one SASL exchange: each client token in, the next challenge out, until {@link #complete()}.
 * A stage that fails with {@link AuthenticationFailure} ends the exchange.
 */
public interface SaslMechanismServer {

    CompletionStage<byte[]> evaluate(byte[] clientToken);

    boolean complete();

    /** The authenticated user, once complete; before, the user the client claims (null until it says), for logs. */
    String user();
}
