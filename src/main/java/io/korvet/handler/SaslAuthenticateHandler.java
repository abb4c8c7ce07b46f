package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.security.SaslAuthenticator;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;

/**
 * SaslAuthenticate (KIP-152): one SASL token of the mechanism chosen by SaslHandshake; from v1 the answer tells the
 * session's lifetime, after which the client re-authenticates (KIP-368).
 */
public final class SaslAuthenticateHandler implements ApiHandler<SaslAuthenticateRequest> {

    private final SaslAuthenticator authenticator;

    public SaslAuthenticateHandler(SaslAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SASL_AUTHENTICATE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, SaslAuthenticateRequest request) {
        return authenticator.authenticate(context.session(), request.data().authBytes(), context.apiVersion())
                .thenApply(a -> new SaslAuthenticateResponseData()
                        .setErrorCode(a.error().code())
                        .setErrorMessage(a.message())
                        .setAuthBytes(a.token() == null ? new byte[0] : a.token())
                        .setSessionLifetimeMs(a.sessionLifetimeMs()));
    }
}
