package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka 4.3's own tools on share groups: kafka-configs.sh on a GROUP entity, kafka-console-share-consumer.sh reading
 * records, and kafka-share-groups.sh listing, describing (members, offsets), resetting and deleting a group.
 */
class ShareGroupToolsIT {

    static final String SHARE_GROUPS = "org.apache.kafka.tools.consumer.group.ShareGroupCommand";
    static final String CONSOLE_SHARE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleShareConsumer";

    private static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("group.share.heartbeat.interval.ms", "500", "group.share.session.timeout.ms", "6000"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static KafkaTools.Result tool(String main, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = cluster.bootstrap();
        System.arraycopy(args, 0, all, 2, args.length);
        KafkaTools.Result r = KafkaTools.run(main, all);
        System.out.println("$ " + main + " " + String.join(" ", args) + "\n" + r.output());
        return r;
    }

    @Test
    void configsConsoleShareConsumerAndShareGroupsTool() throws Exception {
        String topic = "tools-share";
        String group = "tools-share-group";
        cluster.createTopic(topic, 2);
        ShareGroupIT.produce(cluster, topic, 0, 10);

        KafkaTools.Result alter = tool(KafkaTools.CONFIGS, "--entity-type", "groups", "--entity-name", group, "--alter",
                "--add-config", "share.auto.offset.reset=earliest");
        assertThat(alter.exitCode()).isZero();
        KafkaTools.Result configs = tool(KafkaTools.CONFIGS, "--entity-type", "groups", "--entity-name", group, "--describe");
        assertThat(configs.output()).contains("share.auto.offset.reset=earliest");

        KafkaTools.Result consumed = tool(CONSOLE_SHARE_CONSUMER, "--topic", topic, "--group", group, "--max-messages", "10",
                "--timeout-ms", "60000");
        for (int i = 0; i < 10; i++) {
            assertThat(consumed.output()).contains("v" + i);
        }

        KafkaTools.Result list = tool(SHARE_GROUPS, "--list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.output()).contains(group);

        ShareGroupIT.produce(cluster, topic, 10, 5);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger assigned = new AtomicInteger();
        Thread member = new Thread(() -> {
            try (KafkaShareConsumer<String, String> c = ShareGroupIT.shareConsumer(cluster, group, false)) {
                c.subscribe(List.of(topic));
                while (running.get()) {
                    c.poll(Duration.ofMillis(100));
                    c.commitSync();
                    assigned.set(1);
                }
            }
        });
        member.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> assigned.get() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> tool(SHARE_GROUPS, "--describe", "--group", group, "--members")
                    .output().contains(topic + ":0,1"));
            KafkaTools.Result state = tool(SHARE_GROUPS, "--describe", "--group", group, "--state");
            assertThat(state.output()).contains("Stable");
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String out = tool(SHARE_GROUPS, "--describe", "--group", group, "--offsets").output();
                return out.contains("START-OFFSET") && out.matches("(?s).*" + group + "\\s+" + topic + "\\s+0\\s+\\d+\\s+0.*");
            });
            KafkaTools.Result busy = tool(SHARE_GROUPS, "--delete", "--group", group);
            assertThat(busy.output()).contains("is not EMPTY");
        } finally {
            running.set(false);
            member.join(30_000);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> tool(SHARE_GROUPS, "--list", "--state", "Empty").output().contains(group));
        KafkaTools.Result reset = tool(SHARE_GROUPS, "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
        assertThat(reset.exitCode()).isZero();
        Map<TopicPartition, SharePartitionOffsetInfo> offsets = cluster.sharedAdmin()
                .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec())).all().get(15, TimeUnit.SECONDS).get(group);
        assertThat(offsets.values()).allMatch(o -> o.startOffset() == 0);
        assertThat(offsets.values().stream().mapToLong(o -> o.lag().orElse(-1L)).sum()).isEqualTo(15);

        KafkaTools.Result deleteOffsets = tool(SHARE_GROUPS, "--delete-offsets", "--group", group, "--topic", topic);
        assertThat(deleteOffsets.output()).containsPattern(topic + "\\s+Successful");
        assertThat(cluster.sharedAdmin().listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec())).all()
                .get(15, TimeUnit.SECONDS).get(group)).isEmpty();

        KafkaTools.Result delete = tool(SHARE_GROUPS, "--delete", "--group", group);
        assertThat(delete.output()).contains("Deletion of requested share groups ('" + group + "') was successful.");
        assertThat(tool(SHARE_GROUPS, "--list").output()).doesNotContain(group);
        KafkaTools.Result gone = tool(SHARE_GROUPS, "--describe", "--group", group);
        assertThat(gone.output()).containsIgnoringCase("not");
    }
}
