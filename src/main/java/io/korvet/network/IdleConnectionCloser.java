package io.korvet.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a client connection that neither sent nor was sent anything for {@code connections.max.idle.ms}, as Kafka's
 * broker does (clients reconnect when they next need the broker; their own idle limit, nine minutes by default, is
 * below the broker's ten).
 */
final class IdleConnectionCloser extends IdleStateHandler {

    private static final Logger log = LoggerFactory.getLogger(IdleConnectionCloser.class);

    private final long maxIdleMs;

    IdleConnectionCloser(long maxIdleMs) {
        super(0, 0, maxIdleMs, TimeUnit.MILLISECONDS);
        this.maxIdleMs = maxIdleMs;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        log.debug("Closing {}: idle for {} ms (connections.max.idle.ms)", ctx.channel().remoteAddress(), maxIdleMs);
        ctx.close();
    }
}
