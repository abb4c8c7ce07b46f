package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.security.SaslAuthenticator;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.SaslHandshakeRequest;

/**
 * SaslHandshake (KIP-43): the client names its mechanism. v0 means the tokens follow as raw frames, v1 as
 * SaslAuthenticate requests. On a listener without SASL, or after authentication when the client cannot
 * re-authenticate, ILLEGAL_SASL_STATE, as Kafka answers.
 */
public final class SaslHandshakeHandler implements ApiHandler<SaslHandshakeRequest> {

    private final SaslAuthenticator authenticator;

    public SaslHandshakeHandler(SaslAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SASL_HANDSHAKE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, SaslHandshakeRequest request) {
        return authenticator.handshake(context.session(), request.data().mechanism(), context.apiVersion())
                .thenApply(h -> new SaslHandshakeResponseData().setErrorCode(h.error().code()).setMechanisms(h.mechanisms()));
    }
}
