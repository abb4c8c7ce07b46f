package io.korvet.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaFrameDecoderTest {

    private static final int MAX = 64;

    private final EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static byte[] frame(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = Unpooled.buffer().writeInt(body.length).writeBytes(body);
        return ByteBufUtil.getBytes(b);
    }

    private String readFrame() {
        ByteBuf b = channel.readInbound();
        assertThat(b).as("a frame handed on").isNotNull();
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void frameSplitAcrossWritesIsHandedOnOnceWhole() {
        byte[] f = frame("hello, kafka");

        channel.writeInbound(Unpooled.wrappedBuffer(f, 0, 2));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(f, 2, 5));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(f, 7, f.length - 8));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(f, f.length - 1, 1));

        assertThat(readFrame()).isEqualTo("hello, kafka");
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void twoFramesInOneBufferAreHandedOnSeparately() {
        ByteBuf joined = Unpooled.wrappedBuffer(frame("first"), frame("second!"), frame("thi"));

        channel.writeInbound(joined);

        assertThat(readFrame()).isEqualTo("first");
        assertThat(readFrame()).isEqualTo("second!");
        assertThat(readFrame()).isEqualTo("thi");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void frameAndAPartOfTheNextWaitForTheRest() {
        byte[] a = frame("aaaa");
        byte[] b = frame("bbbbbb");
        ByteBuf first = Unpooled.buffer().writeBytes(a).writeBytes(b, 0, 6);

        channel.writeInbound(first);
        assertThat(readFrame()).isEqualTo("aaaa");
        assertThat((Object) channel.readInbound()).isNull();

        channel.writeInbound(Unpooled.wrappedBuffer(b, 6, b.length - 6));
        assertThat(readFrame()).isEqualTo("bbbbbb");
    }

    @Test
    void frameOfExactlyTheMaximumIsAccepted() {
        channel.writeInbound(Unpooled.wrappedBuffer(frame("x".repeat(MAX))));

        assertThat(readFrame()).hasSize(MAX);
        assertThat(channel.isOpen()).isTrue();
    }

    /** What an unreadable size hands on: one InvalidFrame, and nothing else ever after. */
    private void assertInvalidFrameThenNothing(String reasonPart) {
        Object first = channel.readInbound();
        assertThat(first).isInstanceOf(KafkaFrameDecoder.InvalidFrame.class);
        assertThat(((KafkaFrameDecoder.InvalidFrame) first).reason()).contains(reasonPart);
        assertThat((Object) channel.readInbound()).isNull();
        // Whatever arrives afterwards is discarded, even well-formed frames.
        channel.writeInbound(Unpooled.wrappedBuffer(frame("later")));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void sizeOverTheMaximumHandsOnAnInvalidFrameAndNoBytes() {
        channel.writeInbound(Unpooled.buffer().writeInt(MAX + 1).writeBytes(new byte[MAX + 1]));

        assertInvalidFrameThenNothing("over the limit");
    }

    @Test
    void oversizedPrefixIsRejectedBeforeTheBodyArrives() {
        channel.writeInbound(Unpooled.buffer().writeInt(Integer.MAX_VALUE));

        assertInvalidFrameThenNothing("over the limit");
    }

    @Test
    void negativeSizeHandsOnAnInvalidFrame() {
        channel.writeInbound(Unpooled.buffer().writeInt(-1).writeBytes(frame("ok")));

        assertInvalidFrameThenNothing("negative");
    }

    @Test
    void framesBeforeAnOversizedOneAreStillHandedOn() {
        ByteBuf data = Unpooled.buffer().writeBytes(frame("good")).writeInt(MAX + 1).writeBytes(new byte[8]);

        channel.writeInbound(data);

        assertThat(readFrame()).isEqualTo("good");
        assertInvalidFrameThenNothing("over the limit");
    }
}
