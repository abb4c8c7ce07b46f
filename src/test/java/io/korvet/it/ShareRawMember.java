package io.korvet.it;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.requests.ShareFetchResponse;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatResponse;

/** A share group member on a raw connection that joins, acquires records of partition 0 and drops its connection. */
final class ShareRawMember {

    private ShareRawMember() {
    }

    /** Returns how many records it acquired before the connection dropped. */
    static int acquireAndDrop(KorvetCluster cluster, String group, String topic) throws Exception {
        Uuid topicId = cluster.sharedAdmin().describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic).topicId();
        String member = Uuid.randomUuid().toString();
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ShareGroupHeartbeatResponse joined = c.call(new ShareGroupHeartbeatRequest.Builder(new ShareGroupHeartbeatRequestData()
                    .setGroupId(group).setMemberId(member).setMemberEpoch(0).setSubscribedTopicNames(List.of(topic))).build((short) 1));
            if (joined.data().errorCode() != Errors.NONE.code()) {
                throw new AssertionError("join failed: " + joined.data());
            }
            ShareFetchRequestData fetch = new ShareFetchRequestData().setGroupId(group).setMemberId(member).setShareSessionEpoch(0)
                    .setMaxWaitMs(2000).setMinBytes(1).setMaxBytes(1 << 20).setMaxRecords(500).setBatchSize(500);
            ShareFetchRequestData.FetchTopic ft = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
            ft.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
            fetch.topics().add(ft);
            ShareFetchResponse response = c.call(new ShareFetchRequest.Builder(fetch).build((short) 1));
            int acquired = 0;
            for (var t : response.data().responses()) {
                for (var p : t.partitions()) {
                    for (var a : p.acquiredRecords()) {
                        acquired += (int) (a.lastOffset() - a.firstOffset() + 1);
                    }
                }
            }
            return acquired;
        }
    }
}
