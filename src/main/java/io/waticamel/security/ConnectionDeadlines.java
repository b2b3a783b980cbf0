package io.waticamel.security;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlines of one inbound HTTP/1.x connection, so that a slow or silent client cannot hold a
 * connection and its buffers: a request head must be complete within {@code head} of its first
 * byte, its body within {@code body} of the head, and a connection with no request on it is closed
 * after {@code idle}. Nothing is timed while a request is being answered: then the runtime (a WATI
 * call, its retries, the account's throttle), not the client, is the slow party. An idle timeout
 * alone cannot do this: a byte a second keeps it from ever firing.
 * <p>
 * Two Netty handlers share the state, both on the connection's event loop: one before the HTTP
 * decoder sees the first raw byte of a request head, one after it sees each decoded head and body
 * end on the way in and each response end on the way out.
 */
public final class ConnectionDeadlines {

    /** Vert.x 4.5's names of the HTTP/1.x codec in a server connection's pipeline. */
    private static final String DECODER = "httpDecoder";
    private static final String ENCODER = "httpEncoder";

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDeadlines.class);

    /** {@code idle}: no request on the connection; {@code head}: from its first byte; {@code body}: from its head. */
    public record Limits(Duration idle, Duration head, Duration body) {
    }

    private enum Phase { IDLE, HEAD, BODY, ANSWERING }

    private final Channel channel;
    private final Limits limits;
    private boolean headStarted;
    private boolean bodyPending;
    private int unanswered;
    private Phase phase;
    private ScheduledFuture<?> deadline;

    private ConnectionDeadlines(Channel channel, Limits limits) {
        this.channel = channel;
        this.limits = limits;
    }

    /** Called on the connection's event loop as soon as Vert.x has set it up, before its first byte is read. */
    static void watch(Channel channel, Limits limits) {
        ConnectionDeadlines deadlines = new ConnectionDeadlines(channel, limits);
        channel.pipeline().addBefore(DECODER, "wati-head-start", deadlines.new FirstBytes());
        channel.pipeline().addAfter(ENCODER, "wati-requests", deadlines.new Requests());
        deadlines.update();
    }

    /** A deadline runs from the moment its phase begins; events within a phase do not extend it. */
    private void update() {
        Phase now = bodyPending ? Phase.BODY : unanswered > 0 ? Phase.ANSWERING : headStarted ? Phase.HEAD : Phase.IDLE;
        if (now == phase) {
            return;
        }
        phase = now;
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        Duration limit = switch (now) {
            case IDLE -> limits.idle();
            case HEAD -> limits.head();
            case BODY -> limits.body();
            case ANSWERING -> null;
        };
        if (limit != null) {
            deadline = channel.eventLoop().schedule(() -> expire(now, limit), limit.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void expire(Phase expired, Duration limit) {
        if (phase != expired) {
            return;
        }
        String within = limit.toString().substring(2).toLowerCase(Locale.ROOT);
        if (expired == Phase.IDLE) {
            LOG.debug("Closed an idle connection from {} after {}", channel.remoteAddress(), within);
        } else {
            LOG.info("Closed the connection from {}: the request {} was not complete within {}", channel.remoteAddress(),
                    expired == Phase.HEAD ? "head" : "body", within);
        }
        channel.close();
    }

    /**
     * Raw bytes, before the decoder: outside a body, a byte is the start of a request head. (A next
     * head that arrives in one read with the end of a body starts its deadline with its next read: at
     * worst one idle timeout later.)
     */
    private final class FirstBytes extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!bodyPending && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                headStarted = true;
                update();
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Decoded requests on the way in, responses on the way out (an interim 100 Continue is not the end of one). */
    private final class Requests extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                headStarted = false;
                bodyPending = true;
                unanswered++;
            }
            if (msg instanceof LastHttpContent) {
                bodyPending = false;
            }
            update();
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            boolean interim = msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (msg instanceof LastHttpContent && !interim && unanswered > 0) {
                unanswered--;
                update();
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            ctx.fireChannelInactive();
        }
    }
}
