package io.korvet.network;

import io.korvet.security.ClientSession;
import io.korvet.security.TlsPrincipals;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind a TLS listener's SslHandler: when the handshake succeeds, the connection's principal comes from the client
 * certificate; when it fails (no TLS, an untrusted CA, no certificate where one is required), one log line says who
 * and why, and the TLS errors that follow are not logged again.
 */
final class TlsHandshakeWatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeWatcher.class);

    private final ClientSession session;
    private boolean failed;

    TlsHandshakeWatcher(ClientSession session) {
        this.session = session;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                SslHandler tls = ctx.pipeline().get(SslHandler.class);
                session.certificatePrincipal(TlsPrincipals.of(tls.engine().getSession(), session.listener()));
            } else {
                failed = true;
                log.warn("TLS handshake with {} on listener {} failed: {}", ctx.channel().remoteAddress(), session.listenerName(),
                        TlsPrincipals.describe(done.cause()));
            }
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failed || cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            log.debug("TLS error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
